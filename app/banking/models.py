"""Imported bank statements and their lines, and what each line was reconciled with."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

# Why a credit line waits in the reconciliation queue (stable codes; labels in views).
REASONS = (
    "missing_reference",  # no structured communication at all
    "unknown_reference",  # a communication that is not one of ours (or a wrong check digit)
    "amount_mismatch",  # one of ours, another amount
    "already_paid",  # the pledge counted already
    "not_pending",  # the pledge was failed, refunded, cancelled …
    "debit",  # money out (a reversal of an earlier credit, a fee …)
)
LINE_STATES = ("matched", "unmatched", "assigned", "other")


class BankStatement(FundOwned, Base):
    """One statement of the fund's account as the bank sent it (CODA or CAMT.053)."""

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("account_iban", "statement_number", "statement_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_iban: Mapped[str] = mapped_column(String(34), index=True)
    format: Mapped[str] = mapped_column(String(10))
    statement_number: Mapped[str] = mapped_column(String(40))
    statement_date: Mapped[date] = mapped_column(Date, index=True)
    opening_balance_cents: Mapped[int] = mapped_column(BigInteger)
    closing_balance_cents: Mapped[int] = mapped_column(BigInteger)
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    lines: Mapped[list[BankLine]] = relationship(back_populates="statement", order_by="BankLine.id")


class BankLine(FundOwned, Base):
    """One movement on a statement. Known for good by (account, line_key), never by file.

    ``status``: ``matched`` (reconciled at import), ``unmatched`` (in the queue, with
    ``reason``), ``assigned`` (a fund manager decided), ``other`` (outside the platform:
    bank costs, interest, a sponsor's unrelated payment …). ``transaction_id`` is the
    ledger transaction of the current decision; an undo reverses it.
    """

    __tablename__ = "bank_lines"
    __fund_parent__ = "statement_id"
    __table_args__ = (UniqueConstraint("account_iban", "line_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    account_iban: Mapped[str] = mapped_column(String(34))
    line_key: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    counterparty_name: Mapped[str] = mapped_column(String(140), default="")
    counterparty_account: Mapped[str] = mapped_column(String(40), default="")
    structured_reference: Mapped[str | None] = mapped_column(String(12), index=True)
    free_text: Mapped[str] = mapped_column(Text, default="")
    end_to_end_id: Mapped[str | None] = mapped_column(String(40), index=True)
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str | None] = mapped_column(String(20))
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[BankStatement] = relationship(back_populates="lines")
