"""Each fund has its own public ledger: its own chain from seq 1, its own head, its own
export at its site's /transparency/ledger.jsonl and ?fund= in the API, each verifiable
alone with the same verifier (`flask transparency verify`)."""

from __future__ import annotations

import json

from app.extensions import db
from app.funds import services as funds
from app.matching import services as matching
from app.transparency import services
from app.transparency.chain import verify_ledger
from tests.funds.helpers import second_fund, world


def test_each_fund_has_its_own_chain_and_each_verifies_alone(client):
    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    theirs = world(west.id, "west")
    db.session.commit()
    services.seal_ledger()
    db.session.commit()

    mine = client.get("/transparency/ledger.jsonl").get_data(as_text=True).splitlines()
    west_lines = client.get("/f/west/transparency/ledger.jsonl").get_data(as_text=True).splitlines()
    for lines in (mine, west_lines):
        check = verify_ledger(lines)
        assert check.ok, check.failures
        assert json.loads(lines[0])["seq"] == 1  # each chain from 1
    west_accounts = {e["account"] for line in west_lines for e in json.loads(line)["entries"]}
    assert f"commitment:{theirs.commitment.id}:available" in west_accounts
    assert f"commitment:{ours.commitment.id}:available" not in west_accounts

    head = client.get("/api/v1/transparency/ledger/head?fund=west").get_json()
    assert head["fund"] == "west" and head["seq"] == len(west_lines)
    assert head["hash"] == json.loads(west_lines[-1])["hash"]
    page = client.get("/api/v1/transparency/ledger?fund=west&limit=1000").get_json()
    assert [r["seq"] for r in page["items"]] == list(range(1, len(west_lines) + 1))
    assert client.get("/api/v1/transparency/ledger/head").get_json()["fund"] == home.slug
    assert services.check_seals() == []
    result = matching.verify_ledger()  # flask ledger verify: every fund's books at once
    assert result["ok"], result["violations"]


def test_the_platform_page_sums_each_funds_sealed_figures_beside_its_own_ledger(client):
    west = second_fund()
    home = funds.default_fund()
    world(home.id, home.slug)
    world(west.id, "west")
    db.session.commit()
    services.seal_ledger()
    db.session.commit()
    page = client.get("/transparency/funds").get_data(as_text=True)
    assert "Streekfonds West-Vlaanderen" in page and home.name in page
    assert "/f/west/transparency/ledger.jsonl" in page
    west_lines = client.get("/f/west/transparency/ledger.jsonl").get_data(as_text=True).splitlines()
    assert f"{len(west_lines)} regels" in page
    assert json.loads(west_lines[-1])["hash"][:16] in page


def test_the_audit_trail_is_one_chain_that_verifies_from_any_funds_site(client):
    from app.core import tenancy
    from tests.campaigns.fixtures import login

    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    world(west.id, "west")
    db.session.commit()
    with tenancy.scoped({home.id}):  # sealed from one fund's site: every fund's events
        services.seal_audit_trail()
    db.session.commit()
    with tenancy.scoped({west.id}):
        assert services.verify_audit_trail() == []
    login(client, ours.manager)
    page = client.get("/transparency/integrity").get_data(as_text=True)
    assert "flash error" not in page
