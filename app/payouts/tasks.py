"""Thin Celery tasks of the payouts domain (idempotent: the broker may deliver twice)."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.payouts.final_reports import send_reminders


@shared_task(name="payouts.send_final_report_reminders")
def send_final_report_reminders() -> int:
    """Remind owners of the final report a week before and after the project's end, once."""
    sent = send_reminders()
    db.session.commit()
    return len(sent)
