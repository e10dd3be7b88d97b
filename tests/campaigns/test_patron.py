"""The patron of a campaign: set by the fund manager (page and PATCH /api/v1/campaigns/{id}),
shown on the campaign page, and reached by the "campaign opened" mail."""

from __future__ import annotations

from sqlalchemy import select

from app.campaigns import services
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests import factories
from tests.campaigns.fixtures import login, make_campaign, reload

PATRON = {
    "patron_name": "Bert Burgemeester",
    "patron_email": "Burgemeester@Eeklo.be ",
    "patron_role": "burgemeester van Eeklo",
}


def _patron_mails(campaign_id: int) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "campaign_opened",
                OutboxMessage.dedupe_key.like(f"campaign_opened:{campaign_id}:patron%"),
            )
        )
    )


def test_the_manager_sets_the_patron_through_the_api_and_the_opening_mail_reaches_them(client):
    campaign = make_campaign(open_now=False)
    manager = factories.user("fund_manager")
    headers = factories.token_headers(manager)
    r = client.patch(f"/api/v1/campaigns/{campaign.id}", json=PATRON, headers=headers)
    assert r.status_code == 200, r.json
    assert (r.json["patron_name"], r.json["patron_email"], r.json["patron_role"]) == (
        "Bert Burgemeester",
        "burgemeester@eeklo.be",
        "burgemeester van Eeklo",
    )
    assert _patron_mails(campaign.id) == []  # a draft: nobody is told yet
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.patron_set")).all()
    assert event.actor_id == manager.id and event.after["patron_email"] == "burgemeester@eeklo.be"
    # The public campaign keeps its fields (the patron is on the municipality page).
    assert "patron_email" not in client.get(f"/api/v1/campaigns/{campaign.id}", headers=headers).json
    services.open_campaign(reload(campaign), manager.id)
    db.session.commit()
    [mail] = _patron_mails(campaign.id)
    assert mail.recipient == "burgemeester@eeklo.be"
    assert mail.context["is_patron"] is True and mail.context["name"] == "Bert Burgemeester"
    # Only the role changes: no second mail.
    r = client.patch(f"/api/v1/campaigns/{campaign.id}", json={"patron_role": "schepen"}, headers=headers)
    assert r.status_code == 200 and r.json["patron_name"] == "Bert Burgemeester"
    assert len(_patron_mails(campaign.id)) == 1


def test_a_patron_set_on_an_open_campaign_hears_of_it_at_once(client):
    campaign = make_campaign()
    headers = factories.token_headers(factories.user("admin"))
    assert client.patch(f"/api/v1/campaigns/{campaign.id}", json=PATRON, headers=headers).status_code == 200
    [mail] = _patron_mails(campaign.id)
    assert mail.recipient == "burgemeester@eeklo.be"
    other = {"patron_name": "Mia Meter", "patron_email": "mia@example.org"}
    assert client.patch(f"/api/v1/campaigns/{campaign.id}", json=other, headers=headers).status_code == 200
    assert sorted(m.recipient for m in _patron_mails(campaign.id)) == [
        "burgemeester@eeklo.be",
        "mia@example.org",
    ]


def test_patron_errors_and_roles(client):
    campaign = make_campaign(open_now=False)
    url = f"/api/v1/campaigns/{campaign.id}"
    manager = factories.token_headers(factories.user("fund_manager"))
    assert client.patch(url, json=PATRON).status_code == 401
    for roles in (("backer",), ("auditor",), ("applicant", "juror")):
        assert (
            client.patch(
                url, json=PATRON, headers=factories.token_headers(factories.user(*roles))
            ).status_code
            == 403
        )
    r = client.patch(url, json={**PATRON, "patron_email": "geen-adres"}, headers=manager)
    assert r.status_code == 422 and "patron_email" in r.json["error"]["details"]
    r = client.patch(url, json={"patron_email": "a@example.org"}, headers=manager)
    assert r.status_code == 422 and "patron_name" in r.json["error"]["details"]
    r = client.patch(url, json={"patron_name": "x" * 201}, headers=manager)
    assert r.status_code == 422 and "patron_name" in r.json["error"]["details"]
    assert client.patch(url, json={"patron_name": 5}, headers=manager).status_code == 422
    assert client.patch("/api/v1/campaigns/99999", json=PATRON, headers=manager).status_code == 404
    assert reload(campaign).patron_name is None  # nothing half-written
    services.close_campaign(campaign, None, cancel=True)
    r = client.patch(url, json=PATRON, headers=manager)
    assert r.status_code == 409 and r.json["error"]["code"] == "campaign_closed"


def test_the_manager_sets_the_patron_on_the_campaign_page(client):
    campaign = make_campaign(open_now=False)
    login(client, factories.user("fund_manager"))
    page = client.get(f"/manage/campaigns/{campaign.id}")
    assert page.status_code == 200 and 'name="patron-patron_email"' in page.get_data(as_text=True)
    bad = client.post(
        f"/manage/campaigns/{campaign.id}/patron",
        data={"patron-patron_name": "Bert", "patron-patron_email": "geen-adres"},
    )
    assert bad.status_code == 422
    assert "Geen geldig e-mailadres." in bad.get_data(as_text=True)
    ok = client.post(
        f"/manage/campaigns/{campaign.id}/patron",
        data={f"patron-{k}": v for k, v in PATRON.items()},
    )
    assert ok.status_code == 303
    assert reload(campaign).patron_email == "burgemeester@eeklo.be"
    services.open_campaign(campaign, None)
    db.session.commit()
    shown = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Bert Burgemeester" in shown and "burgemeester van Eeklo" in shown
    assert "burgemeester@eeklo.be" not in shown
