"""Thin Celery tasks of the transparency domain: take ids, call a service, commit.

A report job commits along the way (running, sealed, progress, done or failed), so its
progress shows while it runs: that loop lives here, not in the services."""

from __future__ import annotations

import logging

from celery import shared_task

from app.core import clock
from app.extensions import db
from app.transparency import reports, sealing, services
from app.transparency.models import ReportJob

log = logging.getLogger(__name__)


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
    return run_report_job(job_id)


def run_report_job(job_id: int) -> int | None:
    """Run a queued (or interrupted running) job to the end and commit along the way, so that
    its progress shows. A job done or failed is left alone. Returns the report id."""
    job = db.session.get(ReportJob, job_id, with_for_update=True)
    if (
        job is None
        or job.status in ("done", "failed")
        or (job.status == "running" and not reports.is_stale(job))
    ):
        report_id = job.report_id if job else None
        db.session.rollback()
        return report_id
    job.status, job.progress, job.started_at = "running", 5, clock.now()
    db.session.commit()
    sealing.seal_ledger()
    db.session.commit()

    def progress(pct: int) -> None:
        job.progress = max(job.progress, min(95, pct))
        db.session.commit()

    try:
        report = reports.publish(job.scope, job.call_id, job.year, progress, job.fund_id)
    except Exception as exc:  # noqa: BLE001 - a failed job is recorded and shown, not lost
        log.exception("report job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(ReportJob, job_id)
        job.status, job.error, job.finished_at = "failed", str(exc)[:2000], clock.now()
        db.session.commit()
        return None
    job.status, job.progress, job.report_id, job.finished_at = "done", 100, report.id, clock.now()
    db.session.commit()
    return report.id
