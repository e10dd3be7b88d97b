"""/api/v1/pledges: a pledge's status by its secret token, and refunds."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.campaigns import schemas
from app.campaigns import services as campaigns
from app.campaigns.models import Pledge
from app.core.errors import NotFound
from app.extensions import db

blp = Blueprint("api_pledges", __name__, url_prefix="/api/v1/pledges", description="Pledges")


@blp.route("/<int:pledge_id>")
@blp.arguments(schemas.TokenArgs, location="query")
@blp.response(200, schemas.PledgeSchema)
def get_pledge(args, pledge_id):
    """The pledge's status and amounts: for its backer with `?token=` (the receipt token),
    for the fund and the overseer with their bearer token alone (404 for anyone else)."""
    return campaigns.pledge_for_reader(pledge_id, args["token"], current_api_user())


@blp.route("/<int:pledge_id>/refund", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.RefundInSchema)
@blp.response(201, schemas.RefundSchema)
def refund(data, pledge_id):
    """Refund all that is left, or `amount_cents` of it (409 refund_exceeds when more)."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(_("Bijdrage niet gevonden."))
    row = campaigns.request_refund(pledge, data.get("amount_cents"), current_api_user().id)
    commit()
    return row
