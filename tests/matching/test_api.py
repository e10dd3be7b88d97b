"""The matching API: sponsors, commitments, the sponsor report, the match audit."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.ledger.models import JournalTransaction
from tests import factories
from tests.matching import helpers as h

AUDIT_FIELDS = {
    "policy",
    "raised_cents",
    "eligible_cents",
    "excluded",
    "eligible_backers",
    "max_match_cents",
    "matched_cents",
    "state",
    "conditional",
    "allocations",
    "attribution",  # issue 15: per-pledge attribution
    "explanation",
}


@pytest.fixture
def fm():
    return factories.token_headers(factories.user("fund_manager"))


@pytest.fixture
def auditor():
    return factories.token_headers(factories.user("auditor"))


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()["error"]
    if code:
        assert body["code"] == code
    return body


def test_a_fund_manager_adds_a_sponsor_and_an_earmarked_commitment(client, fm):
    resp = client.post(
        "/api/v1/sponsors",
        json={"name": "Stad Eeklo", "kind": "municipality", "public": False, "contact_email": "Fin@Eeklo.be"},
        headers=fm,
    )
    assert resp.status_code == 201
    sponsor = resp.get_json()
    assert (sponsor["name"], sponsor["kind"], sponsor["public"], sponsor["contact_email"]) == (
        "Stad Eeklo",
        "municipality",
        False,
        "fin@eeklo.be",
    )
    call = factories.call()
    resp = client.post(
        f"/api/v1/sponsors/{sponsor['id']}/commitments",
        headers=fm,
        json={
            "amount_cents": 250_000,
            "earmark": {"call_id": call.id, "municipalities": ["Eeklo"]},
            "received": True,
        },
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["earmark"] == {"call_id": call.id, "theme": None, "municipalities": ["Eeklo"]}
    assert (body["available_cents"], body["reserved_cents"], body["matched_cents"]) == (250_000, 0, 0)
    listing = client.get("/api/v1/sponsors", headers=fm).get_json()
    assert [s["name"] for s in listing["items"]] == ["Stad Eeklo"]
    report = client.get(f"/api/v1/sponsors/{sponsor['id']}/report", headers=fm).get_json()
    assert report["totals"] == {
        "amount_cents": 250_000,
        "available_cents": 250_000,
        "reserved_cents": 0,
        "matched_cents": 0,
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount_cents": 0}, "amount_cents"),
        ({"amount_cents": 10.5}, "amount_cents"),
        ({"amount_cents": "100"}, "amount_cents"),
        ({"amount_cents": 100, "earmark": {"call_id": 999_999}}, "call_id"),
        ({"amount_cents": 100, "earmark": {"municipalities": "Gent"}}, "earmark"),
        ({"amount_cents": 100, "earmark": {"planet": "Mars"}}, "earmark"),
    ],
)
def test_a_bad_commitment_is_refused_and_nothing_is_booked(client, fm, body, field):
    sponsor = h.commitment(1).sponsor
    before = db.session.query(JournalTransaction).count()
    err = _error(client.post(f"/api/v1/sponsors/{sponsor.id}/commitments", json=body, headers=fm), 422)
    assert field in err["details"]
    assert db.session.query(JournalTransaction).count() == before


def test_bad_sponsors_and_unknown_ids(client, fm):
    assert _error(client.post("/api/v1/sponsors", json={"name": ""}, headers=fm), 422)["details"]
    _error(client.post("/api/v1/sponsors", json={"name": "X", "kind": "alien"}, headers=fm), 422)
    _error(client.post("/api/v1/sponsors", json={"name": "X", "contact_email": "nope"}, headers=fm), 422)
    _error(client.post("/api/v1/sponsors/999999/commitments", json={"amount_cents": 5}, headers=fm), 404)
    _error(client.get("/api/v1/sponsors/999999/report", headers=fm), 404)
    _error(client.get("/api/v1/campaigns/999999/match-audit", headers=fm), 404)


def test_roles(client, auditor):
    applicant = factories.token_headers(factories.user("applicant"))
    _error(client.get("/api/v1/sponsors"), 401)
    _error(client.get("/api/v1/sponsors", headers=applicant), 403)
    assert client.get("/api/v1/sponsors", headers=auditor).status_code == 200
    _error(client.post("/api/v1/sponsors", json={"name": "X"}, headers=auditor), 403)
    _error(client.get("/api/v1/ledger/verify", headers=applicant), 403)
    assert client.get("/api/v1/ledger/verify", headers=auditor).get_json()["ok"] is True


def test_the_match_audit_has_exactly_the_contract_fields(client, auditor):
    c = h.commitment(500_000, name="Provincie")
    call = factories.call()
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    body = client.get(f"/api/v1/campaigns/{campaign.id}/match-audit", headers=auditor).get_json()
    assert set(body) == AUDIT_FIELDS
    assert body["allocations"] == [
        {
            "commitment_id": c.id,
            "sponsor_id": c.sponsor_id,
            "sponsor_name": "Provincie",
            "reserved_cents": 100_000,
            "matched_cents": 0,
            "released_cents": 0,
        }
    ]
    assert (body["matched_cents"], body["state"], body["conditional"]) == (30_000, "projected", True)
    assert sum(r["matched_cents"] for r in body["attribution"]) == 30_000
    assert body["explanation"]
    verify = client.get("/api/v1/ledger/verify", headers=auditor).get_json()
    assert set(verify) == {"ok", "checks", "violations"} and verify["ok"] is True


def test_an_anonymous_sponsor_is_not_named_in_public(app):
    from app.matching import services as matching

    shy = matching.create_sponsor({"name": "Bedrijf X", "public": False}, None)
    proud = matching.create_sponsor({"name": "Bedrijf Y"}, None)
    assert matching.public_name(shy) == "Een anonieme sponsor"
    assert matching.public_name(proud) == "Bedrijf Y"
