"""Thin Celery tasks of the calls domain: call a service, commit, idempotent."""

from __future__ import annotations

from celery import shared_task

from app.calls import services
from app.extensions import db


@shared_task(name="calls.close_due")
def close_due() -> int:
    """Close the published calls whose deadline passed (beat, every minute)."""
    closed = services.close_due_calls()
    db.session.commit()
    return len(closed)
