"""/api/v1/ledger/verify: every ledger invariant checked (fund managers and auditors)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_user
from app.matching import schemas
from app.matching import services as matching

blp = Blueprint("api_ledger", __name__, url_prefix="/api/v1/ledger", description="The journal")


@blp.route("/verify")
@require_user("fund_manager", "admin", "auditor")
@blp.response(200, schemas.VerifySchema)
def verify():
    """Check every invariant: `{ok, checks, violations}`."""
    return matching.verify_ledger()
