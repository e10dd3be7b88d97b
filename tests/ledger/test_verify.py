"""verify_ledger() finds every kind of damage, and `flask ledger verify` exits 1 on it."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalEntry, JournalTransaction
from app.matching import services as matching
from app.matching.models import Commitment, ProjectMatch
from tests import factories
from tests.matching import helpers as h


def _violations(check: str) -> list[dict]:
    return [v for v in matching.verify_ledger()["violations"] if v["check"] == check]


def _scenario():
    c = h.commitment(200_000)
    call = factories.call(all_or_nothing=False, match_policy={"condition": "none"})
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 40_000, "a@example.org")
    h.close(campaign)
    return c, campaign


def test_a_clean_ledger_passes_every_check():
    _scenario()
    result = matching.verify_ledger()
    assert result["ok"] and result["violations"] == []
    assert {c["name"] for c in result["checks"]} >= {
        "transactions_balance",
        "commitments",
        "project_matches",
        "pledge_match_within_share",
        "payment_applied_once",
        "campaign_figures",
    }


def test_an_unbalanced_transaction_is_found():
    tx = JournalTransaction(kind="tampered")
    tx.entries = [JournalEntry(account="x", amount_cents=5), JournalEntry(account="y", amount_cents=-4)]
    db.session.add(tx)
    db.session.flush()
    assert [v["transaction_id"] for v in _violations("transactions_balance")] == [tx.id]


def test_post_refuses_what_does_not_balance():
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post("x", {"a": 5, "b": -4})
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post("x", {"a": 5.0, "b": -5.0})


def test_a_cached_figure_that_drifts_from_the_entries_is_found():
    c, campaign = _scenario()
    db.session.execute(
        update(Commitment).where(Commitment.id == c.id).values(available_cents=c.available_cents + 1)
    )
    db.session.execute(
        update(ProjectMatch).where(ProjectMatch.campaign_id == campaign.id).values(matched_cents=1)
    )
    assert _violations("commitment_cache")
    assert _violations("project_match_equals_entries")


def test_money_taken_from_a_commitment_without_an_allocation_is_found():
    c, _campaign = _scenario()
    ledger.post("tampered", {f"commitment:{c.id}:available": -1, f"commitment:{c.id}:reserved": 1})
    found = {v["check"] for v in matching.verify_ledger()["violations"]}
    assert {"commitment_cache", "allocations_match_ledger"} <= found
    ledger.post("tampered", {f"commitment:{c.id}:available": -(10**9), "somewhere": 10**9})
    assert _violations("commitment_not_negative")


def test_a_match_above_the_project_maximum_is_found():
    _c, campaign = _scenario()
    ledger.post("tampered", {f"campaign:{campaign.id}:match": -(10**8), "elsewhere": 10**8})
    assert _violations("project_match_within_max")


def test_the_cli_exits_1_on_a_violation(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["ledger", "verify"])
    assert ok.exit_code == 0 and "ledger ok" in ok.output
    ledger.post("tampered", {"commitment:999:available": -1, "x": 1})
    db.session.add(
        Commitment(sponsor_id=h.commitment(5).sponsor_id, amount_cents=1, available_cents=1, id=999)
    )
    db.session.flush()
    bad = runner.invoke(args=["ledger", "verify"])
    assert bad.exit_code == 1 and "commitment" in bad.output


@pytest.mark.postgres
def test_postgresql_refuses_to_change_or_delete_an_entry():
    tx = ledger.post("x", {"a": 5, "b": -5})
    for sql in (
        "UPDATE journal_entries SET amount_cents = 6 WHERE transaction_id = :id",
        "DELETE FROM journal_entries WHERE transaction_id = :id",
    ):
        with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
            db.session.execute(text(sql), {"id": tx.id})


def _raw_transaction(conn, amounts: list[int]) -> int:
    tx_id = conn.execute(
        text(
            "INSERT INTO journal_transactions (created_at, kind, fund_id) "
            "VALUES (now(), 'raw', (SELECT min(id) FROM funds)) RETURNING id"
        )
    ).scalar_one()
    for i, cents in enumerate(amounts):
        conn.execute(
            text("INSERT INTO journal_entries (transaction_id, account, amount_cents) VALUES (:t, :a, :c)"),
            {"t": tx_id, "a": f"raw:{i}", "c": cents},
        )
    return tx_id


@pytest.mark.postgres
def test_postgresql_refuses_an_unbalanced_journal_transaction_at_commit(app):
    # Through raw SQL on a connection of its own: no Python rule stands in the way.
    with db.engine.connect() as conn:
        _raw_transaction(conn, [500, -400])  # the INSERTs pass: the check is deferred
        with pytest.raises(Exception, match="does not balance"):
            conn.commit()
        conn.rollback()
    with db.engine.connect() as conn:
        _raw_transaction(conn, [500, -500])
        conn.execute(text("SET CONSTRAINTS journal_entries_balanced IMMEDIATE"))  # checked now: it balances
        conn.rollback()  # nothing of this test stays
    with db.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM journal_transactions WHERE kind = 'raw'")).scalar() == 0
        )
