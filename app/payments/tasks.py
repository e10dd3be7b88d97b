"""The payments domain's task: applying the gateway events the webhook received."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.payments import drain, inbox
from app.payments.gateways import get_gateway


@shared_task(name="payments.apply_received")
def apply_received() -> int:
    """Apply every received event, a group (inbox.GROUP_SIZE) per transaction, until none is
    left; returns how many were applied. Safe to run twice at once (the groups are claimed
    with SKIP LOCKED) and when there is nothing to do (one SELECT)."""
    applied = 0
    waiting: set[int] = set()
    while True:
        drain.clear()  # before looking: an event committed after this look kicks again
        taken = inbox.apply_received(get_gateway, waiting_for_gateway=waiting)
        db.session.commit()
        applied += taken
        if taken < inbox.GROUP_SIZE:
            return applied
