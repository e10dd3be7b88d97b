"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from app.campaigns import services
from app.extensions import db


@shared_task(name="campaigns.close_due")
def close_due() -> list[int]:
    """Close the campaigns whose end has passed; also retries refunds left requested."""
    closed = services.close_due()
    for refund_id in services.stale_refund_ids():
        refund_pledge.delay(refund_id)
    db.session.commit()
    return closed


@shared_task(name="campaigns.expire_pending")
def expire_pending() -> list[int]:
    done = services.expire_pending()
    db.session.commit()
    return done


@shared_task(name="campaigns.refund_pledge")
def refund_pledge(refund_id: int) -> None:
    services.run_refund(refund_id)
    db.session.commit()
