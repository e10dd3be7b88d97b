"""The demo's bank step: transfer pledges, and a statement a fund manager imports to see
every case of the flow."""

from __future__ import annotations

import importlib
from pathlib import Path

from app.banking import services
from app.demo import setup as demo
from app.extensions import db
from app.matching import services as matching


def test_the_demo_statement_shows_the_whole_flow(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "BANK_IBAN", "BE68539007547034")
    monkeypatch.setitem(app.config, "BANK_BENEFICIARY", "Streekfonds Meetjesland vzw")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    ctx: dict = {}
    for step in ("foundation", "jury", "campaigns", "matching", "banking"):
        assert step in demo.STEPS
        importlib.import_module(f"app.demo.{step}").load(ctx)
        db.session.flush()
    statement = Path(tmp_path) / "demo" / "rekeninguittreksel.cod"
    result = services.import_file(statement.read_bytes(), None)
    assert (result.lines, result.matched, result.unmatched) == (5, 2, 3)
    reasons = sorted(line.reason for line in services.lines("unmatched"))
    assert reasons == ["amount_mismatch", "debit", "missing_reference"]
    # Loading the demo again writes the same statement: importing it changes nothing.
    importlib.import_module("app.demo.banking").load(ctx)
    again = services.import_file((Path(tmp_path) / "demo" / "rekeninguittreksel.xml").read_bytes(), None)
    assert again.duplicates == 5 and not again.created
    assert matching.verify_ledger()["ok"]
