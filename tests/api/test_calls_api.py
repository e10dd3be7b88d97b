"""/api/v1/calls: the contract of issue 2 (paths, fields, errors, pagination)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.calls.models import Call
from app.core import clock
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories as f

CALL_BODY = {
    "title": "Klimaatfonds 2027",
    "description": "Projecten die de streek klimaatbestendig maken.",
    "theme": "klimaat",
    "municipalities": ["Gent", "Melle"],
    "applicant_types": ["individual", "association"],
    "opens_at": "2027-01-01T09:00:00+01:00",
    "closes_at": "2027-03-31T17:00:00+02:00",
    "criteria": [
        {"key": "impact", "label": "Impact", "weight": 2, "max_score": 10},
        {"key": "feasibility", "label": "Haalbaarheid", "weight": 1.5, "max_score": 5},
    ],
    "match_policy": {"ratio": 2.0, "cap_per_project_cents": 500000},
    "campaign_days": 40,
}


@pytest.fixture
def manager():
    return f.user("fund_manager")


@pytest.fixture
def mh(manager):
    return f.token_headers(manager)


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_create_call_returns_201_with_every_contract_field(client, mh):
    resp = client.post("/api/v1/calls", json=CALL_BODY, headers=mh)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert isinstance(body["id"], int)
    assert body["status"] == "draft"
    for key in ("title", "description", "theme", "municipalities", "applicant_types", "campaign_days"):
        assert body[key] == CALL_BODY[key]
    assert body["criteria"] == CALL_BODY["criteria"]
    # Stored in UTC, given back with an offset: 09:00 in Brussels in January is 08:00 UTC.
    assert datetime.fromisoformat(body["opens_at"]) == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert datetime.fromisoformat(body["closes_at"]) == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    assert body["match_policy"]["ratio"] == 2.0
    assert body["match_policy"]["cap_per_project_cents"] == 500000
    call = db.session.get(Call, body["id"])
    assert call.closes_at == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)


def test_match_policy_defaults_to_ratio_one_and_6000_euro(client, mh):
    body = {k: v for k, v in CALL_BODY.items() if k != "match_policy"}
    resp = client.post("/api/v1/calls", json=body, headers=mh)
    assert resp.status_code == 201
    assert resp.get_json()["match_policy"]["ratio"] == 1.0
    assert resp.get_json()["match_policy"]["cap_per_project_cents"] == 600000


def test_create_call_needs_a_token_and_the_fund_manager_role(client):
    _error(client.post("/api/v1/calls", json=CALL_BODY), 401, "unauthorized")
    bad = {"Authorization": "Bearer sf_not-a-token"}
    _error(client.post("/api/v1/calls", json=CALL_BODY, headers=bad), 401, "unauthorized")
    for role in ("applicant", "juror", "backer", "auditor"):
        h = f.token_headers(f.user(role))
        _error(client.post("/api/v1/calls", json=CALL_BODY, headers=h), 403, "forbidden")
    assert db.session.query(Call).count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"opens_at": "2027-01-01T09:00:00"}, "opens_at"),  # no offset
        ({"closes_at": "2026-12-31T09:00:00+01:00"}, "closes_at"),  # before the opening
        ({"applicant_types": ["alien"]}, "applicant_types"),
        ({"criteria": [{"key": "Impact!", "label": "x", "weight": 1, "max_score": 10}]}, "criteria"),
        ({"criteria": [{"key": "impact", "label": "x", "weight": 0, "max_score": 10}]}, "criteria"),
        ({"criteria": [{"key": "a", "label": "x", "weight": 1, "max_score": 0}]}, "criteria"),
        ({"match_policy": {"ratio": 0}}, "match_policy"),
        ({"match_policy": {"cap_per_project_cents": -1}}, "match_policy"),
        ({"match_policy": {"cap_per_project_cents": 10.5}}, "match_policy"),
        ({"campaign_days": 0}, "campaign_days"),
        ({"campaign_days": "45"}, "campaign_days"),
        ({"municipalities": "Gent"}, "municipalities"),
        ({"colour": "green"}, "colour"),
    ],
)
def test_bad_call_fields_are_422_with_the_field_named_and_nothing_stored(client, mh, change, field):
    resp = client.post("/api/v1/calls", json={**CALL_BODY, **change}, headers=mh)
    err = _error(resp, 422)
    assert field in err["details"], err
    assert db.session.query(Call).count() == 0


def test_a_body_that_is_not_json_is_a_clear_400_and_a_list_422(client, mh):
    resp = client.post("/api/v1/calls", data="{not json", headers={**mh, "Content-Type": "application/json"})
    err = _error(resp, 400, "bad_request")
    assert err["details"] == {"_json": ["Invalid JSON body."]}
    _error(client.post("/api/v1/calls", json=["a list"], headers=mh), 422, "validation_error")
    _error(client.delete("/api/v1/calls", headers=mh), 405, "method_not_allowed")
    assert db.session.query(Call).count() == 0


def test_get_patch_and_publish_a_call(client, mh, manager):
    call_id = client.post("/api/v1/calls", json=CALL_BODY, headers=mh).get_json()["id"]
    resp = client.get(f"/api/v1/calls/{call_id}", headers=mh)
    assert resp.status_code == 200 and resp.get_json()["title"] == "Klimaatfonds 2027"

    resp = client.patch(
        f"/api/v1/calls/{call_id}",
        json={"title": "Klimaatfonds 2027 (bis)", "match_policy": {"cap_per_project_cents": 400000}},
        headers=mh,
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["title"] == "Klimaatfonds 2027 (bis)"
    # A partial policy keeps the parts it does not name.
    assert body["match_policy"]["cap_per_project_cents"] == 400000
    assert body["match_policy"]["ratio"] == 2.0

    resp = client.post(f"/api/v1/calls/{call_id}/publish", headers=mh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "published"
    assert resp.get_json()["published_at"]
    # Publishing twice is a clear conflict, not a silent success.
    _error(client.post(f"/api/v1/calls/{call_id}/publish", headers=mh), 409)
    actions = [
        e.action for e in db.session.query(AuditEvent).filter_by(object_type="call", object_id=call_id)
    ]
    assert actions == ["call.created", "call.updated", "call.published"]


def test_publishing_an_incomplete_call_names_what_is_missing(client, mh):
    resp = client.post("/api/v1/calls", json={"title": "Alleen een titel"}, headers=mh)
    call_id = resp.get_json()["id"]
    err = _error(client.post(f"/api/v1/calls/{call_id}/publish", headers=mh), 422)
    assert set(err["details"]["missing"]) == {
        "description",
        "opens_at",
        "closes_at",
        "municipalities",
        "criteria",
    }
    assert db.session.get(Call, call_id).status == "draft"


def test_patch_with_bad_values_changes_nothing(client, mh):
    call_id = client.post("/api/v1/calls", json=CALL_BODY, headers=mh).get_json()["id"]
    resp = client.patch(
        f"/api/v1/calls/{call_id}",
        json={"title": "Nieuw", "closes_at": "2026-01-01T00:00:00+00:00"},
        headers=mh,
    )
    _error(resp, 422)
    db.session.expire_all()
    assert db.session.get(Call, call_id).title == "Klimaatfonds 2027"


def test_drafts_are_hidden_from_the_public_and_applicants(client, mh):
    call_id = client.post("/api/v1/calls", json=CALL_BODY, headers=mh).get_json()["id"]
    published = f.call()
    _error(client.get(f"/api/v1/calls/{call_id}"), 404, "not_found")
    ah = f.token_headers(f.user("applicant"))
    _error(client.get(f"/api/v1/calls/{call_id}", headers=ah), 404)
    ids = [c["id"] for c in client.get("/api/v1/calls").get_json()["items"]]
    assert ids == [published.id]
    # The auditor reads drafts too, but cannot change them.
    auditor = f.token_headers(f.user("auditor"))
    assert client.get(f"/api/v1/calls/{call_id}", headers=auditor).status_code == 200
    _error(client.patch(f"/api/v1/calls/{call_id}", json={"title": "x"}, headers=auditor), 403)
    _error(client.post(f"/api/v1/calls/{call_id}/publish", headers=auditor), 403)


def test_unknown_call_is_404(client, mh):
    _error(client.get("/api/v1/calls/999999"), 404, "not_found")
    _error(client.patch("/api/v1/calls/999999", json={"title": "x"}, headers=mh), 404)
    _error(client.post("/api/v1/calls/999999/publish", headers=mh), 404)


def test_list_pages_with_limit_and_after(client):
    manager = f.user("fund_manager")
    ids = [f.call(manager=manager).id for _ in range(5)]
    first = client.get("/api/v1/calls?limit=2").get_json()
    assert [c["id"] for c in first["items"]] == ids[:2]
    assert first["next"] is not None
    second = client.get(f"/api/v1/calls?limit=2&after={first['next']}").get_json()
    assert [c["id"] for c in second["items"]] == ids[2:4]
    third = client.get(f"/api/v1/calls?limit=2&after={second['next']}").get_json()
    assert [c["id"] for c in third["items"]] == ids[4:]
    assert third["next"] is None
    everything = client.get("/api/v1/calls").get_json()
    assert [c["id"] for c in everything["items"]] == ids and everything["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=abc", "after=xyz", "status=open"])
def test_bad_paging_arguments_are_422(client, query):
    _error(client.get(f"/api/v1/calls?{query}"), 422)


def test_status_filter(client):
    manager = f.user("fund_manager")
    open_call = f.call(manager=manager)
    f.call(manager=manager, publish=False)
    h = f.token_headers(manager)
    items = client.get("/api/v1/calls?status=published", headers=h).get_json()["items"]
    assert [c["id"] for c in items] == [open_call.id]
    assert len(client.get("/api/v1/calls?status=draft", headers=h).get_json()["items"]) == 1


def test_a_closed_call_refuses_changes_with_call_closed(client):
    manager = f.user("fund_manager")
    call = f.call(manager=manager)
    clock.travel_to(call.closes_at + timedelta(minutes=1))
    from app.calls import services

    assert services.close_call(call) is True
    db.session.flush()
    resp = client.patch(
        f"/api/v1/calls/{call.id}", json={"title": "Te laat"}, headers=f.token_headers(manager)
    )
    _error(resp, 409, "call_closed")
