"""The jury's HTML pages: the juror's path, the fund manager's pages, roles and CSRF."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.jury import services as jury
from app.jury.models import Assignment
from tests import factories as f
from tests.jury.conftest import closed_call

pytestmark = pytest.mark.usefixtures("jury_alone")


def _login(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert resp.status_code == 302


@pytest.fixture
def opened(app):
    with app.test_request_context():
        call, apps, manager = closed_call(2, matching_budget_cents=1_000_000)
        juror = f.user("juror")
        jury.add_juror(call, juror.email, manager)
        jury.assign(call, juror.email, None, manager)
        jury.open_scoring(call, manager)
    return call, apps, manager, juror


def test_juror_declares_scores_and_submits(client, opened):
    call, apps, _manager, juror = opened
    _login(client, juror)
    page = client.get("/jury").get_data(as_text=True)
    assert apps[0].title in page and "nog te verklaren" in page
    review = client.get(f"/jury/applications/{apps[0].id}").get_data(as_text=True)
    assert "Verklaring bewaren" in review and apps[0].description not in review
    bad = client.post(f"/jury/applications/{apps[0].id}/declare", data={"decision": "conflict", "reason": ""})
    assert bad.status_code == 422 and "Beschrijf het belangenconflict" in bad.get_data(as_text=True)
    resp = client.post(f"/jury/applications/{apps[0].id}/declare", data={"decision": "no_conflict"})
    assert resp.status_code == 302
    review = client.get(f"/jury/applications/{apps[0].id}").get_data(as_text=True)
    assert apps[0].description in review and 'name="score_impact"' in review
    assert 'for="score_impact"' in review  # every input has a label
    too_high = client.post(
        f"/jury/applications/{apps[0].id}/score", data={"score_impact": "11", "action": "save"}
    )
    assert too_high.status_code == 422
    saved = client.post(
        f"/jury/applications/{apps[0].id}/score",
        data={"score_impact": "8", "comment": "Goed", "action": "save"},
    )
    assert saved.status_code == 302
    incomplete = client.post(
        f"/jury/applications/{apps[0].id}/score", data={"score_impact": "8", "action": "submit"}
    )
    assert incomplete.status_code == 422 and "Geef een score om in te dienen" in incomplete.get_data(
        as_text=True
    )
    done = client.post(
        f"/jury/applications/{apps[0].id}/score",
        data={"score_impact": "8", "score_feasibility": "3", "comment": "Goed", "action": "submit"},
    )
    assert done.status_code == 302
    a = db.session.query(Assignment).filter_by(application_id=apps[0].id, user_id=juror.id).one()
    assert a.submitted_at is not None and a.scores == {"impact": 8, "feasibility": 3}
    # The total in the page's language: a decimal comma in Dutch.
    assert "73,33" in client.get(f"/jury/applications/{apps[0].id}").get_data(as_text=True)


def test_a_conflict_hides_the_application(client, opened):
    _call, apps, _manager, juror = opened
    _login(client, juror)
    resp = client.post(
        f"/jury/applications/{apps[1].id}/declare", data={"decision": "conflict", "reason": "Mijn zus"}
    )
    assert resp.status_code == 302
    assert client.get(f"/jury/applications/{apps[1].id}").status_code == 404


def test_unassigned_juror_gets_404(client, opened):
    _call, apps, _manager, _juror = opened
    other = f.user("juror")
    _login(client, other)
    assert client.get(f"/jury/applications/{apps[0].id}").status_code == 404
    assert (
        client.post(f"/jury/applications/{apps[0].id}/declare", data={"decision": "no_conflict"}).status_code
        == 404
    )


def test_manager_pages_and_auditor_reads_only(client, opened):
    call, apps, manager, _juror = opened
    _login(client, manager)
    page = client.get(f"/manage/calls/{call.id}/jury").get_data(as_text=True)
    assert "Jurytermijn sluiten" in page and "Herinnering sturen" in page
    assert f"/manage/calls/{call.id}/jury" in client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
    assert client.post(f"/manage/calls/{call.id}/jury/close").status_code == 302
    ranking = client.get(f"/manage/calls/{call.id}/jury/ranking").get_data(as_text=True)
    assert "Selectie bevestigen" in ranking and 'name="reason_' in ranking
    assert client.get(f"/manage/calls/{call.id}/jury/audit").status_code == 200
    client.post("/account/logout")
    auditor = f.user("auditor")
    _login(client, auditor)
    assert client.get(f"/manage/calls/{call.id}/jury/ranking").status_code == 200
    assert "Selectie bevestigen" not in client.get(f"/manage/calls/{call.id}/jury/ranking").get_data(
        as_text=True
    )
    assert (
        client.post(f"/manage/calls/{call.id}/jury/confirm", data={"selected": [str(apps[0].id)]}).status_code
        == 403
    )
    client.post("/account/logout")
    _login(client, f.user("applicant"))
    assert client.get(f"/manage/calls/{call.id}/jury").status_code == 403


def test_confirm_form_asks_a_reason_for_each_deviation(client, opened):
    call, apps, manager, _juror = opened
    _login(client, manager)
    client.post(f"/manage/calls/{call.id}/jury/close")
    # nothing was scored: the proposal is empty, so selecting one is a deviation
    resp = client.post(f"/manage/calls/{call.id}/jury/confirm", data={"selected": [str(apps[0].id)]})
    assert resp.status_code == 422 and f'id="reason-{apps[0].id}-error"' in resp.get_data(as_text=True)
    resp = client.post(
        f"/manage/calls/{call.id}/jury/confirm",
        data={"selected": [str(apps[0].id)], f"reason_{apps[0].id}": "Sterk dossier, jury laat"},
    )
    assert resp.status_code == 302
    assert [a.status for a in apps] == ["selected", "not_selected"]


def test_forms_need_the_csrf_token(app, client, opened, monkeypatch):
    call, apps, manager, juror = opened
    _login(client, manager)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/manage/calls/{call.id}/jury").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 5
    assert client.post(f"/manage/calls/{call.id}/jury/close").status_code == 400
    assert jury.window_state(call) == "open"


def test_a_conflict_found_later_removes_the_scores_from_the_ranking(client, opened):
    call, apps, _manager, juror = opened
    _login(client, juror)
    client.post(f"/jury/applications/{apps[0].id}/declare", data={"decision": "no_conflict"})
    client.post(
        f"/jury/applications/{apps[0].id}/score",
        data={"score_impact": "8", "score_feasibility": "3", "action": "submit"},
    )
    assert jury.ranking(call)[0]["totals_count"] == 1
    assert "Toch een belangenconflict melden" in client.get(f"/jury/applications/{apps[0].id}").get_data(
        as_text=True
    )
    resp = client.post(
        f"/jury/applications/{apps[0].id}/declare",
        data={"decision": "conflict", "reason": "Blijkt mijn neef"},
    )
    assert resp.status_code == 302
    assert all(r["totals_count"] == 0 for r in jury.ranking(call))
