"""The transparency domain's services: the only module other code imports.

- Public ledger: `seal_ledger()`, `ledger_page(after, limit)`, `ledger_head()`,
  `iter_jsonl()`, `check_seals()`; the record format and hash are in `chain`.
- Audit trail: `seal_audit_trail()`, `verify_audit_trail()`, `audit_events(...)`.
- Reports: `request_call_report(call, actor_id)`, `request_fund_report(year, actor_id)`,
  `get_job`, `list_reports`, `get_report`, `report_document`.
- Tax certificates: `tax_certificate_rows(year)` (auditor only, checked by the caller).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, func, or_, select

from app.accounts.models import User
from app.campaigns import services as campaigns
from app.core.audit import AuditEvent
from app.extensions import db
from app.transparency.models import AuditSeal
from app.transparency.public_ledger import check_seals, iter_jsonl, ledger_page, unsealed_count
from app.transparency.public_ledger import head as ledger_head
from app.transparency.render import CSV_TABLES, to_csv, to_pdf
from app.transparency.reports import (
    get_job,
    get_report,
    latest_report,
    list_reports,
    report_document,
    request_call_report,
    request_fund_report,
    requeue_lost_jobs,
)
from app.transparency.sealing import chain_of, seal_audit_trail, seal_ledger, verify_audit_trail

__all__ = [
    "CSV_TABLES",
    "to_csv",
    "to_pdf",
    "audit_events",
    "chain_of",
    "check_seals",
    "get_job",
    "get_report",
    "iter_jsonl",
    "latest_report",
    "ledger_head",
    "ledger_page",
    "list_reports",
    "report_document",
    "request_call_report",
    "request_fund_report",
    "requeue_lost_jobs",
    "seal_audit_trail",
    "seal_ledger",
    "tax_certificate_rows",
    "unsealed_count",
    "verify_audit_trail",
]


def audit_events(
    q: str = "",
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    who: str = "",
):
    """A query of audit events with their seal (or None), newest first, filtered by free
    text (action, object type, note, before/after), actor (by id, or `who`: part of a
    name or e-mail address) and time range [since, until)."""
    query = select(AuditEvent, AuditSeal).outerjoin(AuditSeal, AuditSeal.audit_event_id == AuditEvent.id)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                AuditEvent.action.ilike(like),
                AuditEvent.object_type.ilike(like),
                AuditEvent.note.ilike(like),
                cast(AuditEvent.before, String).ilike(like),
                cast(AuditEvent.after, String).ilike(like),
            )
        )
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if who.strip():
        like = f"%{who.strip().lower()[:200]}%"
        people = select(User.id).where(
            or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like))
        )
        query = query.where(AuditEvent.actor_id.in_(people))
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    return query.order_by(AuditEvent.id.desc())


TAX_MIN_CENTS = 4000
TAX_COLUMNS = (
    "national_register_number",
    "name",
    "street",
    "postal_code",
    "city",
    "email",
    "year",
    "total_cents",
    "gifts",
)


def tax_certificate_rows(year: int) -> list[dict] | None:
    """One row per donor (by national register number) who asked for a certificate and gave
    at least 40 euro in calendar year `year`, net of refunds and disputes, from campaigns'
    `tax_certificate_requests(year)`."""
    donors: dict[str, dict] = {}
    for gift in campaigns.tax_certificate_requests(year):
        rrn = gift["national_register_number"]
        row = donors.setdefault(
            rrn,
            {
                "national_register_number": rrn,
                "name": gift.get("name", ""),
                "street": gift.get("street", ""),
                "postal_code": gift.get("postal_code", ""),
                "city": gift.get("city", ""),
                "email": gift.get("email") or "",
                "year": year,
                "total_cents": 0,
                "gifts": 0,
            },
        )
        net = int(gift.get("net_cents", 0))
        row["total_cents"] += net
        row["gifts"] += 1 if net > 0 else 0
    return [r for _k, r in sorted(donors.items()) if r["total_cents"] >= TAX_MIN_CENTS]


def audit_event_count() -> int:
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count(AuditEvent.id))) or 0)
