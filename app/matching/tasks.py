"""Thin Celery tasks of the matching domain (idempotent: the broker may deliver twice)."""

from __future__ import annotations

import logging

from celery import shared_task

from app.extensions import db
from app.matching import facts, settlement
from app.matching.events import ledger_violation
from app.matching.verify import verify_ledger

log = logging.getLogger(__name__)


@shared_task(name="matching.settle_due")
def settle_due() -> list[int]:
    """Settle every closed campaign without pending pledges, one transaction each."""
    settled = []
    for campaign_id in settlement.due_campaign_ids():
        try:
            campaign = facts.campaign_by_id(campaign_id)
            pm = settlement.settle(campaign)
            db.session.commit()
            if pm is not None and pm.state != "projected":
                settled.append(campaign_id)
        except Exception:
            db.session.rollback()
            log.exception("settling campaign %s failed; the next run retries", campaign_id)
    return settled


@shared_task(name="ledger.verify")
def verify() -> bool:
    """Check every ledger invariant; on a violation, tell the fund managers (signal)."""
    result = verify_ledger()
    if not result["ok"]:
        log.error("ledger verify: %d violation(s)", len(result["violations"]))
        ledger_violation.send(None, violations=result["violations"])
    db.session.commit()  # receivers (notifications) write outbox rows
    return result["ok"]
