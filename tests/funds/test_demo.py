"""`flask demo load` makes two funds, each with its own manager, calls, sponsor, campaign and
public ledger, and loading it twice changes nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.calls.models import Call
from app.extensions import db
from app.funds import services as funds
from app.transparency.chain import verify_ledger


def test_the_demo_has_two_funds_each_with_its_own_books(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "beheer-west@demo.streekfonds.be" in result.output
    funds.forget()
    slugs = {f.slug: f for f in funds.all_funds()}
    assert {"streekfonds", "west-vlaanderen"} <= set(slugs)
    assert slugs["streekfonds"].name == "Streekfonds Oost-Vlaanderen"
    west = slugs["west-vlaanderen"]
    west_calls = db.session.scalars(
        select(Call.title).where(Call.fund_id == west.id), execution_options={"all_funds": True}
    ).all()
    assert any("Hart voor West-Vlaanderen" in t for t in west_calls)
    assert any("Klimaat" in t for t in west_calls)
    for path in ("/transparency/ledger.jsonl", "/f/west-vlaanderen/transparency/ledger.jsonl"):
        lines = client.get(path).get_data(as_text=True).splitlines()
        check = verify_ledger(lines)
        assert check.ok and lines, (path, check.failures)
        assert json.loads(lines[0])["seq"] == 1
    page = client.get("/f/west-vlaanderen/campaigns").get_data(as_text=True)
    assert "Buurtzorg aan huis Kortrijk" in page
    assert "Buurtzorg aan huis Kortrijk" not in client.get("/campaigns").get_data(as_text=True)

    before = db.session.scalar(select(func.count(Call.id)), execution_options={"all_funds": True})
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(Call.id)), execution_options={"all_funds": True}) == before
