"""/api/v1/campaigns, the fund manager's side beyond open and close: the patron (PATCH) and
cancelling a campaign. The same services as the manager's pages; thin."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.api.campaigns import dump
from app.campaigns import patron, schemas
from app.campaigns import services as campaigns

blp = Blueprint(
    "api_campaign_admin", __name__, url_prefix="/api/v1/campaigns", description="Campaigns: fund manager"
)
MANAGERS = ("fund_manager", "admin")


def dump_staff(campaign) -> dict:
    return {**dump(campaign), **patron.patron_of(campaign)}


@blp.route("/<int:campaign_id>", methods=["PATCH"])
@require_user(*MANAGERS)
@blp.arguments(schemas.PatronInSchema)
@blp.response(200, schemas.CampaignStaffSchema)
def patch_campaign(data, campaign_id):
    """Set the patron: `{patron_name, patron_email, patron_role}`, each optional (null or ""
    clears it). 422 for a bad e-mail or an e-mail without a name, 409 on a closed campaign.
    A new patron e-mail on an open campaign gets the "campaign opened" mail."""
    user = current_api_user()
    campaign = patron.set_patron(campaigns.get_campaign(campaign_id, user), data, user.id)
    commit()
    return dump_staff(campaign)


@blp.route("/<int:campaign_id>/cancel", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.CampaignSchema)
def cancel_campaign(campaign_id):
    """draft or open → cancelled: every paid pledge is refunded (409 from any other state)."""
    user = current_api_user()
    campaign = campaigns.close_campaign(campaigns.get_campaign(campaign_id, user), user.id, cancel=True)
    commit()
    return dump(campaign)
