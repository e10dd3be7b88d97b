"""Thin Celery tasks of the notifications domain: take ids, call the delivery service."""

from __future__ import annotations

from celery import shared_task

from app.core.tasks import batched
from app.notifications import delivery


@batched
@shared_task(name="notifications.deliver")
def deliver(outbox_id: int, *more_ids: int) -> str:
    """Send outbox rows (idempotent: a row already sent, or leased elsewhere, is left); the
    rows one transaction queued come in one message. Returns the first row's result."""
    results = [delivery.deliver(row_id) for row_id in (outbox_id, *more_ids)]
    return results[0]


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Queue the deliveries a lost task or a killed worker left behind."""
    return delivery.sweep()
