"""/api/v1 jury routes: answers, roles, bad input and the window, as the contract says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import clock
from app.core.audit import AuditEvent
from app.extensions import db
from app.jury import events
from app.jury.models import Assignment, JurorInvitation
from tests import factories as f
from tests.jury.conftest import closed_call, eligible_application


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    if code:
        assert err["code"] == code, err
    return err


@pytest.fixture
def setup():
    call, apps, manager = closed_call(3)
    jurors = [f.user("juror") for _ in range(3)]
    return {
        "call": call,
        "apps": apps,
        "manager": manager,
        "mh": f.token_headers(manager),
        "jurors": jurors,
        "jh": [f.token_headers(j) for j in jurors],
    }


def _seat_all(client, s):
    for j in s["jurors"]:
        assert (
            client.post(
                f"/api/v1/calls/{s['call'].id}/jurors", json={"email": j.email}, headers=s["mh"]
            ).status_code
            == 201
        )


def _open(client, s):
    resp = client.post(f"/api/v1/calls/{s['call'].id}/scoring/open", headers=s["mh"])
    assert resp.status_code == 200, resp.get_json()
    return resp


def test_add_existing_user_as_juror_and_list(client, setup):
    s = setup
    sent = []
    with events.juror_invited.connected_to(lambda call, **kw: sent.append(kw)):
        resp = client.post(
            f"/api/v1/calls/{s['call'].id}/jurors",
            json={"email": s["jurors"][0].email.upper()},
            headers=s["mh"],
        )
        again = client.post(
            f"/api/v1/calls/{s['call'].id}/jurors", json={"email": s["jurors"][0].email}, headers=s["mh"]
        )
    assert resp.status_code == 201 and resp.get_json()["status"] == "active"
    assert again.status_code == 200
    assert len(sent) == 1 and sent[0]["user"].id == s["jurors"][0].id
    listed = client.get(f"/api/v1/calls/{s['call'].id}/jurors", headers=s["mh"]).get_json()["items"]
    assert [j["email"] for j in listed] == [s["jurors"][0].email]


def test_invite_unknown_email_then_registration_seats_after_confirmation(client, app, setup):
    s = setup
    sent = []
    with events.juror_invited.connected_to(lambda call, **kw: sent.append(kw)):
        resp = client.post(
            f"/api/v1/calls/{s['call'].id}/jurors", json={"email": "nieuw@example.org"}, headers=s["mh"]
        )
    assert resp.status_code == 201 and resp.get_json()["status"] == "invited"
    assert sent[0]["user"] is None and sent[0]["email"] == "nieuw@example.org"
    assert sent[0]["invite_url"].startswith("http://testserver.local/jury/invitations/")
    token = sent[0]["invite_url"].rsplit("/", 1)[1]
    assert db.session.query(JurorInvitation).one().token_hash != token  # only the hash is stored
    from app.accounts import services as accounts

    with app.test_request_context():
        user = accounts.register("nieuw@example.org", "een lang wachtwoord", "Nieuw")
    statuses = client.get(f"/api/v1/calls/{s['call'].id}/jurors", headers=s["mh"]).get_json()["items"]
    assert [(j["email"], j["status"]) for j in statuses] == [("nieuw@example.org", "unconfirmed")]
    user.email_confirmed_at = clock.now()
    db.session.flush()
    statuses = client.get(f"/api/v1/calls/{s['call'].id}/jurors", headers=s["mh"]).get_json()["items"]
    assert statuses[0]["status"] == "active" and "juror" in user.roles


def test_invitation_link_seats_the_logged_in_user(client, setup):
    s = setup
    sent = []
    with events.juror_invited.connected_to(lambda call, **kw: sent.append(kw)):
        client.post(
            f"/api/v1/calls/{s['call'].id}/jurors", json={"email": "ander@example.org"}, headers=s["mh"]
        )
    person = f.user("applicant", email="ander.adres@example.org")
    client.post("/account/login", data={"email": person.email, "password": f.PASSWORD})
    path = sent[0]["invite_url"].replace("http://testserver.local", "")
    assert client.get(path).status_code == 302
    listed = client.get(f"/api/v1/calls/{s['call'].id}/jurors", headers=s["mh"]).get_json()["items"]
    assert [(j["email"], j["status"]) for j in listed] == [(person.email, "active")]
    assert client.get("/jury/invitations/forged").status_code == 404


@pytest.mark.parametrize("body", [{}, {"email": "geen-adres"}, {"email": 5}])
def test_add_juror_bad_input_is_422(client, setup, body):
    _error(client.post(f"/api/v1/calls/{setup['call'].id}/jurors", json=body, headers=setup["mh"]), 422)


def test_roles_on_jury_management(client, setup):
    s = setup
    auditor = f.user("auditor")
    ah = f.token_headers(auditor)
    cid = s["call"].id
    _error(client.post(f"/api/v1/calls/{cid}/jurors", json={"email": "x@example.org"}, headers=ah), 403)
    _error(
        client.post(f"/api/v1/calls/{cid}/jurors", json={"email": "x@example.org"}, headers=s["jh"][0]), 403
    )
    _error(client.post(f"/api/v1/calls/{cid}/jurors", json={"email": "x@example.org"}), 401)
    _error(client.post(f"/api/v1/calls/{cid}/scoring/open", headers=ah), 403)
    _error(
        client.post(
            f"/api/v1/calls/{cid}/selection/confirm", json={"application_ids": []}, headers=s["jh"][0]
        ),
        403,
    )
    assert client.get(f"/api/v1/calls/{cid}/ranking", headers=ah).status_code == 200
    _error(client.get(f"/api/v1/calls/{cid}/ranking", headers=s["jh"][0]), 403)
    assert client.get(f"/api/v1/calls/{cid}/jury/audit", headers=ah).status_code == 200
    _error(client.get(f"/api/v1/calls/{cid + 999}/ranking", headers=ah), 404)


def test_balanced_automatic_assignment(client, setup):
    s = setup
    _seat_all(client, s)
    # the first juror owns an extra eligible application: never assigned their own
    own = eligible_application(s["call"], owner=s["jurors"][0])
    resp = client.post(
        f"/api/v1/calls/{s['call'].id}/assignments", json={"per_application": 2}, headers=s["mh"]
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert len(body["created"]) == 8 and body["short"] == []
    rows = db.session.query(Assignment).all()
    assert (own.id, s["jurors"][0].id) not in {(a.application_id, a.user_id) for a in rows}
    loads = sorted(sum(1 for a in rows if a.user_id == j.id) for j in s["jurors"])
    assert loads[-1] - loads[0] <= 1 and sum(loads) == 8
    again = client.post(
        f"/api/v1/calls/{s['call'].id}/assignments", json={"per_application": 2}, headers=s["mh"]
    )
    assert again.get_json()["created"] == [] and db.session.query(Assignment).count() == 8
    listed = client.get(f"/api/v1/calls/{s['call'].id}/assignments", headers=s["mh"]).get_json()["items"]
    assert len(listed) == 8 and {a["declaration"] for a in listed} == {"pending"}


def test_automatic_assignment_reports_shortage(client, setup):
    s = setup
    client.post(f"/api/v1/calls/{s['call'].id}/jurors", json={"email": s["jurors"][0].email}, headers=s["mh"])
    body = client.post(
        f"/api/v1/calls/{s['call'].id}/assignments", json={"per_application": 2}, headers=s["mh"]
    ).get_json()
    assert len(body["created"]) == 3
    assert body["short"] == [{"application_id": a.id, "missing": 1} for a in s["apps"]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"per_application": 0},
        {"per_application": "2"},
        {"per_application": 2, "juror_email": "a@example.org"},
        {"application_id": 1},
    ],
)
def test_assignment_bad_input_is_422(client, setup, body):
    _error(client.post(f"/api/v1/calls/{setup['call'].id}/assignments", json=body, headers=setup["mh"]), 422)


def test_manual_assignment_rules(client, setup):
    s = setup
    _seat_all(client, s)
    cid, j0 = s["call"].id, s["jurors"][0]
    ok = client.post(
        f"/api/v1/calls/{cid}/assignments",
        json={"juror_email": j0.email, "application_id": s["apps"][0].id},
        headers=s["mh"],
    )
    assert ok.status_code == 201 and ok.get_json()["created"][0]["application_id"] == s["apps"][0].id
    stranger = f.user("juror")
    _error(
        client.post(
            f"/api/v1/calls/{cid}/assignments",
            json={"juror_email": stranger.email, "application_id": s["apps"][0].id},
            headers=s["mh"],
        ),
        422,
    )
    other = closed_call(1)[1][0]
    _error(
        client.post(
            f"/api/v1/calls/{cid}/assignments",
            json={"juror_email": j0.email, "application_id": other.id},
            headers=s["mh"],
        ),
        422,
    )
    own = eligible_application(s["call"], owner=j0)
    _error(
        client.post(
            f"/api/v1/calls/{cid}/assignments",
            json={"juror_email": j0.email, "application_id": own.id},
            headers=s["mh"],
        ),
        409,
        "own_application",
    )
    everything = client.post(
        f"/api/v1/calls/{cid}/assignments", json={"juror_email": j0.email}, headers=s["mh"]
    )
    assert sorted(a["application_id"] for a in everything.get_json()["created"]) == [a.id for a in s["apps"]]


def test_open_before_deadline_is_409_and_nothing_changes(client):
    manager = f.user("fund_manager")
    call = f.call(manager)
    app = f.application(call, status="eligible")
    _error(
        client.post(f"/api/v1/calls/{call.id}/scoring/open", headers=f.token_headers(manager)),
        409,
        "submissions_open",
    )
    assert app.status == "eligible"


def test_open_moves_eligible_to_review_and_close_draws_seed(client, setup):
    s = setup
    s["call"].tie_lottery = True
    submitted = eligible_application(s["call"], screen=False)
    body = _open(client, s).get_json()
    assert body["state"] == "open" and body["lottery_seed"] is None
    assert {a.status for a in s["apps"]} == {"in_review"} and submitted.status == "submitted"
    _error(client.post(f"/api/v1/calls/{s['call'].id}/scoring/open", headers=s["mh"]), 409, "window_opened")
    closed = client.post(f"/api/v1/calls/{s['call'].id}/scoring/close", headers=s["mh"]).get_json()
    assert closed["state"] == "closed" and len(closed["lottery_seed"]) == 64
    int(closed["lottery_seed"], 16)
    _error(
        client.post(f"/api/v1/calls/{s['call'].id}/scoring/close", headers=s["mh"]), 409, "window_not_open"
    )
    ranking = client.get(f"/api/v1/calls/{s['call'].id}/ranking", headers=s["mh"]).get_json()
    assert ranking["lottery_seed"] == closed["lottery_seed"]


def _assign_open_all(client, s):
    _seat_all(client, s)
    for j in s["jurors"]:
        client.post(
            f"/api/v1/calls/{s['call'].id}/assignments", json={"juror_email": j.email}, headers=s["mh"]
        )
    _open(client, s)


def test_juror_access_declare_then_score(client, setup):
    s = setup
    _seat_all(client, s)
    app_id = s["apps"][0].id
    jh = s["jh"][0]
    client.post(
        f"/api/v1/calls/{s['call'].id}/assignments",
        json={"juror_email": s["jurors"][0].email, "application_id": app_id},
        headers=s["mh"],
    )
    # before the window: 409 for both routes
    _error(
        client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=jh),
        409,
        "window_not_open",
    )
    _error(
        client.put(f"/api/v1/applications/{app_id}/score", json={"scores": {}}, headers=jh),
        409,
        "window_not_open",
    )
    _open(client, s)
    # not assigned (another juror, another application): 404
    _error(
        client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=s["jh"][1]),
        404,
    )
    _error(client.put(f"/api/v1/applications/{s['apps'][1].id}/score", json={"scores": {}}, headers=jh), 404)
    _error(client.put(f"/api/v1/applications/{app_id}/score", json={"scores": {}}), 401)
    # before declaring: nothing but title, applicant and organisation; score is 409
    view = client.get(f"/api/v1/applications/{app_id}/score", headers=jh).get_json()
    assert set(view["application"]) == {"id", "title", "applicant", "organisation"}
    _error(
        client.put(f"/api/v1/applications/{app_id}/score", json={"scores": {"impact": 5}}, headers=jh),
        409,
        "declare_first",
    )
    _error(client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": "ja"}, headers=jh), 422)
    resp = client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=jh)
    assert resp.status_code == 200 and resp.get_json()["application"]["description"]
    saved = client.put(
        f"/api/v1/applications/{app_id}/score", json={"scores": {"impact": 8}, "comment": "Sterk"}, headers=jh
    )
    assert (
        saved.status_code == 200
        and saved.get_json()["submitted_at"] is None
        and saved.get_json()["total"] is None
    )
    _error(
        client.put(
            f"/api/v1/applications/{app_id}/score", json={"scores": {"impact": 8}, "submit": True}, headers=jh
        ),
        422,
    )
    done = client.put(
        f"/api/v1/applications/{app_id}/score",
        json={"scores": {"impact": 8, "feasibility": 3}, "comment": "Sterk", "submit": True},
        headers=jh,
    )
    assert done.status_code == 200 and done.get_json()["total"] == pytest.approx(220 / 3)
    again = client.put(
        f"/api/v1/applications/{app_id}/score",
        json={"scores": {"impact": 8, "feasibility": 3}, "comment": "Sterk", "submit": True},
        headers=jh,
    )
    assert again.status_code == 200
    _error(
        client.put(
            f"/api/v1/applications/{app_id}/score",
            json={"scores": {"impact": 9, "feasibility": 3}, "submit": True},
            headers=jh,
        ),
        409,
        "already_submitted",
    )


@pytest.mark.parametrize(
    "scores",
    [{"impact": 11}, {"impact": -1}, {"impact": 2.5}, {"impact": True}, {"impact": "5"}, {"nope": 1}, []],
)
def test_bad_scores_are_422_and_nothing_is_saved(client, setup, scores):
    s = setup
    _assign_open_all(client, s)
    app_id, jh = s["apps"][0].id, s["jh"][0]
    client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=jh)
    _error(client.put(f"/api/v1/applications/{app_id}/score", json={"scores": scores}, headers=jh), 422)
    a = db.session.query(Assignment).filter_by(application_id=app_id, user_id=s["jurors"][0].id).one()
    assert a.scores == {} and a.saved_at is None


def test_conflict_removes_the_juror_and_is_audited(client, setup):
    s = setup
    _assign_open_all(client, s)
    app_id, jh = s["apps"][0].id, s["jh"][0]
    _error(
        client.post(
            f"/api/v1/applications/{app_id}/conflict", json={"conflict": True, "reason": "  "}, headers=jh
        ),
        422,
    )
    resp = client.post(
        f"/api/v1/applications/{app_id}/conflict",
        json={"conflict": True, "reason": "Mijn buurvrouw"},
        headers=jh,
    )
    assert resp.status_code == 200 and resp.get_json()["declaration"] == "conflict"
    _error(client.get(f"/api/v1/applications/{app_id}/score", headers=jh), 404)
    _error(client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=jh), 404)
    _error(
        client.post(
            f"/api/v1/calls/{s['call'].id}/assignments",
            json={"juror_email": s["jurors"][0].email, "application_id": app_id},
            headers=s["mh"],
        ),
        409,
        "conflict_declared",
    )
    ev = db.session.query(AuditEvent).filter_by(action="jury.conflict_declared").one()
    assert ev.actor_id == s["jurors"][0].id and ev.before["declaration"] == "pending"
    assert ev.after["declaration"] == "conflict" and ev.note == "Mijn buurvrouw"
    trail = client.get(
        f"/api/v1/calls/{s['call'].id}/jury/audit", headers=f.token_headers(f.user("auditor"))
    ).get_json()["items"]
    assert "jury.conflict_declared" in [e["action"] for e in trail]


def _score(client, jh, app_id, impact, feasibility, submit=True):
    client.post(f"/api/v1/applications/{app_id}/conflict", json={"conflict": False}, headers=jh)
    resp = client.put(
        f"/api/v1/applications/{app_id}/score",
        json={"scores": {"impact": impact, "feasibility": feasibility}, "submit": submit},
        headers=jh,
    )
    assert resp.status_code == 200, resp.get_json()


def test_others_scores_hidden_until_own_submit_then_reveal_after_close(client, setup):
    s = setup
    _assign_open_all(client, s)
    app_id = s["apps"][0].id
    _score(client, s["jh"][1], app_id, 10, 5)
    _score(client, s["jh"][0], app_id, 4, 2, submit=False)
    view = client.get(f"/api/v1/applications/{app_id}/score", headers=s["jh"][0]).get_json()
    assert view["others"] is None
    _score(client, s["jh"][0], app_id, 4, 2)
    view = client.get(f"/api/v1/applications/{app_id}/score", headers=s["jh"][0]).get_json()
    assert [o["total"] for o in view["others"]] == [100.0]
    client.post(f"/api/v1/calls/{s['call'].id}/scoring/close", headers=s["mh"])
    assert client.get(f"/api/v1/applications/{app_id}/score", headers=s["jh"][0]).get_json()["others"] is None
    _error(client.post(f"/api/v1/calls/{s['call'].id}/scoring/reveal", json={}, headers=s["mh"]), 422)
    client.post(f"/api/v1/calls/{s['call'].id}/scoring/reveal", json={"reveal": True}, headers=s["mh"])
    assert (
        len(client.get(f"/api/v1/applications/{app_id}/score", headers=s["jh"][0]).get_json()["others"]) == 1
    )
    _error(
        client.put(f"/api/v1/applications/{app_id}/score", json={"scores": {}}, headers=s["jh"][2]),
        409,
        "window_not_open",
    )


def test_every_score_change_is_audited_with_before_and_after(client, setup):
    s = setup
    _assign_open_all(client, s)
    app_id, jh = s["apps"][0].id, s["jh"][0]
    _score(client, jh, app_id, 4, 2, submit=False)
    _score(client, jh, app_id, 4, 2, submit=False)  # the same again: no new event
    _score(client, jh, app_id, 6, 2)
    events_ = (
        db.session.query(AuditEvent)
        .filter(AuditEvent.action.like("jury.score_%"))
        .order_by(AuditEvent.id)
        .all()
    )
    assert [e.action for e in events_] == ["jury.score_saved", "jury.score_submitted"]
    assert events_[1].before["scores"] == {"impact": 4, "feasibility": 2}
    assert events_[1].after["scores"] == {"impact": 6, "feasibility": 2} and events_[1].after["submitted"]


def test_progress_and_reminders_once_a_day(client, setup):
    s = setup
    _assign_open_all(client, s)
    for a in s["apps"]:
        _score(client, s["jh"][0], a.id, 5, 5)
    got = []
    with events.juror_reminder_due.connected_to(lambda call, **kw: got.append(kw["user"].id)):
        first = client.post(f"/api/v1/calls/{s['call'].id}/jury/reminders", headers=s["mh"]).get_json()
        second = client.post(f"/api/v1/calls/{s['call'].id}/jury/reminders", headers=s["mh"]).get_json()
        clock.shift(timedelta(days=1))
        third = client.post(f"/api/v1/calls/{s['call'].id}/jury/reminders", headers=s["mh"]).get_json()
    assert (first["sent"], second["sent"], third["sent"]) == (2, 0, 2)
    assert sorted(got) == sorted([s["jurors"][1].id, s["jurors"][2].id] * 2)
    prog = client.get(f"/api/v1/calls/{s['call'].id}/jury/progress", headers=s["mh"]).get_json()
    assert prog["jurors"][str(s["jurors"][0].id)]["submitted"] == 3
    assert prog["jurors"][str(s["jurors"][1].id)]["pending"] == 3
    assert prog["applications"][str(s["apps"][0].id)] == {
        "assigned": 3,
        "pending": 2,
        "conflicts": 0,
        "in_progress": 0,
        "submitted": 1,
    }


def test_my_assignments(client, setup):
    s = setup
    _assign_open_all(client, s)
    mine = client.get("/api/v1/jury/assignments", headers=s["jh"][0]).get_json()["items"]
    assert sorted(a["application_id"] for a in mine) == [a.id for a in s["apps"]]


def test_an_application_found_eligible_during_the_window_goes_to_the_jury(client, setup):
    s = setup
    late = eligible_application(s["call"], screen=False)
    _open(client, s)
    assert late.status == "submitted"
    from app.calls import services as calls

    calls.screen_application(late, True, "", s["manager"])
    assert late.status == "in_review"


def test_reminder_task_is_idempotent(client, setup):
    from app.jury import tasks

    s = setup
    _assign_open_all(client, s)
    got = []
    with events.juror_reminder_due.connected_to(lambda call, **kw: got.append(kw["user"].id)):
        tasks.send_reminders.apply(args=[s["call"].id])
        tasks.send_reminders.apply(args=[s["call"].id])
        tasks.send_reminders.apply()  # every open window
    assert sorted(got) == sorted(j.id for j in s["jurors"])
