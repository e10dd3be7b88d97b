"""The sponsor portal: contacts linked (or invited) by the fund manager see only their own
sponsors: commitments with earmark and balances, the projects their money doubled and what
each drew from them. Everyone else gets 404."""

from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests import factories
from tests.matching import helpers as h
from tests.matching.test_live import live_campaign


def _login(client, user):
    r = client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 302


def test_the_fund_manager_links_an_existing_user_and_they_see_only_their_sponsor(client, app):
    mine = h.commitment(40_000, name="Bakkerij Peeters", municipalities=["Gent"])
    other = h.commitment(30_000, name="Brouwerij")
    campaign = live_campaign()
    h.give(campaign, 10_000, "a@example.org")  # 10,000 drawn from the Gent commitment first
    manager = factories.token_headers(factories.user("fund_manager"))
    contact = factories.user("backer", email="jan@bakkerij.example")
    url = f"/api/v1/sponsors/{mine.sponsor_id}/contacts"
    r = client.post(url, json={"email": "Jan@Bakkerij.example"}, headers=manager)
    assert r.status_code == 201
    assert (r.json["user_id"], r.json["status"], r.json["created"]) == (contact.id, "linked", True)
    assert client.post(url, json={"email": "jan@bakkerij.example"}, headers=manager).json["created"] is False
    assert db.session.get(type(contact), contact.id).roles == {"backer", "sponsor"}
    listed = client.get(url, headers=manager).json
    assert [c["email"] for c in listed["items"]] == ["jan@bakkerij.example"] and listed["next"] is None

    own = factories.token_headers(contact)
    report = client.get(f"/api/v1/sponsors/{mine.sponsor_id}/report", headers=own)
    assert report.status_code == 200
    [commitment] = report.json["commitments"]
    assert (
        commitment["earmark"]["municipalities"],
        commitment["available_cents"],
        commitment["matched_cents"],
    ) == (
        ["Gent"],
        30_000,
        10_000,
    )
    [project] = report.json["projects"]
    assert (project["campaign_id"], project["matched_cents"]) == (campaign.id, 10_000)
    # Not someone else's sponsor, not the fund's lists, not the contacts.
    assert client.get(f"/api/v1/sponsors/{other.sponsor_id}/report", headers=own).status_code == 404
    assert client.get(f"/api/v1/sponsors/{other.sponsor_id}", headers=own).status_code == 404
    assert client.get(f"/api/v1/sponsors/{mine.sponsor_id}", headers=own).json["name"] == "Bakkerij Peeters"
    assert client.get("/api/v1/sponsors", headers=own).status_code == 403
    assert client.get(url, headers=own).status_code == 403
    assert [s["id"] for s in client.get("/api/v1/my/sponsors", headers=own).json["items"]] == [
        mine.sponsor_id
    ]
    # A backer who is no contact sees no sponsor at all.
    stranger = factories.token_headers(factories.user("backer", "sponsor"))
    assert client.get(f"/api/v1/sponsors/{mine.sponsor_id}/report", headers=stranger).status_code == 404

    _login(client, contact)
    page = client.get("/sponsor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bakkerij Peeters" in html and "Brouwerij" not in html and campaign.title in html

    # Unlinked: the report and the role go at once.
    r = client.delete(f"{url}/{contact.id}", headers=manager)
    assert r.status_code == 204
    assert client.get(f"/api/v1/sponsors/{mine.sponsor_id}/report", headers=own).status_code in (403, 404)
    assert "sponsor" not in db.session.get(type(contact), contact.id).roles
    assert client.delete(f"{url}/{contact.id}", headers=manager).status_code == 404
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sponsor.contact_linked", "sponsor.contact_unlinked"} <= actions


def test_a_new_address_gets_an_invitation_whose_link_links_whoever_follows_it(client):
    c = h.commitment(10_000, name="Stad Eeklo")
    manager = factories.token_headers(factories.user("fund_manager"))
    url = f"/api/v1/sponsors/{c.sponsor_id}/contacts"
    r = client.post(url, json={"email": "schepen@eeklo.example"}, headers=manager)
    assert r.status_code == 201 and (r.json["status"], r.json["user_id"]) == ("invited", None)
    assert client.post(url, json={"email": "geen-adres"}, headers=manager).status_code == 422
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sponsor_invited")).all()
    assert mail.recipient == "schepen@eeklo.example" and mail.context["sponsor_name"] == "Stad Eeklo"
    link = mail.context["invite_url"]
    path = (
        link.split("testserver.local", 1)[-1] if "testserver.local" in link else "/" + link.split("/", 3)[3]
    )
    # Registering with the address is not enough (anyone may register any address) ...
    new = factories.user("backer", email="schepen@eeklo.example")
    assert (
        client.get(
            f"/api/v1/sponsors/{c.sponsor_id}/report", headers=factories.token_headers(new)
        ).status_code
        == 403
    )
    # ... following the mailed link is.
    _login(client, new)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 303
    assert (
        client.get(
            f"/api/v1/sponsors/{c.sponsor_id}/report", headers=factories.token_headers(new)
        ).status_code
        == 200
    )
    assert client.post("/sponsor/invitations/forged").status_code == 404


def test_the_manage_page_links_and_unlinks_contacts(client):
    c = h.commitment(10_000, name="Paginasponsor")
    contact = factories.user("backer", email="pagina@sponsor.example")
    _login(client, factories.user("fund_manager"))
    r = client.post(f"/manage/sponsors/{c.sponsor_id}/contacts", data={"email": "pagina@sponsor.example"})
    assert r.status_code == 303
    page = client.get(f"/manage/sponsors/{c.sponsor_id}").get_data(as_text=True)
    assert "pagina@sponsor.example" in page
    r = client.post(f"/manage/sponsors/{c.sponsor_id}/contacts/{contact.id}/remove")
    assert r.status_code == 303
    assert "pagina@sponsor.example" not in client.get(f"/manage/sponsors/{c.sponsor_id}").get_data(
        as_text=True
    )


def test_the_manage_page_edits_a_sponsor(client):
    c = h.commitment(10_000, name="Oude naam")
    _login(client, factories.user("fund_manager"))
    r = client.post(
        f"/manage/sponsors/{c.sponsor_id}/edit",
        data={
            "edit-name": "Nieuwe naam",
            "edit-contact_email": "info@nieuw.example",
            "edit-kind": "foundation",
        },
    )
    assert r.status_code == 303
    from app.matching.models import Sponsor

    db.session.expire_all()
    sponsor = db.session.get(Sponsor, c.sponsor_id)
    assert (sponsor.name, sponsor.contact_email, sponsor.kind, sponsor.public) == (
        "Nieuwe naam",
        "info@nieuw.example",
        "foundation",
        False,
    )
    bad = client.post(
        f"/manage/sponsors/{c.sponsor_id}/edit", data={"edit-name": "x", "edit-contact_email": "geen"}
    )
    assert bad.status_code == 303
    db.session.expire_all()
    assert db.session.get(Sponsor, c.sponsor_id).contact_email == "info@nieuw.example"
    assert "sponsor.update" in set(db.session.scalars(select(AuditEvent.action)))
