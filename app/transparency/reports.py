"""Report jobs and report versions: request, run, publish, read.

A request is first a row (ReportJob), then a task. The task seals the ledger, computes the
report as of the sealed head and publishes it as a new immutable version whose SHA-256 is
the digest of the exact JSON bytes stored and served.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.calls.models import Call
from app.core import clock, tenancy
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.tasks import enqueue_after_commit
from app.extensions import db
from app.funds import services as funds
from app.transparency import report_data
from app.transparency.models import Report, ReportJob
from app.transparency.public_ledger import head
from app.transparency.sealing import iso_utc

MIN_YEAR, MAX_YEAR = 2000, 2100
log = logging.getLogger(__name__)


def _enqueue(job: ReportJob) -> None:
    enqueue_after_commit(db.session, "transparency.generate_report", job.id)


def request_call_report(call: Call, actor_id: int | None, trigger_key: str | None = None) -> ReportJob:
    """Queue a new version of the report of `call` (a row now, the task after commit).

    Refuses a call still in draft (409). With a `trigger_key` already used (an automatic
    request delivered twice), returns that job and queues nothing.
    """
    if call.status == "draft":
        raise Conflict(_("Een oproep in ontwerp heeft geen rapport."), code="call_in_draft")
    return _request("call", call.id, None, actor_id, trigger_key)


def request_fund_report(year: int, actor_id: int | None) -> ReportJob:
    """Queue a new version of the fund's report of calendar year `year` (2000-2100)."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        msg = _("Een jaar tussen %(a)d en %(b)d.", a=MIN_YEAR, b=MAX_YEAR)
        raise ValidationFailed(msg, details={"year": [msg]})
    return _request("fund", None, year, actor_id, None)


def _request(scope, call_id, year, actor_id, trigger_key) -> ReportJob:
    if trigger_key:
        existing = db.session.scalar(select(ReportJob).where(ReportJob.trigger_key == trigger_key))
        if existing is not None:
            return existing
    job = ReportJob(
        scope=scope, call_id=call_id, year=year, requested_by_id=actor_id, trigger_key=trigger_key
    )
    db.session.add(job)
    if trigger_key:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            return db.session.scalar(select(ReportJob).where(ReportJob.trigger_key == trigger_key))
    else:
        db.session.flush()
    _enqueue(job)
    return job


def get_job(job_id: int) -> ReportJob:
    job = db.session.get(ReportJob, job_id)
    if job is None:
        raise NotFound(_("Taak niet gevonden."))
    return job


STALE_QUEUED = timedelta(minutes=2)
STALE_RUNNING = timedelta(minutes=30)


def is_stale(job: ReportJob) -> bool:
    """A running job whose worker died long ago (a live one finishes well within this)."""
    return job.started_at is not None and job.started_at < clock.now() - STALE_RUNNING


def requeue_lost_jobs() -> list[int]:
    """Queue again (after commit) the jobs whose task was lost: queued for a while, or
    running long past any real run. Idempotent: a job done twice is left alone by the task."""
    now = clock.now()
    jobs = db.session.scalars(
        select(ReportJob).where(
            ((ReportJob.status == "queued") & (ReportJob.created_at < now - STALE_QUEUED))
            | ((ReportJob.status == "running") & (ReportJob.started_at < now - STALE_RUNNING))
        )
    ).all()
    for job in jobs:
        _enqueue(job)
    return [j.id for j in jobs]


def render_json(body: dict) -> bytes:
    """The exact bytes of a report's JSON document (sorted keys, UTF-8, 2-space indent)."""
    return (json.dumps(body, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def publish(
    scope: str,
    call_id: int | None,
    year: int | None,
    progress: Callable[[int], None],
    fund_id: int | None = None,
) -> Report:
    """Compute the report as of the sealed ledger head of its fund and store it as the next
    version of its scope in that fund; flush. Two runs at once both succeed, as versions n
    and n+1. Everything it reads is the fund's own (the fund's scope is set around it)."""
    fund_id = fund_id or tenancy.single_fund_id() or funds.default_fund().id
    with tenancy.scoped({fund_id}):
        return _publish(scope, call_id, year, progress, fund_id)


def _publish(scope, call_id, year, progress, fund_id) -> Report:
    ledger = head(fund_id)
    if scope == "call":
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound(_("Oproep niet gevonden."))
        body = report_data.call_report(call, ledger, progress)
        key, title = f"call:{call.id}", call.title
    else:
        body = report_data.fund_report(year, ledger, progress)
        key, title = f"fund:{year}", _("Jaarverslag %(year)d", year=year)
    for _attempt in range(3):
        version = (
            db.session.scalar(select(func.max(Report.version)).where(Report.scope_key == key)) or 0
        ) + 1
        now = clock.now()
        document = {**body, "title": title, "version": version, "generated_at": iso_utc(now)}
        data = render_json(document)
        report = Report(
            scope=scope,
            scope_key=key,
            call_id=call_id,
            year=year,
            version=version,
            title=title[:250],
            created_at=now,
            sha256=hashlib.sha256(data).hexdigest(),
            ledger_seq=ledger["seq"],
            ledger_hash=ledger["hash"],
            body=data,
        )
        db.session.add(report)
        try:
            with db.session.begin_nested():
                db.session.flush()
            return report
        except IntegrityError:
            continue  # another run took this version number
    raise Conflict(
        _("Het rapport kon geen versienummer krijgen; probeer opnieuw."), code="report_version_busy"
    )


def list_reports(scope_key: str | None = None):
    """Every version, newest first (a query: the API pages it)."""
    query = select(Report)
    if scope_key:
        query = query.where(Report.scope_key == scope_key)
    return query


def get_report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(_("Rapport niet gevonden."))
    return report


def report_document(report: Report) -> dict:
    return json.loads(report.body)


def latest_report(scope_key: str) -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.scope_key == scope_key).order_by(Report.version.desc()).limit(1)
    )
