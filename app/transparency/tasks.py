"""Thin Celery tasks of the transparency domain: take ids, call a service, commit."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.transparency import services


@shared_task(name="transparency.seal_ledger")
def seal_ledger() -> int:
    """Seal every committed, unsealed journal transaction and audit event, and queue again
    the report jobs whose task was lost (idempotent; beat runs it every minute)."""
    count = services.seal_ledger()
    db.session.commit()
    services.seal_audit_trail()
    db.session.commit()
    services.requeue_lost_jobs()
    db.session.commit()
    return count


@shared_task(name="transparency.generate_report")
def generate_report(job_id: int) -> int | None:
    """Run one report job; a job already done or failed is left alone (a redelivery)."""
    return services.run_report_job(job_id)
