"""/api/v1/campaigns: list and read campaigns, pledge, record offline gifts, open and close."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import page
from app.campaigns import schemas
from app.campaigns import services as campaigns
from app.campaigns.models import Campaign, Pledge
from app.funds import services as funds

blp = Blueprint("api_campaigns", __name__, url_prefix="/api/v1/campaigns", description="Campaigns")


FIELDS = (
    "id",
    "application_id",
    "call_id",
    "title",
    "municipality",
    "theme",
    "goal_cents",
    "status",
    "starts_at",
    "ends_at",
)


def dump(campaign: Campaign, shown: dict | None = None) -> dict:
    """The campaign's fields and figures (`shown`: its public figures, when read already
    for a whole page); the response schema serialises them."""
    shown = shown or campaigns.public_figures([campaign])[campaign.id]
    figures = {k: shown[k] for k in ("raised_cents", "matched_cents", "backers_count")}
    return {**{k: getattr(campaign, k) for k in FIELDS}, **figures}


@blp.route("")
@blp.arguments(schemas.CampaignListArgs, location="query")
@blp.response(200, schemas.CampaignListSchema)
def list_campaigns(args):
    """Campaigns by municipality, theme and status (drafts and cancelled ones for staff only)."""
    query = campaigns.campaigns_query(
        args["municipality"], args["theme"], args["status"], args["q"], current_api_user()
    )
    out = page(query, Campaign.id, args)
    shown = campaigns.public_figures(out["items"])  # the whole page's figures in one query
    out["items"] = [dump(c, shown[c.id]) for c in out["items"]]
    if campaigns.figures_written():
        commit()  # the figures cache rows a stale campaign got
    return out


@blp.route("/<int:campaign_id>")
@blp.response(200, schemas.CampaignSchema)
def get_campaign(campaign_id):
    """One campaign with raised (kept with every ledger posting), matched and backers."""
    out = dump(campaigns.get_campaign(campaign_id, current_api_user()))
    if campaigns.figures_written():
        commit()
    return out


@blp.route("/<int:campaign_id>/pledges")
class CampaignPledges(MethodView):
    @blp.arguments(schemas.PledgeInSchema)
    @blp.response(201, schemas.PledgeCreatedSchema)
    def post(self, data, campaign_id):
        """Pledge (no account). Honours Idempotency-Key. 409 when the campaign is not open,
        422 for a bad amount or e-mail. Counts once the gateway confirms the payment."""
        user = current_api_user()
        campaign = campaigns.get_campaign(campaign_id, user)
        proof = data.pop("human_check", None) or {}
        if user is None:
            campaigns.guard_anonymous_pledge(campaign.id, proof.get("token"), proof.get("answer"))
        pledge, token = campaigns.create_pledge(
            campaign,
            data,
            user_id=user.id if user else None,
            client_key=request.headers.get("Idempotency-Key"),
        )
        commit()
        out = {
            "id": pledge.id,
            "status": pledge.status,
            "method": pledge.method,
            "amount_cents": pledge.amount_cents,
            "checkout_url": pledge.checkout_url,
            "receipt_token": token,
        }
        transfer = campaigns.transfer_instructions(pledge)
        if transfer is not None:
            out.update(
                iban=transfer.iban,
                bic=transfer.bic,
                beneficiary=transfer.beneficiary,
                structured_reference=transfer.structured_reference,
                qr_url=funds.url(pledge.fund_id, "campaigns.pledge_qr", pledge_id=pledge.id, token=token),
            )
        return out

    @require_user("fund_manager", "admin", "auditor")
    @blp.arguments(schemas.CampaignListArgs(only=("limit", "after")), location="query")
    @blp.response(200, schemas.PledgeListSchema)
    def get(self, args, campaign_id):
        """Every pledge of a campaign (fund manager, auditor)."""
        campaign = campaigns.get_campaign(campaign_id, current_api_user())
        query = select(Pledge).where(Pledge.campaign_id == campaign.id)
        return page(query, Pledge.id, args, lambda p: p)


@blp.route("/<int:campaign_id>/offline-pledges", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.OfflinePledgeInSchema)
@blp.response(201, schemas.PledgeStaffSchema)
def offline_pledge(data, campaign_id):
    """Record a bank transfer or cash gift (counted at once)."""
    user = current_api_user()
    pledge = campaigns.record_offline_gift(campaigns.get_campaign(campaign_id, user), data, user.id)
    commit()
    return pledge


@blp.route("/<int:campaign_id>/open", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.CampaignSchema)
def open_campaign(campaign_id):
    """draft → open (409 from any other state)."""
    user = current_api_user()
    campaign = campaigns.open_campaign(campaigns.get_campaign(campaign_id, user), user.id)
    commit()
    return dump(campaign)


@blp.route("/<int:campaign_id>/close", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.CampaignSchema)
def close_campaign(campaign_id):
    """open → succeeded or failed now (a failed all-or-nothing campaign refunds every pledge)."""
    user = current_api_user()
    campaign = campaigns.close_campaign(campaigns.get_campaign(campaign_id, user), user.id)
    commit()
    return dump(campaign)
