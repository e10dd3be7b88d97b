"""Thin Celery tasks of the privacy domain."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.privacy import retention


@shared_task(name="privacy.apply_retention")
def apply_retention() -> dict:
    """Remove personal data past its retention (idempotent; beat runs it nightly)."""
    result = retention.apply()
    db.session.commit()
    return result
