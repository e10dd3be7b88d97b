"""The payouts part of `flask ledger verify`: no project is paid more than raised +
matched, and each project's paid-out account equals its paid requests. Matching runs it
(`matching.services.add_check`, registered in `app.payouts.setup`), never imports it."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.extensions import db
from app.ledger import services as ledger
from app.payouts.figures import paid_out_account
from app.payouts.models import PayoutRequest

NAME = "project_payouts"


def _paid_requests() -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for cid, cents in db.session.execute(
        select(PayoutRequest.campaign_id, func.sum(PayoutRequest.amount_cents))
        .where(PayoutRequest.status == "paid")
        .group_by(PayoutRequest.campaign_id)
    ):
        out[cid] = int(cents)
    return out


def check_payouts(out: list[dict]) -> None:
    """Append a violation per project paid above its funds or whose paid-out account
    differs from its paid requests."""
    bal = ledger.balances("campaign:")
    paid_requests = _paid_requests()
    ids = {int(a.split(":")[1]) for a in bal if a.endswith(":paid_out")} | set(paid_requests)
    for cid in sorted(ids):
        paid = bal.get(paid_out_account(cid), 0)
        funds = -bal.get(f"campaign:{cid}:raised", 0) - bal.get(f"campaign:{cid}:match", 0)
        if paid > funds:
            out.append(
                {
                    "check": "paid_within_raised_and_matched",
                    "campaign_id": cid,
                    "paid_out": paid,
                    "raised_and_matched": funds,
                    "message": f"campaign {cid}: paid out more than raised + matched",
                }
            )
        if paid != paid_requests.get(cid, 0):
            out.append(
                {
                    "check": "paid_out_equals_requests",
                    "campaign_id": cid,
                    "paid_out": paid,
                    "paid_requests": paid_requests.get(cid, 0),
                    "message": f"campaign {cid}: paid-out account differs from its paid requests",
                }
            )
