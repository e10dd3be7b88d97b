"""Thin Celery tasks of the notifications domain: take ids, call the delivery service."""

from __future__ import annotations

from celery import shared_task

from app.notifications import delivery


@shared_task(name="notifications.deliver")
def deliver(outbox_id: int) -> str:
    """Send one outbox row (idempotent: a row already sent, or leased elsewhere, is left)."""
    return delivery.deliver(outbox_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Queue the deliveries a lost task or a killed worker left behind."""
    return delivery.sweep()
