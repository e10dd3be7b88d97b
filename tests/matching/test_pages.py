"""The fund manager's sponsor and match-audit pages, their CSV exports and their guards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.matching.models import Commitment, Sponsor
from tests import factories
from tests.matching import helpers as h


def login(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    assert resp.status_code == 302


@pytest.fixture
def manager(client):
    user = factories.user("fund_manager")
    login(client, user)
    return user


def test_a_manager_adds_a_sponsor_and_a_commitment_through_the_pages(client, manager):
    resp = client.post(
        "/manage/sponsors", data={"name": "Streekintercommunale", "kind": "intercommunale", "public": "y"}
    )
    assert resp.status_code == 302
    sponsor = db.session.scalars(select(Sponsor).filter_by(name="Streekintercommunale")).one()
    resp = client.post(
        f"/manage/sponsors/{sponsor.id}",
        data={
            "c-amount": "1.250,50",
            "c-call_id": "",
            "c-theme": "klimaat",
            "c-municipalities": "Eeklo\nMaldegem",
        },
    )
    assert resp.status_code == 302
    c = db.session.scalars(select(Commitment).filter_by(sponsor_id=sponsor.id)).one()
    assert (c.amount_cents, c.theme, c.municipalities) == (125_050, "klimaat", ["Eeklo", "Maldegem"])
    page = client.get(f"/manage/sponsors/{sponsor.id}").get_data(as_text=True)
    assert "1.250,50" in page and "Eeklo, Maldegem" in page
    resp = client.post(
        f"/manage/commitments/{c.id}/received",
        data={"r-received_on": "2027-01-15", "r-received_reference": "OGM 123"},
    )
    assert resp.status_code == 302 and c.received and c.received_reference == "OGM 123"


def test_a_bad_amount_is_shown_next_to_the_field(client, manager):
    sponsor = h.commitment(100).sponsor
    resp = client.post(f"/manage/sponsors/{sponsor.id}", data={"c-amount": "twaalf"})
    assert resp.status_code == 422
    assert 'aria-invalid="true"' in resp.get_data(as_text=True)
    assert len(db.session.scalars(select(Commitment).filter_by(sponsor_id=sponsor.id)).all()) == 1


def test_pages_are_for_fund_managers_and_the_auditor_only_reads(client):
    sponsor = h.commitment(100).sponsor
    login(client, factories.user("applicant"))
    assert client.get("/manage/sponsors").status_code == 403
    client.post("/account/logout")
    login(client, factories.user("auditor"))
    assert client.get(f"/manage/sponsors/{sponsor.id}").status_code == 200
    assert client.post("/manage/sponsors", data={"name": "X", "kind": "other"}).status_code == 403


def test_the_audit_page_and_csv_trace_every_euro_to_a_sponsor(client, manager):
    c = h.commitment(500_000, name="=HYPERLINK(evil)")
    call = factories.call()
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    page = client.get(f"/manage/campaigns/{campaign.id}/match").get_data(as_text=True)
    assert "€\xa0300,00" in page.replace("€ ", "€\xa0") and "1.000,00" in page, page[page.find("<main") :]
    csv = client.get(f"/manage/campaigns/{campaign.id}/match.csv").get_data(as_text=True).splitlines()
    assert csv[0] == "commitment_id,sponsor_id,sponsor_name,reserved_cents,matched_cents,released_cents"
    assert csv[1] == f"{c.id},{c.sponsor_id},'=HYPERLINK(evil),100000,0,0"
    sponsor_csv = (
        client.get(f"/manage/sponsors/{c.sponsor_id}/report.csv").get_data(as_text=True).splitlines()
    )
    assert sponsor_csv[1].startswith(f"{application.id},{campaign.id},")
    assert client.get("/manage/ledger/verify").status_code == 200


def test_the_campaign_page_tells_a_backer_what_their_pledge_becomes(client):
    """'Your 20 euro becomes 40' from the live projection; it stops at the project's maximum."""
    call = factories.call()
    h.commitment(1_000_000)
    app = h.in_review(call, target_cents=500_000)
    h.confirm(call, [app])
    campaign = h.open_campaign(app)
    # Babel writes a no-break space between the euro sign and the amount.
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True).replace("\xa0", " ")
    assert "Jouw € 20,00 wordt € 40,00." in page
    assert "Jouw € 50,00 wordt € 100,00." in page
    # With the maximum match (ratio 1 × target € 5.000) already earned, a pledge adds no match.
    h.give(campaign, 500_000, email="big@example.org")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="pledge-effect"' not in page and "Jouw " not in page
