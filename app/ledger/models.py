"""Journal transactions and their entries. Neither is ever updated or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned


class JournalTransaction(FundOwned, Base):
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
    __table_args__ = (
        # Pattern ops (PostgreSQL): the balances of a prefix (`commitment:7:`, `sponsor:`)
        # are read through the index, not by scanning every entry of ten years; equality
        # lookups use it as before.
        Index("ix_journal_entries_account", "account", postgresql_ops={"account": "varchar_pattern_ops"}),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    transaction: Mapped[JournalTransaction] = relationship(back_populates="entries")


# --- the rule of double entry, held by PostgreSQL itself -----------------------------------
# A DEFERRED constraint trigger checks, at COMMIT, that the entries of every transaction that
# received one sum to zero; an unbalanced transaction makes the commit fail, whatever wrote
# it (Python, a migration or raw SQL). `ledger verify` still checks the same afterwards.

BALANCE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION streekfonds_refuse_unbalanced() RETURNS trigger AS $$
DECLARE total BIGINT;
BEGIN
  SELECT COALESCE(SUM(amount_cents), 0) INTO total
    FROM journal_entries WHERE transaction_id = NEW.transaction_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal transaction % does not balance: its entries sum to %',
      NEW.transaction_id, total USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def install_balance_trigger(connection) -> None:
    """Create the deferred balance check on journal_entries (PostgreSQL only)."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(BALANCE_FUNCTION_SQL))
    connection.execute(text("DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries"))
    connection.execute(
        text(
            "CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION streekfonds_refuse_unbalanced()"
        )
    )


@event.listens_for(JournalEntry.__table__, "after_create")
def _after_create(target, connection, **kw):
    install_balance_trigger(connection)
