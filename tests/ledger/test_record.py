"""ledger.record writes a transaction and its entries once per idempotency key (on
PostgreSQL in one statement, elsewhere in two: the same result either way)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalEntry, JournalTransaction


def _entries(tx_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(JournalEntry.account, JournalEntry.amount_cents)
        .where(JournalEntry.transaction_id == tx_id)
        .order_by(JournalEntry.id)
    )
    return [tuple(r) for r in rows]


def test_record_writes_the_transaction_with_its_references_and_every_line_in_order():
    tx_id = ledger.record(
        "test_move",
        [("a", 700), ("b", -500), ("c", -200)],
        idempotency_key="test:record:1",
        campaign_id=3,
        pledge_id=4,
        commitment_id=5,
        sponsor_id=6,
        memo="three lines",
    )
    tx = db.session.get(JournalTransaction, tx_id)
    assert (tx.kind, tx.idempotency_key, tx.campaign_id, tx.pledge_id, tx.commitment_id, tx.sponsor_id) == (
        "test_move",
        "test:record:1",
        3,
        4,
        5,
        6,
    )
    assert tx.memo == "three lines" and tx.created_at is not None
    assert _entries(tx_id) == [("a", 700), ("b", -500), ("c", -200)]


def test_a_key_posted_before_writes_nothing_and_returns_none():
    first = ledger.record("test_move", {"a": 100, "b": -100}, idempotency_key="test:record:2")
    again = ledger.record("test_move", {"a": 999, "b": -999}, idempotency_key="test:record:2")
    assert first is not None and again is None
    assert _entries(first) == [("a", 100), ("b", -100)]
    count = db.session.scalar(
        select(func.count()).select_from(JournalTransaction).where(JournalTransaction.kind == "test_move")
    )
    assert count == 1


def test_without_a_key_every_call_posts():
    ids = {ledger.record("test_move", {"a": 1, "b": -1}) for _ in range(3)}
    assert len(ids) == 3 and None not in ids


def test_a_posting_without_a_fund_gets_the_default_fund_and_one_with_a_fund_keeps_it():
    default = ledger.record("test_move", {"a": 1, "b": -1})
    tx = db.session.get(JournalTransaction, default)
    assert tx.fund_id is not None
    other = ledger.record("test_move", {"a": 2, "b": -2}, fund_id=tx.fund_id)
    assert db.session.get(JournalTransaction, other).fund_id == tx.fund_id
