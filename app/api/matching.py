"""/api/v1/sponsors and /api/v1/campaigns/{id}/match-audit: sponsors, their commitments,
the sponsor report and the audit of a campaign's match (fund managers; auditors read)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import PageArgs, page
from app.campaigns import services as campaigns
from app.core import bank_transfer
from app.core import structured_reference as ogm
from app.funds import services as funds
from app.matching import schemas
from app.matching import services as matching
from app.matching.models import Sponsor

blp = Blueprint("api_matching", __name__, url_prefix="/api/v1", description="Sponsors and matching")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")


def _commitment_out(c) -> dict:
    transfer = bank_transfer.instructions(ogm.COMMITMENT, c.id, c.amount_cents, funds.account(c.fund_id))
    return {
        "structured_reference": transfer.structured_reference if transfer else None,
        "qr_url": funds.url(c.fund_id, "matching.commitment_qr", commitment_id=c.id) if transfer else None,
        "id": c.id,
        "sponsor_id": c.sponsor_id,
        "earmark": c.earmark,
        "received": c.received,
        "received_on": c.received_on,
        "received_reference": c.received_reference,
        "created_at": c.created_at,
        **matching.commitment_balances(c),
    }


@blp.route("/sponsors")
class Sponsors(MethodView):
    @require_user(*READERS)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, schemas.SponsorListSchema)
    def get(self, args):
        """List the sponsors."""
        return page(matching.sponsors_query(), Sponsor.id, args, lambda s: s)

    @require_user(*WRITERS)
    @blp.arguments(schemas.SponsorInSchema)
    @blp.response(201, schemas.SponsorOutSchema)
    def post(self, data):
        """Add a sponsor."""
        sponsor = matching.create_sponsor(data, current_api_user().id)
        commit()
        return sponsor


@blp.route("/sponsors/<int:sponsor_id>/commitments", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(schemas.CommitmentInSchema)
@blp.response(201, schemas.CommitmentOutSchema)
def add_commitment(data, sponsor_id):
    """Record a sponsor's commitment, optionally earmarked; its money becomes available."""
    sponsor = matching.get_sponsor(sponsor_id)
    commitment = matching.add_commitment(sponsor, data, current_api_user().id)
    commit()
    return _commitment_out(commitment)


@blp.route("/sponsors/<int:sponsor_id>/report")
@require_user(*READERS, "sponsor")
@blp.response(200, schemas.SponsorReportSchema)
def sponsor_report(sponsor_id):
    """Where every cent of a sponsor is: per commitment and per project. The fund and the
    overseer read every sponsor's; a sponsor's contact only their own (404 for others)."""
    return matching.sponsor_report(matching.sponsor_for_reader(sponsor_id, current_api_user()))


@blp.route("/campaigns/<int:campaign_id>/match-audit")
@require_user(*READERS)
@blp.response(200, schemas.MatchAuditSchema)
def match_audit(campaign_id):
    """The match of a campaign traced to sponsors, with the rule that bound it."""
    return matching.match_audit(campaigns.get_campaign(campaign_id, current_api_user()))
