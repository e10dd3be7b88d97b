"""Sealing the journal into the public ledger, the export, and `flask transparency verify`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from app.extensions import db
from app.ledger import services as ledger
from app.transparency import services
from app.transparency.chain import GENESIS_HASH, record_hash, verify_ledger
from app.transparency.cli import transparency_cli
from app.transparency.models import LedgerSeal
from app.transparency.sealing import pseudonym
from tests.transparency.helpers import match, pledge


def export() -> list[dict]:
    return [json.loads(line) for line in services.iter_jsonl()]


def test_sealing_numbers_committed_transactions_in_order_and_chains_them():
    a = pledge(1, 2500)
    b = pledge(1, 1000)
    assert services.seal_ledger() == 2
    records = export()
    assert [r["seq"] for r in records] == [1, 2]
    assert [r["transaction_id"] for r in records] == [a.id, b.id]
    assert records[0]["prev_hash"] == GENESIS_HASH
    assert records[1]["prev_hash"] == records[0]["hash"]
    assert all(record_hash(r) == r["hash"] for r in records)
    assert records[0]["entries"] == [
        {"account": "gateway:demo", "amount_cents": 2500},
        {"account": "campaign:1:raised", "amount_cents": -2500},
    ]
    assert records[0]["reverses"] is None and records[0]["kind"] == "pledge_succeeded"
    assert services.ledger_head() == {"seq": 2, "hash": records[1]["hash"], "count": 2, "fund": "streekfonds"}


def test_sealing_twice_seals_nothing_twice_and_late_transactions_come_after():
    pledge(1, 100)
    assert services.seal_ledger() == 1
    assert services.seal_ledger() == 0
    original = pledge(2, 300)
    refund = ledger.reverse(original, kind="pledge_refunded")
    assert services.seal_ledger() == 2
    records = export()
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[2]["reverses"] == original.id and records[2]["transaction_id"] == refund.id
    assert db.session.query(LedgerSeal).count() == 3


def test_a_limit_seals_part_and_the_rest_follows():
    for i in range(5):
        pledge(1, 100 + i)
    assert services.seal_ledger(limit=2) == 2
    assert services.seal_ledger() == 3
    assert verify_ledger(services.iter_jsonl()).ok


def test_the_export_of_a_real_ledger_verifies():
    for cents in (2500, 1000, 700):
        pledge(3, cents)
    match(3, 1, 4200)
    services.seal_ledger()
    check = verify_ledger(services.iter_jsonl())
    assert check.ok, check.failures
    assert check.count == 4


def test_pseudonyms_are_stable_keyed_and_hide_the_email(app):
    one = pseudonym("Jan@Example.org ")
    assert one == pseudonym("jan@example.org")
    assert len(one) == 16 and "jan" not in one
    assert one != pseudonym("piet@example.org")
    app.config["TRANSPARENCY_PSEUDONYM_KEY"] = "another key"
    try:
        assert pseudonym("jan@example.org") != one
    finally:
        del app.config["TRANSPARENCY_PSEUDONYM_KEY"]


def _write(tmp_path, records, name="ledger.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return str(path)


@pytest.fixture
def sealed_export():
    for cents in (2500, 1000, 700, 300):
        pledge(4, cents)
    services.seal_ledger()
    return export()


def _verify(app, *args):
    return app.test_cli_runner().invoke(transparency_cli, ["verify", *args])


def test_cli_verify_accepts_the_download(app, tmp_path, sealed_export):
    result = _verify(app, _write(tmp_path, sealed_export))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ledger: 4 records, head seq 4")


def test_cli_verify_catches_a_changed_record(app, tmp_path, sealed_export):
    sealed_export[1]["entries"][0]["amount_cents"] += 1
    sealed_export[1]["entries"][1]["amount_cents"] -= 1
    result = _verify(app, _write(tmp_path, sealed_export))
    assert result.exit_code == 1
    assert "seq 2): hash does not match the record (changed)" in result.output


def test_cli_verify_catches_a_removed_record(app, tmp_path, sealed_export):
    del sealed_export[2]
    result = _verify(app, _write(tmp_path, sealed_export))
    assert result.exit_code == 1
    assert "expected seq 3" in result.output


def test_cli_verify_catches_an_inserted_record(app, tmp_path, sealed_export):
    forged = dict(sealed_export[1], transaction_id=999)
    forged["hash"] = record_hash(forged)
    sealed_export.insert(2, forged)
    result = _verify(app, _write(tmp_path, sealed_export))
    assert result.exit_code == 1
    assert "expected seq 3" in result.output


def test_cli_verify_fails_on_a_missing_file(app, tmp_path):
    result = _verify(app, str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert "cannot read" in result.output


def _tamper(sql: str) -> None:
    """Change a row behind the platform's back (PostgreSQL refuses it unless triggers are off)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(sql))


def test_check_seals_finds_a_journal_changed_after_sealing():
    tx = pledge(5, 1000)
    pledge(5, 500)
    services.seal_ledger()
    assert services.check_seals() == []
    _tamper(f"UPDATE journal_entries SET amount_cents = amount_cents * 2 WHERE transaction_id = {tx.id}")
    db.session.expire_all()
    assert services.check_seals() == [f"seq 1: transaction {tx.id} entries differs from its seal"]


def test_postgresql_refuses_to_change_a_seal():
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    pledge(5, 1000)
    services.seal_ledger()
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE ledger_seals SET hash = 'x'"))
