"""The beat schedule: every routine step of the platform, by task NAME.

Each task is an idempotent conditional transition (`... WHERE status = 'open' AND ends_at <=
now`), so a late, doubled or missed run is harmless and the next run catches up. Entries
whose task no installed domain defines are left out (and logged), so the schedule never
sends a task no worker knows.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from datetime import timedelta
from typing import Any

from celery.schedules import crontab

log = logging.getLogger(__name__)


def entries(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every scheduled step, keyed by the task name it sends."""
    sweep = max(5, int(config.get("OUTBOX_SWEEP_SECONDS", 60)))

    def every(seconds: int) -> dict[str, Any]:
        # A run nobody picked up in time is dropped: the next one does the same work.
        return {"schedule": timedelta(seconds=seconds), "options": {"expires": seconds}}

    return {
        # Calls open by themselves (opens_at is read live); closing is a stored transition.
        "calls.close_due": every(60),
        "campaigns.close_due": every(60),
        "campaigns.expire_pending": every(300),
        "campaigns.sweep_transfers": every(3600),
        "matching.settle_due": every(300),
        "jury.send_reminders": every(3600),
        "payouts.send_final_report_reminders": every(3600),
        "notifications.sweep_outbox": every(sweep),
        # Gateway events a lost kick left received (payments/drain.py); normally applied at once.
        "payments.apply_received": every(60),
        # Nightly, Brussels time (the Celery app's timezone).
        "ledger.verify": {"schedule": crontab(hour=3, minute=15), "options": {"expires": 6 * 3600}},
        # Seals new journal transactions and audit events, and re-queues lost report jobs.
        "transparency.seal_ledger": every(60),
        # Personal data past its retention (docs/privacy.md), nightly.
        "privacy.apply_retention": {"schedule": crontab(hour=3, minute=45), "options": {"expires": 6 * 3600}},
    }


def build(config: dict[str, Any], registered: Container[str]) -> dict[str, dict[str, Any]]:
    """The beat_schedule: the entries whose task is registered, each named after its task."""
    schedule = {}
    for name, entry in entries(config).items():
        if name not in registered:
            log.warning("beat: no task %s installed; not scheduled", name)
            continue
        schedule[name] = {"task": name, **entry}
    return schedule
