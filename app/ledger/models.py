"""Journal transactions and their entries. Neither is ever updated or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime


class JournalTransaction(Base):
    """One money movement. Its entries sum to zero; a correction reverses it by a new one."""

    __tablename__ = "journal_transactions"
    __table_args__ = ({"info": {"append_only": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"), index=True)
    # A key that makes posting idempotent: the same key never posts twice (unique index).
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # References for tracing a euro back; plain integers so the ledger depends on no domain.
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    pledge_id: Mapped[int | None] = mapped_column(Integer, index=True)
    commitment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    sponsor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    memo: Mapped[str | None] = mapped_column(Text)

    entries: Mapped[list[JournalEntry]] = relationship(
        back_populates="transaction", order_by="JournalEntry.id", lazy="selectin"
    )


class JournalEntry(Base):
    """A debit (positive) or credit (negative) of one account, in cents."""

    __tablename__ = "journal_entries"
    __table_args__ = ({"info": {"append_only": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(120), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    transaction: Mapped[JournalTransaction] = relationship(back_populates="entries")
