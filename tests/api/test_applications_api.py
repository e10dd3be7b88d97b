"""/api/v1 applications: drafts, validation, submission, withdrawal, screening, privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.calls.models import Application
from app.core import clock
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories as f

FIELDS = {
    "title",
    "summary",
    "description",
    "municipality",
    "applicant_type",
    "organisation",
    "enterprise_number",
    "budget_cents",
    "target_cents",
    "status",
    "call_id",
}


@pytest.fixture
def call():
    return f.call()


@pytest.fixture
def owner():
    return f.user("applicant")


@pytest.fixture
def oh(owner):
    return f.token_headers(owner)


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    assert set(err) == {"code", "message", "details"} and err["message"]
    if code:
        assert err["code"] == code, err
    return err


def _create(client, call, headers, **values):
    return client.post(f"/api/v1/calls/{call.id}/applications", json=values, headers=headers)


def test_create_a_complete_draft_with_every_contract_field(client, call, oh):
    resp = _create(client, call, oh, **f.COMPLETE)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) >= FIELDS
    assert isinstance(body["id"], int)
    assert body["status"] == "draft" and body["call_id"] == call.id
    assert body["enterprise_number"] == "0123456749"  # stored as 10 digits
    assert body["budget_cents"] == 1_200_000 and body["target_cents"] == 500_000
    assert body["screening_reason"] is None


def test_a_draft_may_be_incomplete(client, call, oh):
    resp = _create(client, call, oh, title="Alleen een titel")
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["title"] == "Alleen een titel" and body["summary"] is None
    assert _create(client, call, oh).status_code == 201  # even empty


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"municipality": "Brugge"}, "municipality"),  # not in the call's list
        ({"applicant_type": "alien"}, "applicant_type"),
        ({"enterprise_number": "0123.456.789"}, "enterprise_number"),  # mod-97 fails
        ({"enterprise_number": "2123.456.749"}, "enterprise_number"),  # starts with 2
        ({"enterprise_number": "12345"}, "enterprise_number"),
        ({"budget_cents": 0}, "budget_cents"),
        ({"budget_cents": -5}, "budget_cents"),
        ({"budget_cents": 12.5}, "budget_cents"),
        ({"budget_cents": "1000"}, "budget_cents"),
        ({"target_cents": 1_000_001, "budget_cents": 1_000_000}, "target_cents"),
        ({"title": "x" * 201}, "title"),
        ({"status": "selected"}, "status"),  # read-only
        ({"owner_id": 1}, "owner_id"),
    ],
)
def test_present_fields_are_validated_on_every_save(client, call, oh, values, field):
    err = _error(_create(client, call, oh, **values), 422)
    assert field in err["details"], err
    assert db.session.query(Application).count() == 0


def test_applicant_type_outside_the_call_is_refused(client, oh):
    call = f.call(applicant_types=["school"])
    err = _error(_create(client, call, oh, applicant_type="company"), 422)
    assert "applicant_type" in err["details"]


@pytest.mark.parametrize("raw", ["0123.456.749", "0123 456 749", "0123456749", " 0123.456.749 ", "123456749"])
def test_enterprise_numbers_with_or_without_dots_and_spaces(client, call, oh, raw):
    resp = _create(client, call, oh, enterprise_number=raw)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["enterprise_number"] == "0123456749"


def test_target_at_most_budget_is_checked_against_the_stored_value(client, call, oh):
    app_id = _create(client, call, oh, budget_cents=100_000).get_json()["id"]
    err = _error(
        client.patch(f"/api/v1/applications/{app_id}", json={"target_cents": 100_001}, headers=oh), 422
    )
    assert "target_cents" in err["details"]
    resp = client.patch(f"/api/v1/applications/{app_id}", json={"target_cents": 100_000}, headers=oh)
    assert resp.status_code == 200 and resp.get_json()["target_cents"] == 100_000
    # Lowering the budget under the target is refused as well.
    err = _error(
        client.patch(f"/api/v1/applications/{app_id}", json={"budget_cents": 99_999}, headers=oh), 422
    )
    assert "target_cents" in err["details"]


def test_patch_and_read_back(client, call, oh):
    app_id = _create(client, call, oh, title="Eerst").get_json()["id"]
    resp = client.patch(
        f"/api/v1/applications/{app_id}", json={"title": "Daarna", "summary": "Kort."}, headers=oh
    )
    assert resp.status_code == 200
    body = client.get(f"/api/v1/applications/{app_id}", headers=oh).get_json()
    assert (body["title"], body["summary"]) == ("Daarna", "Kort.")
    # A bad PATCH changes nothing, not even its valid fields.
    _error(
        client.patch(
            f"/api/v1/applications/{app_id}", json={"title": "Nooit", "municipality": "Parijs"}, headers=oh
        ),
        422,
    )
    assert client.get(f"/api/v1/applications/{app_id}", headers=oh).get_json()["title"] == "Daarna"


def test_submit_requires_every_field_and_names_the_missing_ones(client, call, oh):
    app_id = _create(client, call, oh, title="Half", applicant_type="association").get_json()["id"]
    err = _error(client.post(f"/api/v1/applications/{app_id}/submit", headers=oh), 422)
    assert sorted(err["details"]["missing"]) == sorted(
        [
            "summary",
            "description",
            "municipality",
            "budget_cents",
            "target_cents",
            "organisation",
            "enterprise_number",
        ]
    )
    assert db.session.get(Application, app_id).status == "draft"


def test_an_individual_needs_no_organisation_or_enterprise_number(client, call, oh):
    values = {k: v for k, v in f.COMPLETE.items() if k not in ("organisation", "enterprise_number")}
    app_id = _create(client, call, oh, **{**values, "applicant_type": "individual"}).get_json()["id"]
    resp = client.post(f"/api/v1/applications/{app_id}/submit", headers=oh)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "submitted"


def test_submit_then_the_draft_is_locked(client, call, oh):
    app_id = _create(client, call, oh, **f.COMPLETE).get_json()["id"]
    resp = client.post(f"/api/v1/applications/{app_id}/submit", headers=oh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "submitted"
    assert resp.get_json()["submitted_at"]
    _error(client.patch(f"/api/v1/applications/{app_id}", json={"title": "x"}, headers=oh), 409)
    err = _error(client.post(f"/api/v1/applications/{app_id}/submit", headers=oh), 409, "invalid_transition")
    assert err["details"] == {"from": "submitted", "to": "submitted"}


def test_submit_after_the_deadline_is_409_call_closed_and_nothing_changes(client, call, oh):
    app_id = _create(client, call, oh, **f.COMPLETE).get_json()["id"]
    clock.travel_to(call.closes_at)  # closes_at itself is too late
    err = _error(client.post(f"/api/v1/applications/{app_id}/submit", headers=oh), 409, "call_closed")
    assert err["message"]
    app = db.session.get(Application, app_id)
    assert app.status == "draft" and app.submitted_at is None
    clock.travel_to(call.closes_at - timedelta(seconds=1))
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=oh).status_code == 200


def test_no_new_draft_on_a_closed_or_not_yet_open_call(client, oh):
    later = f.call(open_now=False)
    _error(_create(client, later, oh, title="Te vroeg"), 409, "call_closed")
    gone = f.call()
    clock.travel_to(gone.closes_at + timedelta(hours=1))
    _error(_create(client, gone, oh, title="Te laat"), 409, "call_closed")
    assert db.session.query(Application).count() == 0


def test_no_application_on_a_draft_or_unknown_call(client, oh):
    draft = f.call(publish=False)
    _error(_create(client, draft, oh, title="x"), 404)
    resp = client.post("/api/v1/calls/999999/applications", json={}, headers=oh)
    _error(resp, 404)


def test_withdraw_from_draft_and_from_submitted_but_not_after_screening(client, call, owner, oh):
    draft = f.application(call, owner)
    resp = client.post(f"/api/v1/applications/{draft.id}/withdraw", headers=oh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "withdrawn"
    submitted = f.application(call, owner, status="submitted")
    resp = client.post(f"/api/v1/applications/{submitted.id}/withdraw", headers=oh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "withdrawn"
    eligible = f.application(call, owner, status="eligible")
    err = _error(client.post(f"/api/v1/applications/{eligible.id}/withdraw", headers=oh), 409)
    assert err["code"] == "invalid_transition"
    _error(client.post(f"/api/v1/applications/{draft.id}/withdraw", headers=oh), 409, "invalid_transition")


def test_screening_by_the_fund_manager(client, call, owner, oh):
    manager = f.user("fund_manager")
    mh = f.token_headers(manager)
    app = f.application(call, owner, status="submitted")
    resp = client.post(f"/api/v1/applications/{app.id}/screening", json={"eligible": True}, headers=mh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "eligible"

    other = f.application(call, owner, status="submitted")
    # Ineligible needs a reason the applicant sees.
    err = _error(
        client.post(f"/api/v1/applications/{other.id}/screening", json={"eligible": False}, headers=mh), 422
    )
    assert "reason" in err["details"]
    assert db.session.get(Application, other.id).status == "submitted"
    resp = client.post(
        f"/api/v1/applications/{other.id}/screening",
        json={"eligible": False, "reason": "Buiten het werkgebied."},
        headers=mh,
    )
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "ineligible"
    # The applicant reads the result and the reason.
    body = client.get(f"/api/v1/applications/{other.id}", headers=oh).get_json()
    assert body["status"] == "ineligible" and body["screening_reason"] == "Buiten het werkgebied."
    events = (
        db.session.query(AuditEvent)
        .filter_by(object_type="application", object_id=other.id)
        .order_by(AuditEvent.id)
        .all()
    )
    assert [(e.action, e.actor_id, e.note) for e in events][-1] == (
        "application.ineligible",
        manager.id,
        "Buiten het werkgebied.",
    )
    # Screening twice is a forbidden transition.
    resp = client.post(f"/api/v1/applications/{other.id}/screening", json={"eligible": True}, headers=mh)
    _error(resp, 409, "invalid_transition")


def test_screening_a_draft_is_an_invalid_transition(client, call, owner):
    mh = f.token_headers(f.user("fund_manager"))
    app = f.application(call, owner)
    resp = client.post(f"/api/v1/applications/{app.id}/screening", json={"eligible": True}, headers=mh)
    _error(resp, 409, "invalid_transition")


@pytest.mark.parametrize("body", [{}, {"eligible": "misschien"}, {"eligible": True, "extra": 1}])
def test_bad_screening_body_is_422(client, call, owner, body):
    mh = f.token_headers(f.user("fund_manager"))
    app = f.application(call, owner, status="submitted")
    _error(client.post(f"/api/v1/applications/{app.id}/screening", json=body, headers=mh), 422)
    assert db.session.get(Application, app.id).status == "submitted"


def test_only_the_fund_manager_screens(client, call, owner, oh):
    app = f.application(call, owner, status="submitted")
    for headers in (oh, f.token_headers(f.user("juror")), f.token_headers(f.user("auditor"))):
        resp = client.post(
            f"/api/v1/applications/{app.id}/screening", json={"eligible": True}, headers=headers
        )
        _error(resp, 403)
    _error(client.post(f"/api/v1/applications/{app.id}/screening", json={"eligible": True}), 401)
    assert db.session.get(Application, app.id).status == "submitted"


def test_another_users_application_is_404_for_every_verb(client, call, owner):
    app = f.application(call, owner)
    stranger = f.token_headers(f.user("applicant"))
    missing = _error(client.get("/api/v1/applications/999999", headers=stranger), 404)
    for method, path, body in (
        ("get", f"/api/v1/applications/{app.id}", None),
        ("patch", f"/api/v1/applications/{app.id}", {"title": "Van mij"}),
        ("post", f"/api/v1/applications/{app.id}/submit", None),
        ("post", f"/api/v1/applications/{app.id}/withdraw", None),
    ):
        resp = getattr(client, method)(path, json=body, headers=stranger)
        err = _error(resp, 404, "not_found")
        assert err["message"] == missing["message"]  # indistinguishable from a missing id
    db.session.expire_all()
    assert db.session.get(Application, app.id).title == "Buurtmoestuin"


def test_staff_read_but_do_not_change_someone_elses_application(client, call, owner):
    app = f.application(call, owner)
    for role in ("fund_manager", "auditor"):
        h = f.token_headers(f.user(role))
        assert client.get(f"/api/v1/applications/{app.id}", headers=h).status_code == 200
    mh = f.token_headers(f.user("fund_manager"))
    _error(client.patch(f"/api/v1/applications/{app.id}", json={"title": "x"}, headers=mh), 404)
    _error(client.post(f"/api/v1/applications/{app.id}/submit", headers=mh), 404)


def test_lists_show_only_what_the_caller_may_see(client, call, owner, oh):
    mine = [f.application(call, owner).id for _ in range(3)]
    f.application(call)  # someone else's
    first = client.get("/api/v1/applications?limit=2", headers=oh).get_json()
    assert [a["id"] for a in first["items"]] == mine[:2] and first["next"]
    rest = client.get(f"/api/v1/applications?limit=2&after={first['next']}", headers=oh).get_json()
    assert [a["id"] for a in rest["items"]] == mine[2:] and rest["next"] is None
    # The applications of a call: fund manager and auditor only.
    _error(client.get(f"/api/v1/calls/{call.id}/applications", headers=oh), 403)
    h = f.token_headers(f.user("auditor"))
    items = client.get(f"/api/v1/calls/{call.id}/applications", headers=h).get_json()["items"]
    assert len(items) == 4
    _error(client.get("/api/v1/applications"), 401)


def test_the_auditor_cannot_write(client, call):
    auditor = f.user("auditor")
    h = f.token_headers(auditor)
    _error(_create(client, call, h, title="x"), 403)
    assert db.session.query(Application).count() == 0


def test_revoked_token_is_refused(client, owner):
    from app.accounts import services

    token, clear = services.create_api_token(owner, "weg")
    services.revoke_api_token(owner, token.id)
    db.session.flush()
    _error(client.get("/api/v1/applications", headers={"Authorization": f"Bearer {clear}"}), 401)
