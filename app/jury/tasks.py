"""Celery tasks of the jury: thin, take ids, idempotent."""

from __future__ import annotations

from celery import shared_task

from app.calls.models import Call
from app.extensions import db
from app.jury import services


@shared_task(name="jury.send_reminders")
def send_reminders(call_id: int | None = None) -> int:
    """Remind jurors with work left (one call, or every call with an open window); at most
    one reminder per juror, call and day, so a second delivery sends nothing."""
    calls = [db.session.get(Call, call_id)] if call_id is not None else services.open_windows()
    sent = sum(services.send_reminders(c) for c in calls if c is not None)
    db.session.commit()
    return sent
