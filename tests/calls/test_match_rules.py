"""Issue 15: the call form sets every match_policy field, the public call page states the
rules in plain Dutch, and min_backers on a live call is refused (422, with the reason)."""

from __future__ import annotations

from sqlalchemy import select

from app.calls.models import Call
from app.calls.policy_text import rules_in_words
from app.extensions import db
from tests import factories as f
from tests.api.test_calls_api import CALL_BODY

LIVE = {"mode": "live", "condition": "none"}


def _login(client, role):
    user = f.user(role)
    client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    return user


def test_min_backers_on_a_live_call_is_refused_with_the_reason(client):
    headers = f.token_headers(f.user("fund_manager"))
    body = {**CALL_BODY, "match_policy": {**LIVE, "min_backers": 10}}
    r = client.post("/api/v1/calls", json=body, headers=headers)
    assert r.status_code == 422
    [reason] = r.json["error"]["details"]["match_policy"]
    assert "min_backers" in reason and "live" in reason
    assert db.session.scalar(select(Call.id)) is None
    # At close it means something: the minimum is judged when the campaign closes.
    ok = client.post(
        "/api/v1/calls", json={**CALL_BODY, "match_policy": {"min_backers": 10}}, headers=headers
    )
    assert ok.status_code == 201
    # Turning that call live later is judged with the rules it joins: refused too.
    r = client.patch(f"/api/v1/calls/{ok.json['id']}", json={"match_policy": LIVE}, headers=headers)
    assert r.status_code == 422 and "min_backers" in r.json["error"]["details"]["match_policy"][0]
    r = client.patch(
        f"/api/v1/calls/{ok.json['id']}",
        json={"match_policy": {**LIVE, "min_backers": None}},
        headers=headers,
    )
    assert r.status_code == 200 and r.json["match_policy"]["mode"] == "live"


def test_the_call_form_sets_every_match_policy_field(client):
    _login(client, "fund_manager")
    data = {
        "title": "Alle regels",
        "description": "Projecten.",
        "municipalities": "Eeklo",
        "applicant_types": ["association"],
        "criteria": "impact | Impact | 1 | 10",
        "ratio": "0.5",
        "cap_per_project": "4.000,00",
        "cap_share_of_budget": "25",
        "cap_per_backer": "50,00",
        "min_backers": "10",
        "condition": "target_reached",
        "mode": "at_close",
        "exclude_owner": "y",
        "campaign_days": "30",
        "disagreement_threshold": "15",
    }
    r = client.post("/manage/calls/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    call = db.session.scalar(select(Call).where(Call.title == "Alle regels"))
    assert call.match_policy == {
        "ratio": 0.5,
        "cap_per_project_cents": 400_000,
        "cap_share_of_budget": 0.25,
        "cap_per_backer_cents": 5_000,
        "min_backers": 10,
        "condition": "target_reached",
        "mode": "at_close",
        "exclude_owner": True,
        "offline_eligible": False,  # unticked
    }
    # The edit form shows them back.
    page = client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
    assert '<input id="cap_per_backer" name="cap_per_backer" type="text" value="50,00">' in page
    assert '<input checked id="mode-0" name="mode" type="radio" value="at_close">' in page
    assert 'name="min_backers" type="number" value="10"' in page
    assert '<input id="offline_eligible" name="offline_eligible" type="checkbox" value="y">' in page
    # Live with a minimum of backers: the error is next to the policy fields, nothing saved.
    r = client.post(f"/manage/calls/{call.id}", data={**data, "mode": "live", "condition": "none"})
    assert r.status_code == 422 and "min_backers kan niet bij live" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, call.id).match_policy["mode"] == "at_close"


def test_the_public_call_page_states_the_rules_in_plain_dutch(client, app):
    call = f.call(match_policy={"ratio": 1, "cap_per_project_cents": 600_000, "cap_per_backer_cents": 5_000})
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert (
        "Sponsors verdubbelen elke euro tot € 6.000,00 per project, als het doel gehaald wordt; "
        "maximaal € 50,00 per steuner telt mee." in page.replace("\xa0", " ")
    )
    assert "De verdubbeling wordt berekend en uitbetaald wanneer de campagne sluit." in page
    assert "Giften van de projecteigenaar tellen niet mee." in page
    with app.test_request_context("/"):
        live = rules_in_words(
            {
                **LIVE,
                "ratio": 0.5,
                "cap_per_project_cents": 100_000,
                "offline_eligible": False,
                "min_backers": None,
            }
        )
        assert (
            live[0].replace("\xa0", " ") == "Sponsors leggen 50 cent bij per euro tot € 1.000,00 per project."
        )
        assert "meteen" in live[1]
        assert "Alleen online giften tellen mee, geen overschrijvingen of cash." in live
        share = rules_in_words({"cap_share_of_budget": 0.2, "min_backers": 5, "exclude_owner": False})
        assert "Eén project krijgt hoogstens 20% van het budget voor verdubbeling." in share
        assert "Er zijn minstens 5 steuners nodig." in share
        assert not any("projecteigenaar" in s for s in share)
