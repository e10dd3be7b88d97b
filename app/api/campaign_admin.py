"""/api/v1: the fund manager's campaign actions beyond open and close: the patron (PATCH a
campaign), cancelling a campaign and cancelling an offline gift. The same services as the
manager's pages; thin."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.api.campaigns import dump
from app.campaigns import schemas
from app.campaigns import services as campaigns
from app.campaigns.models import Pledge
from app.core.errors import NotFound
from app.extensions import db
from app.funds.schemas import Schema

blp = Blueprint("api_campaign_admin", __name__, url_prefix="/api/v1", description="Campaigns: fund manager")
MANAGERS = ("fund_manager", "admin")


class CancelInSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


def dump_staff(campaign) -> dict:
    return {**dump(campaign), **campaigns.patron_of(campaign)}


@blp.route("/campaigns/<int:campaign_id>", methods=["PATCH"])
@require_user(*MANAGERS)
@blp.arguments(schemas.PatronInSchema)
@blp.response(200, schemas.CampaignStaffSchema)
def patch_campaign(data, campaign_id):
    """Set the patron: `{patron_name, patron_email, patron_role}`, each optional (null or ""
    clears it). 422 for a bad e-mail or an e-mail without a name, 409 on a closed campaign.
    A new patron e-mail on an open campaign gets the "campaign opened" mail."""
    user = current_api_user()
    campaign = campaigns.set_patron(campaigns.get_campaign(campaign_id, user), data, user.id)
    commit()
    return dump_staff(campaign)


@blp.route("/campaigns/<int:campaign_id>/cancel", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.CampaignSchema)
def cancel_campaign(campaign_id):
    """draft or open → cancelled: every paid pledge is refunded (409 from any other state)."""
    user = current_api_user()
    campaign = campaigns.close_campaign(campaigns.get_campaign(campaign_id, user), user.id, cancel=True)
    commit()
    return dump(campaign)


@blp.route("/pledges/<int:pledge_id>/cancel", methods=["POST"])
@require_user(*MANAGERS)
@blp.arguments(CancelInSchema)
@blp.response(200, schemas.PledgeStaffSchema)
def cancel_offline_gift(data, pledge_id):
    """Cancel an offline gift booked by mistake: its posting is reversed, never deleted.
    409 for an online pledge (refund it instead) or one already cancelled."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(_("Bijdrage niet gevonden."))
    pledge = campaigns.cancel_offline_gift(pledge, current_api_user().id, data.get("note"))
    commit()
    return pledge
