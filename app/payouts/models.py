"""Invoices, payout requests and their approvals, SEPA batches, final reports and the
per-call payout settings. Money moves in the journal (app.ledger); these rows say why."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.statemachine import StateMachine
from app.core.tenancy import FundOwned

# submitted → approved needs two approvals by two different fund managers (services).
REQUEST_STATES = StateMachine(
    "uitbetaling",
    {
        "submitted": {"changes_requested", "approved", "rejected", "withdrawn"},
        "changes_requested": {"submitted", "rejected", "withdrawn"},
        "approved": {"scheduled"},
        "scheduled": {"paid", "failed"},
        "paid": {"failed"},
        "failed": {"approved", "rejected"},
    },
)
# What still counts as "requested and not yet paid" against the project's account.
OPEN_STATES = ("submitted", "changes_requested", "approved", "scheduled", "failed")
APPROVALS_NEEDED = 2

REPORT_STATES = StateMachine(
    "eindverslag",
    {
        "due": {"submitted"},
        "submitted": {"approved", "changes_requested"},
        "changes_requested": {"submitted"},
    },
)
DEFAULT_FINAL_REPORT_SHARE = 0.2

payout_request_invoices = Table(
    "payout_request_invoices",
    Base.metadata,
    Column("request_id", ForeignKey("payout_requests.id"), primary_key=True),
    Column("invoice_id", ForeignKey("payout_invoices.id"), primary_key=True),
)


class PayoutSettings(FundOwned, Base):
    """The payout rules of one call (a row only where a call departs from the defaults)."""

    __tablename__ = "payout_call_settings"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    # Share of raised + matched held back until the final report is approved.
    final_report_share: Mapped[float] = mapped_column(Float, default=DEFAULT_FINAL_REPORT_SHARE)


class Invoice(FundOwned, Base):
    """An invoice or receipt of the project, uploaded before a payout is asked against it."""

    __tablename__ = "payout_invoices"
    __fund_parent__ = "campaign_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supplier: Mapped[str] = mapped_column(String(200))
    invoice_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class PayoutRequest(FundOwned, Base):
    """One instalment asked by the project. `round` counts submissions: approvals belong
    to one round, so a request changed after a first approval needs two new ones."""

    __tablename__ = "payout_requests"
    __fund_parent__ = "campaign_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    # The payee's account: never shown outside the project, the fund and the SEPA file.
    iban: Mapped[str] = mapped_column(String(34))
    account_holder: Mapped[str] = mapped_column(String(70))
    description: Mapped[str] = mapped_column(String(140))
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    # One end-to-end id per transfer attempt (max 35 characters in pain.001): a statement
    # import matches the bank's debit to the request by it.
    end_to_end_id: Mapped[str | None] = mapped_column(String(35), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    paid_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    invoices: Mapped[list[Invoice]] = relationship(secondary=payout_request_invoices, order_by="Invoice.id")
    approvals: Mapped[list[PayoutApproval]] = relationship(
        order_by="PayoutApproval.id", viewonly=True, lazy="selectin"
    )

    @property
    def current_approvals(self) -> list[PayoutApproval]:
        return [a for a in self.approvals if a.round == self.round]


class PayoutApproval(FundOwned, Base):
    """One fund manager's approval of one round of a request (append-only: a changed
    request starts a new round instead of deleting approvals)."""

    __tablename__ = "payout_approvals"
    __fund_parent__ = "request_id"
    __table_args__ = (
        UniqueConstraint("request_id", "round", "user_id"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("payout_requests.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class PayoutBatch(FundOwned, Base):
    """A SEPA credit-transfer file (pain.001) of scheduled requests, stored as exported."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="exported", index=True)
    pain_version: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(35))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    xml: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    requests: Mapped[list[PayoutRequest]] = relationship(order_by="PayoutRequest.id", viewonly=True)


class FinalReport(FundOwned, Base):
    """The project's end date and its final report: what was done, and the spending."""

    __tablename__ = "payout_final_reports"
    __fund_parent__ = "campaign_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="due", index=True)
    project_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # [{description, amount_cents, invoice_id}]
    spending: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The end date each reminder went out for (a changed end date reminds again).
    reminded_before_for: Mapped[date | None] = mapped_column(Date)
    reminded_after_for: Mapped[date | None] = mapped_column(Date)
