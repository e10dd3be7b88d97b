"""Every foundation page, for every role: the right answer and never an error page."""

from __future__ import annotations

import pytest

from app.accounts import services as accounts
from tests import factories as f

ROLES = ("anonymous", "applicant", "backer", "juror", "fund_manager", "auditor", "admin")
STAFF = {"fund_manager", "auditor", "admin"}
MANAGERS = {"fund_manager", "admin"}


@pytest.fixture
def world():
    manager = f.user("fund_manager")
    call = f.call(manager=manager)
    draft_call = f.call(manager=manager, publish=False)
    owner = f.user("applicant", email="owner@example.org")
    submitted = f.application(call, owner, status="submitted")
    ineligible = f.application(call, owner, status="ineligible")
    return {
        "call": call,
        "draft_call": draft_call,
        "owner": owner,
        "app": submitted,
        "ineligible": ineligible,
    }


def _client_as(app, role):
    client = app.test_client()
    if role != "anonymous":
        user = f.user(role)
        client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    return client


def _expected(role, page):
    anonymous = role == "anonymous"
    public = {"home", "calls", "call", "login", "register", "forgot", "health", "openapi", "reset"}
    if page in public:
        return 200
    if page == "draft_call":  # a draft does not exist for the public
        return 200 if role in STAFF else 404
    if anonymous:
        return 302  # to the log-in page
    if page in ("apply", "mine", "profile"):
        return 200
    if page in ("manage", "manage_call", "screen"):
        return 200 if role in STAFF else 403
    if page == "new_call":
        return 200 if role in MANAGERS else 403
    if page == "application":
        return 200 if role in STAFF else 404  # not the owner: nothing to see
    raise AssertionError(page)


PAGES = {
    "home": "/",
    "calls": "/calls",
    "call": "/calls/{call}",
    "draft_call": "/calls/{draft_call}",
    "apply": "/calls/{call}/apply",
    "mine": "/applications",
    "application": "/applications/{app}",
    "profile": "/account/profile",
    "login": "/account/login",
    "register": "/account/register",
    "forgot": "/account/forgot",
    "reset": "/account/reset/{reset}",
    "manage": "/manage/calls",
    "new_call": "/manage/calls/new",
    "manage_call": "/manage/calls/{call}",
    "screen": "/manage/applications/{app}",
    "health": "/healthz",
    "openapi": "/api/v1/openapi.json",
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_as_it_should_for_every_role(app, world, role):
    client = _client_as(app, role)
    ids = {
        "call": world["call"].id,
        "draft_call": world["draft_call"].id,
        "app": world["app"].id,
        "reset": accounts.make_token("reset", world["owner"]),
    }
    for name, pattern in PAGES.items():
        url = pattern.format(**ids)
        resp = client.get(url)
        assert resp.status_code == _expected(role, name), (role, url, resp.status_code)
        if resp.status_code == 200 and resp.mimetype == "text/html":
            html = resp.get_data(as_text=True)
            assert '<html lang="nl">' in html
            assert "Dat lukte niet" not in html


def test_the_owner_sees_own_pages_and_the_screening_result(app, world):
    client = app.test_client()
    client.post("/account/login", data={"email": "owner@example.org", "password": f.PASSWORD})
    mine = client.get("/applications").get_data(as_text=True)
    assert "ingediend" in mine and "niet ontvankelijk" in mine
    page = client.get(f"/applications/{world['ineligible'].id}").get_data(as_text=True)
    assert "Buiten het werkgebied." in page
    assert client.get(f"/calls/{world['call'].id}").status_code == 200


def test_the_auditor_reads_but_every_write_is_403(app, world):
    client = _client_as(app, "auditor")
    call_id, app_id = world["call"].id, world["app"].id
    assert client.post("/manage/calls/new", data={"title": "x"}).status_code == 403
    assert client.post(f"/manage/calls/{call_id}", data={"title": "x"}).status_code == 403
    assert client.post(f"/manage/calls/{world['draft_call'].id}/publish").status_code == 403
    resp = client.post(f"/manage/applications/{app_id}", data={"decision": "eligible"})
    assert resp.status_code == 403
    page = client.get(f"/manage/calls/{call_id}").get_data(as_text=True)
    assert "Publiceren" not in page and "<fieldset disabled>" in page
    assert "Beslissing bewaren" not in client.get(f"/manage/applications/{app_id}").get_data(as_text=True)


def test_fund_manager_screens_through_the_page(app, world):
    client = _client_as(app, "fund_manager")
    app_id = world["app"].id
    resp = client.post(f"/manage/applications/{app_id}", data={"decision": "ineligible", "reason": ""})
    assert resp.status_code == 422
    assert 'id="reason-error"' in resp.get_data(as_text=True)
    resp = client.post(f"/manage/applications/{app_id}", data={"decision": "eligible"})
    assert resp.status_code == 302
    assert "ontvankelijk" in client.get(f"/manage/calls/{world['call'].id}").get_data(as_text=True)


def test_fund_manager_creates_and_publishes_a_call_through_the_form(app):
    client = _client_as(app, "fund_manager")
    data = {
        "title": "Kansen voor kinderen",
        "description": "Projecten voor kwetsbare kinderen.",
        "theme": "jeugd",
        "municipalities": "Aalter\nDeinze",
        "applicant_types": ["association", "school"],
        "opens_at": "2027-01-01T09:00",
        "closes_at": "2027-03-31T17:00",
        "criteria": "impact | Impact | 2 | 10\nhaalbaar | Haalbaarheid | 1,5 | 5",
        "ratio": "1",
        "cap_per_project": "5.000,00",
        "campaign_days": "40",
        "disagreement_threshold": "15",
    }
    resp = client.post("/manage/calls/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    from app.calls.models import Call
    from app.extensions import db

    call = db.session.query(Call).filter_by(title="Kansen voor kinderen").one()
    assert call.municipalities == ["Aalter", "Deinze"]
    assert call.criteria[1] == {"key": "haalbaar", "label": "Haalbaarheid", "weight": 1.5, "max_score": 5}
    assert call.policy["cap_per_project_cents"] == 500000
    assert call.closes_at.isoformat() == "2027-03-31T15:00:00+00:00"  # 17:00 in Brussels
    assert client.post(f"/manage/calls/{call.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Call, call.id).status == "published"


def test_bad_criteria_lines_are_shown_next_to_the_field(app):
    client = _client_as(app, "fund_manager")
    resp = client.post("/manage/calls/new", data={"title": "x", "criteria": "alleen een woord"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="criteria-error"' in html and "Regel 1" in html


def test_unknown_pages_and_objects_are_404_pages(app):
    client = _client_as(app, "fund_manager")
    for url in ("/bestaat-niet", "/calls/999999", "/applications/999999", "/manage/applications/999999"):
        resp = client.get(url)
        assert resp.status_code == 404 and "Dat lukte niet" in resp.get_data(as_text=True), url


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("role", ["applicant", "fund_manager"])
def test_every_page_renders_in_english_and_french(app, world, role, lang):
    client = _client_as(app, role)
    client.post(f"/lang/{lang}")
    ids = {
        "call": world["call"].id,
        "draft_call": world["draft_call"].id,
        "app": world["app"].id,
        "reset": accounts.make_token("reset", world["owner"]),
    }
    for name, pattern in PAGES.items():
        resp = client.get(pattern.format(**ids))
        assert resp.status_code == _expected(role, name), (lang, role, name)
        if resp.mimetype == "text/html":
            html = resp.get_data(as_text=True)
            if resp.status_code == 200:
                assert f'<html lang="{lang}">' in html
            assert "Mijn aanvragen" not in html  # the menu is translated
