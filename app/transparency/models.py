"""The seals that chain the ledger and the audit trail, report versions and report jobs.

Seals and report versions are append-only (PostgreSQL refuses UPDATE and DELETE); a report
job is the only row here that changes (its status and progress).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

GENESIS_HASH = "0" * 64


class LedgerSeal(FundOwned, Base):
    """The place of one journal transaction in its fund's public ledger: its `seq`, its record
    as published (canonical JSON without `hash`) and the chained hash. Written once."""

    __tablename__ = "ledger_seals"
    __fund_parent__ = "transaction_id"
    __table_args__ = ({"info": {"append_only": True}},)

    # Each fund has its own chain: seq counts from 1 per fund (issue 14).
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True, index=True)
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    # Unique: a transaction is sealed once, whatever two sealers might try.
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    record: Mapped[str] = mapped_column(Text)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class AuditSeal(Base):
    """The place of one audit event in the hash chain of the audit trail. Written once."""

    __tablename__ = "audit_seals"
    __table_args__ = ({"info": {"append_only": True}},)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Report(FundOwned, Base):
    """One published version of a report. Its JSON bytes are kept exactly as served, so the
    digest stays true; the PDF and CSV are rendered from those bytes."""

    __tablename__ = "transparency_reports"
    __fund_parent__ = "call_id"
    __table_args__ = (
        UniqueConstraint("fund_id", "scope_key", "version", name="uq_transparency_reports_scope_version"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "call" | "fund"
    scope_key: Mapped[str] = mapped_column(String(40), index=True)  # "call:7" | "fund:2027"
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    ledger_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = deferred(mapped_column(LargeBinary))


JOB_STATUSES = ("queued", "running", "done", "failed")


class ReportJob(FundOwned, Base):
    """A request for a report: first a row, then a task. The task moves it along."""

    __tablename__ = "transparency_report_jobs"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("transparency_reports.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set on automatic requests, so that a signal delivered twice asks only once.
    trigger_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
