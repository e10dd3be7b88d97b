"""Funds: created by an administrator (page, API, CLI), each with its own site, people,
money and mail; one fund's staff see nothing of another fund's."""

from __future__ import annotations

import pytest

from app.campaigns.models import Pledge
from app.core import tenancy
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.funds import services as funds
from app.matching import services as matching
from app.payments import services as payments
from tests import factories
from tests.funds.helpers import second_fund, world

PASSWORD = "lang-genoeg-wachtwoord-42"


def test_everything_of_a_one_fund_installation_is_in_the_default_fund(app):
    default = funds.default_fund()
    assert default.slug == app.config["DEFAULT_FUND_SLUG"]
    the_call = factories.call()
    assert the_call.fund_id == default.id
    application = factories.application(the_call)
    assert application.fund_id == default.id  # from its call


def test_a_fund_needs_a_readable_colour_a_free_slug_and_valid_values():
    with pytest.raises(ValidationFailed) as bad:
        funds.create("west", {"name": "West", "primary_colour": "#ffd700"})  # white on gold: 1.4:1
    assert "primary_colour" in bad.value.details
    with pytest.raises(ValidationFailed) as bad:
        funds.create("W", {"name": "West"})
    assert "slug" in bad.value.details
    with pytest.raises(ValidationFailed) as bad:
        funds.create("west", {"name": "West", "iban": "BE00 0000 0000 0000", "hosts": ["not a host"]})
    assert {"iban", "hosts"} <= set(bad.value.details)
    funds.create("west", {"name": "West", "primary_colour": "#0b5d3b", "hosts": ["west.example.org"]})
    with pytest.raises(Conflict):
        funds.create("west", {"name": "Nog eens West"})
    with pytest.raises(Conflict):
        funds.create("oost", {"name": "Oost", "hosts": ["west.example.org"]})


def test_admin_creates_and_edits_funds_through_the_api(client):
    admin = factories.user("admin")
    headers = factories.token_headers(admin)
    r = client.post(
        "/api/v1/funds", json={"slug": "west", "name": "West", "primary_colour": "#ffff00"}, headers=headers
    )
    assert r.status_code == 422 and "primary_colour" in r.get_json()["error"]["details"]
    r = client.post(
        "/api/v1/funds",
        json={"slug": "west", "name": "Streekfonds West-Vlaanderen", "iban": "BE71 0961 2345 6769"},
        headers=headers,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["iban"] == "BE71096123456769"
    r = client.patch("/api/v1/funds/west", json={"region": "West-Vlaanderen"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["region"] == "West-Vlaanderen"
    listed = client.get("/api/v1/funds").get_json()["items"]
    assert {f["slug"] for f in listed} == {funds.default_fund().slug, "west"}
    assert "iban" not in listed[0]  # the public face only
    manager = factories.user("fund_manager", funds=["west"])
    r = client.post(
        "/api/v1/funds", json={"slug": "oost", "name": "Oost"}, headers=factories.token_headers(manager)
    )
    assert r.status_code == 403


def test_flask_funds_create_and_users_create_with_fund(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["funds", "create", "west", "--name", "Streekfonds West-Vlaanderen"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["funds", "create", "west", "--name", "Dubbel"])
    assert result.exit_code != 0 and "fonds" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "w@example.org",
            "--role",
            "fund_manager",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code != 0  # two funds now: which one?
    result = runner.invoke(
        args=[
            "users",
            "create",
            "w@example.org",
            "--role",
            "fund_manager",
            "--fund",
            "west",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "fund_manager@west" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kbs@example.org",
            "--role",
            "auditor",
            "--fund",
            "*",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0 and "auditor" in result.output


def test_a_funds_site_lives_under_f_slug_and_on_its_hosts(client):
    west = second_fund()
    funds.update(west, {"hosts": ["west.example.org"], "footer": "Beheerd door West vzw"})
    db.session.commit()
    funds.forget()
    page = client.get("/f/west/calls").get_data(as_text=True)
    assert "Streekfonds West-Vlaanderen" in page and "Beheerd door West vzw" in page
    assert 'href="/f/west/calls"' in page  # links stay on the fund's site
    page = client.get("/calls", headers={"Host": "west.example.org"}).get_data(as_text=True)
    assert "Beheerd door West vzw" in page
    assert client.get("/f/nergens/calls").status_code == 404
    home = client.get("/").get_data(as_text=True)  # the platform's own host: the funds
    assert "Streekfonds West-Vlaanderen" in home and "west.example.org" in home


def test_a_call_of_one_fund_is_not_on_the_other_funds_site(client):
    west = second_fund()
    with tenancy.scoped({west.id}):
        west_call = factories.call(factories.user("fund_manager", funds=["west"]))
    home_call = factories.call(factories.user("fund_manager", funds=[funds.default_fund().slug]))
    db.session.commit()
    west_call_id, home_call_id = west_call.id, home_call.id
    db.session.expunge_all()  # as a server's new request: nothing loaded yet
    assert client.get(f"/f/west/calls/{west_call_id}").status_code == 200
    assert client.get(f"/calls/{west_call_id}").status_code == 404
    assert client.get(f"/f/west/calls/{home_call_id}").status_code == 404
    listed = client.get("/api/v1/calls?fund=west").get_json()
    assert [c["id"] for c in listed["items"]] == [west_call_id]
    assert listed["items"][0]["fund"] == "west"


def test_a_pledge_in_one_fund_never_moves_the_other_funds_sponsors_money():
    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    before = matching.commitment_balances(ours.commitment)
    # West's selection, campaign and a paid pledge there: its own sponsor's money only.
    theirs = world(west.id, "west")
    with tenancy.scoped({west.id}):
        payments.demo_pay(payments.demo_payment(theirs.pledge.checkout_session_id))
    assert db.session.get(Pledge, theirs.pledge.id).status == "succeeded"
    assert matching.commitment_balances(ours.commitment) == before
    assert matching.commitment_balances(theirs.commitment)["reserved_cents"] > 0
    assert theirs.commitment.fund_id == west.id


def test_a_selection_in_a_fund_without_sponsors_is_not_covered_by_another_funds(app):
    west = second_fund()
    from tests.matching.helpers import commitment, confirm, in_review

    commitment(10_000_000)  # the default fund's sponsor
    with tenancy.scoped({west.id}):
        manager = factories.user("fund_manager", funds=["west"])
        the_call = factories.call(manager)
        application = in_review(the_call, 400_000)
        with pytest.raises(Conflict) as refused:
            confirm(the_call, [application])
    assert refused.value.code == "match_not_covered"


def test_mail_goes_out_under_the_funds_sender_with_links_to_its_site(app):
    from sqlalchemy import select

    from app.notifications.models import OutboxMessage

    west = second_fund()
    funds.update(west, {"mail_from": "info@west.example.org", "mail_from_name": "Streekfonds West"})
    db.session.flush()
    funds.forget()
    theirs = world(west.id, "west")
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.fund_id == west.id)).all()
    assert rows, "the pledge's and the selection's mails belong to the fund"
    assert funds.mail_sender(west.id) == "Streekfonds West <info@west.example.org>"
    links = [str(r.context) for r in rows if "http" in str(r.context)]
    assert links and all("/f/west/" in text for text in links), links
    assert theirs.pledge.fund_id == west.id


def test_a_manager_of_two_funds_names_the_fund_of_a_new_call_and_sponsor(client):
    second_fund()
    home = funds.default_fund()
    both = factories.user("fund_manager", funds=[home.slug, "west"])
    one = factories.user("fund_manager", funds=["west"])
    headers = factories.token_headers(both)
    db.session.commit()
    r = client.post("/api/v1/calls", json={"title": "Zonder fonds"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "fund_required"
    r = client.post("/api/v1/calls", json={"title": "Voor West", "fund": "west"}, headers=headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["fund"] == "west"
    r = client.post("/api/v1/sponsors?fund=west", json={"name": "Provincie West"}, headers=headers)
    assert r.status_code == 201 and r.get_json()["fund"] == "west"
    # Who manages one fund needs not say which.
    r = client.post("/api/v1/calls", json={"title": "Ook West"}, headers=factories.token_headers(one))
    assert r.status_code == 201 and r.get_json()["fund"] == "west"
    # ... and cannot put one in a fund they do not manage.
    r = client.post(
        "/api/v1/calls",
        json={"title": "Ergens anders", "fund": home.slug},
        headers=factories.token_headers(one),
    )
    assert r.status_code in (403, 404)
