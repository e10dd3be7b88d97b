"""Ranking and selection on real rows: the hand-computed scenario of test_scoring, the
proposal walk, and the staged confirmation."""

from __future__ import annotations

import math
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calls.models import Application
from app.core import ports
from app.core.audit import AuditEvent
from app.core.errors import Conflict
from app.extensions import db
from app.jury import events
from app.jury import services as jury
from app.jury.models import Selection
from app.jury.ports import MatchReservation
from app.jury.selection import BudgetPlanner, walk
from tests import factories as f
from tests.jury.conftest import ONE_CRITERION, closed_call

K = math.sqrt(5.25)
pytestmark = pytest.mark.usefixtures("jury_alone")


@contextmanager
def _providing(app, port, implementation):
    """`implementation` answers `port` for the duration of the block."""
    providers = app.extensions["streekfonds_ports"]
    before = providers[port]
    providers[port] = implementation
    try:
        yield
    finally:
        providers[port] = before
    assert ports.providers(app)[port] is before


def _scenario(calibration=True, **call_values):
    """X, Y, Z, W scored by lenient A, harsh B and C (two totals), as in test_scoring:
    A: X 90, Y 80, Z 100; B: X 40, Y 60, W 50; C: Z 70, W 70."""
    call, apps, manager = closed_call(4, criteria=ONE_CRITERION, calibration=calibration, **call_values)
    x, y, z, w = apps
    for app, target, muni in (
        (x, 100_000, "Melle"),
        (y, 400_000, "Gent"),
        (z, 500_000, "Gent"),
        (w, 300_000, "Lochristi"),
    ):
        app.target_cents, app.municipality = target, muni
    a, b, c = (f.user("juror") for _ in range(3))
    for u in (a, b, c):
        jury.add_juror(call, u.email, manager)
    plan = {a: {x: 90, y: 80, z: 100}, b: {x: 40, y: 60, w: 50}, c: {z: 70, w: 70}}
    for u, marks in plan.items():
        for app in marks:
            jury.assign(call, u.email, app.id, manager)
    jury.open_scoring(call, manager)
    for u, marks in plan.items():
        for app, q in marks.items():
            jury.declare(app.id, u, False)
            jury.save_score(app.id, u, {"q": q}, "", submit=True)
    return SimpleNamespace(call=call, x=x, y=y, z=z, w=w, manager=manager, jurors=(a, b, c))


def test_calibrated_ranking_by_hand(app):
    with app.test_request_context():
        s = _scenario()
        rows = {r["application_id"]: r for r in jury.ranking(s.call)}
    order = [r for r in sorted(rows.values(), key=lambda r: r["rank"])]
    # Z 70+5√5.25; Y and W tie at 70 (Y has the higher raw score); X 70−5√5.25
    assert [r["application_id"] for r in order] == [s.z.id, s.y.id, s.w.id, s.x.id]
    assert rows[s.x.id]["calibrated_score"] == pytest.approx(70 - 5 * K, abs=1e-9)
    assert rows[s.z.id]["calibrated_score"] == pytest.approx(70 + 5 * K, abs=1e-9)
    assert rows[s.x.id]["raw_score"] == 65 and rows[s.w.id]["raw_score"] == 60
    assert [rows[a.id]["disagreement"] for a in (s.x, s.y, s.z, s.w)] == [25, 10, 15, 10]
    # threshold 15: X (25) is disputed; Z (exactly 15) is not
    assert [rows[a.id]["disputed"] for a in (s.x, s.y, s.z, s.w)] == [True, False, False, False]
    assert all(r["totals_count"] == 2 for r in order)


def test_raw_ranking_without_calibration(app):
    with app.test_request_context():
        s = _scenario(calibration=False)
        rows = jury.ranking(s.call)
    assert [r["application_id"] for r in rows] == [s.z.id, s.y.id, s.x.id, s.w.id]
    assert all(r["calibrated_score"] is None for r in rows)


def test_conflicted_and_unsubmitted_totals_do_not_count(app):
    with app.test_request_context():
        call, apps, manager = closed_call(1, criteria=ONE_CRITERION)
        a, b, c = (f.user("juror") for _ in range(3))
        for u in (a, b, c):
            jury.add_juror(call, u.email, manager)
        jury.assign(call, a.email, None, manager)
        jury.assign(call, b.email, None, manager)
        jury.assign(call, c.email, None, manager)
        jury.open_scoring(call, manager)
        jury.declare(apps[0].id, a, False)
        jury.save_score(apps[0].id, a, {"q": 80}, "", submit=True)
        jury.declare(apps[0].id, b, False)
        jury.save_score(apps[0].id, b, {"q": 10}, "")  # saved, not submitted
        jury.declare(apps[0].id, c, False)
        jury.save_score(apps[0].id, c, {"q": 20}, "", submit=True)
        jury.declare(apps[0].id, c, True, "Later ontdekt: familie")
        row = jury.ranking(call)[0]
    assert (row["raw_score"], row["totals_count"], row["disagreement"]) == (80, 1, 0)


def test_ties_go_to_the_smaller_maximum_match_then_the_earlier_submission(app):
    with app.test_request_context():
        call, apps, manager = closed_call(3, criteria=ONE_CRITERION)
        apps[0].target_cents = 300_000
        apps[1].target_cents = 200_000
        apps[2].target_cents = 300_000
        juror = f.user("juror")
        jury.add_juror(call, juror.email, manager)
        jury.assign(call, juror.email, None, manager)
        jury.open_scoring(call, manager)
        for a in apps:
            jury.declare(a.id, juror, False)
            jury.save_score(a.id, juror, {"q": 50}, "", submit=True)
        rows = jury.ranking(call)
    assert [r["application_id"] for r in rows] == [apps[1].id, apps[0].id, apps[2].id]


def test_lottery_orders_ties_by_the_published_seed(app):
    import hashlib

    with app.test_request_context():
        call, apps, manager = closed_call(4, criteria=ONE_CRITERION, tie_lottery=True)
        juror = f.user("juror")
        jury.add_juror(call, juror.email, manager)
        jury.assign(call, juror.email, None, manager)
        jury.open_scoring(call, manager)
        for a in apps:
            jury.declare(a.id, juror, False)
            jury.save_score(a.id, juror, {"q": 50}, "", submit=True)
        jury.close_scoring(call, manager)
        seed = call.lottery_seed
        rows = jury.ranking(call)
    digest = {a.id: hashlib.sha256(f"{seed}:{a.id}".encode()).hexdigest() for a in apps}
    assert [r["application_id"] for r in rows] == sorted(digest, key=digest.get)


def _closed(s):
    jury.close_scoring(s.call, s.manager)


def test_proposal_walks_the_ranking_within_the_budget(app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        with pytest.raises(Conflict) as exc:
            jury.propose(s.call, s.manager)
        assert exc.value.code == "window_not_closed"
        _closed(s)
        proposal = jury.propose(s.call, s.manager)
    # Z 500k (500k left), Y 400k (100k left), W 300k does not fit, X 100k fits (0 left)
    assert proposal["proposed"] == [s.z.id, s.y.id, s.x.id]
    assert proposal["skipped"] == [{"application_id": s.w.id, "reason": "over_budget"}]


def test_proposal_respects_the_municipality_maximum(app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000, max_selected_per_municipality=1)
        _closed(s)
        proposal = jury.propose(s.call, s.manager)
    assert proposal["proposed"] == [s.z.id, s.w.id, s.x.id]
    assert proposal["skipped"] == [{"application_id": s.y.id, "reason": "municipality_full"}]


def test_proposal_needs_a_budget(app):
    with app.test_request_context():
        s = _scenario()
        _closed(s)
        with pytest.raises(Conflict) as exc:
            jury.propose(s.call, s.manager)
    assert exc.value.code == "no_matching_budget"


def test_installed_planner_is_used(app, monkeypatch):
    # installs its own planner in place of the jury's (jury_alone removed matching's)
    class OnlyGent:
        def try_take(self, application):
            return None if application.municipality == "Gent" else "no_sponsor_for_this_municipality"

    monkeypatch.setitem(app.extensions, "streekfonds_selection_planner", lambda call: OnlyGent())
    with app.test_request_context():
        s = _scenario()
        _closed(s)
        proposal = jury.propose(s.call, s.manager)
    assert proposal["proposed"] == [s.z.id, s.y.id]
    assert {x["reason"] for x in proposal["skipped"]} == {"no_sponsor_for_this_municipality"}


def _api(client, s, body):
    return client.post(
        f"/api/v1/calls/{s.call.id}/selection/confirm", json=body, headers=f.token_headers(s.manager)
    )


def test_confirm_the_proposal_is_staged_and_announced_once(client, app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        _closed(s)
    seen = []

    def confirming(call, applications):
        seen.append(("confirming", [a.id for a in applications], {a.status for a in applications}))

    def confirmed(call, selected, not_selected):
        seen.append(("confirmed", [a.id for a in selected], [a.id for a in not_selected]))

    # Matching's reservation (a port, called before any status changes) and the signal after.
    with _providing(app, MatchReservation, confirming), events.selection_confirmed.connected_to(confirmed):
        resp = _api(client, s, {"application_ids": [s.x.id, s.y.id, s.z.id]})
    assert resp.status_code == 200, resp.get_json()
    assert seen == [
        ("confirming", [s.z.id, s.y.id, s.x.id], {"in_review"}),
        ("confirmed", [s.z.id, s.y.id, s.x.id], [s.w.id]),
    ]
    assert [a.status for a in (s.x, s.y, s.z, s.w)] == ["selected", "selected", "selected", "not_selected"]
    again = _api(client, s, {"application_ids": [s.x.id, s.y.id, s.z.id]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "selection_confirmed"
    ev = db.session.query(AuditEvent).filter_by(action="jury.selection_confirmed").one()
    assert ev.before["proposed"] == [s.z.id, s.y.id, s.x.id] and ev.after["not_selected"] == [s.w.id]


def test_every_deviation_needs_a_reason(client, app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        _closed(s)
    resp = _api(client, s, {"application_ids": [s.y.id, s.z.id]})
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "reasons_missing" and list(err["details"]["reasons"]) == [str(s.x.id)]
    assert db.session.get(Application, s.x.id).status == "in_review"
    resp = _api(
        client,
        s,
        {"application_ids": [s.y.id, s.z.id], "reasons": {str(s.x.id): "Dubbel met een lopend project"}},
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["reasons"] == {str(s.x.id): "Dubbel met een lopend project"}
    note = (
        db.session.query(AuditEvent).filter_by(action="application.not_selected", object_id=s.x.id).one().note
    )
    assert note == "Dubbel met een lopend project"


def test_a_selection_over_budget_is_refused(client, app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        _closed(s)
    body = {"application_ids": [s.w.id, s.y.id, s.z.id], "reasons": {str(s.w.id): "Toch", str(s.x.id): "Nee"}}
    resp = _api(client, s, body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "selection_does_not_fit"
    assert db.session.query(Selection).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"application_ids": "1"},
        {"application_ids": [1.5]},
        {"application_ids": [999999]},
        {"application_ids": [], "reasons": {"1": 5}},
    ],
)
def test_confirm_bad_input_is_422(client, app, body):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        _closed(s)
    assert _api(client, s, body).status_code == 422
    assert db.session.query(Selection).count() == 0


def test_a_refusing_receiver_changes_nothing(client, app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        _closed(s)

    def refuse(call, applications):
        raise Conflict("sponsors cannot cover this", code="match_not_covered")

    with _providing(app, MatchReservation, refuse):
        resp = _api(client, s, {"application_ids": [s.x.id, s.y.id, s.z.id]})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "match_not_covered"
    db.session.expire_all()
    assert {db.session.get(Application, a.id).status for a in (s.x, s.y, s.z, s.w)} == {"in_review"}
    assert db.session.query(Selection).count() == 0


def test_ranking_api_shape(client, app):
    with app.test_request_context():
        s = _scenario()
    body = client.get(f"/api/v1/calls/{s.call.id}/ranking", headers=f.token_headers(s.manager)).get_json()
    assert set(body["items"][0]) == {
        "application_id",
        "rank",
        "raw_score",
        "calibrated_score",
        "totals_count",
        "disagreement",
        "disputed",
    }
    assert [r["rank"] for r in body["items"]] == [1, 2, 3, 4] and body["lottery_seed"] is None


@given(
    st.integers(0, 3_000_000),
    st.one_of(st.none(), st.integers(1, 3)),
    st.lists(st.tuples(st.integers(0, 1_500_000), st.sampled_from("ABC"), st.booleans()), max_size=25),
)
def test_the_proposal_never_exceeds_the_budget(budget, per_muni, rows):
    apps = [SimpleNamespace(id=i, municipality=m, match=c) for i, (c, m, _s) in enumerate(rows)]
    planner = BudgetPlanner(budget, per_muni, max_match=lambda a: a.match)
    proposed, skipped = walk(zip(apps, [s for _c, _m, s in rows], strict=True), planner)
    assert sum(a.match for a in proposed) <= budget
    if per_muni is not None:
        assert all(sum(1 for a in proposed if a.municipality == m) <= per_muni for m in "ABC")
    assert sorted([a.id for a in proposed] + [a.id for a, _r in skipped]) == list(range(len(apps)))
    # a skipped, scored project really did not fit when its turn came
    assert all(r in ("over_budget", "municipality_full", "not_scored") for _a, r in skipped)
