"""Thin Celery tasks: they take ids, call a service, and are safe to run twice. The sweeps
commit once per item, so one failing item never undoes the others."""

from __future__ import annotations

import logging

from celery import shared_task

from app.campaigns import services
from app.extensions import db
from app.payments.services import GatewayUnavailable

log = logging.getLogger(__name__)


@shared_task(name="campaigns.close_due")
def close_due() -> list[int]:
    """Close the campaigns whose end has passed, each in its own transaction; also retries
    refunds left requested."""
    closed = []
    for campaign_id in services.due_campaign_ids():
        if services.close_if_due(campaign_id):
            closed.append(campaign_id)
        db.session.commit()
    for refund_id in services.stale_refund_ids():
        refund_pledge.delay(refund_id)
    db.session.commit()
    return closed


@shared_task(name="campaigns.expire_pending")
def expire_pending() -> list[int]:
    """Settle the pledges whose webhook never came, each in its own transaction; one whose
    gateway does not answer is left for the next run."""
    done = []
    for pledge_id in services.stale_pending_ids():
        try:
            services.settle_stale_pending(pledge_id)
        except GatewayUnavailable:
            db.session.rollback()
            log.warning("could not settle pending pledge %s; next run retries", pledge_id)
            continue
        db.session.commit()
        done.append(pledge_id)
    return done


@shared_task(name="campaigns.sweep_transfers")
def sweep_transfers() -> dict:
    """Expire transfer pledges that waited long enough; remind the ones past half time."""
    done = services.sweep_transfers()
    db.session.commit()
    return done


@shared_task(name="campaigns.refund_pledge")
def refund_pledge(refund_id: int) -> None:
    services.run_refund(refund_id)
    db.session.commit()
