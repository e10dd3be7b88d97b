"""Issue 15: every manager action of the pages is in the API too, with the same roles,
errors and list shape: campaigns and offline gifts cancelled, sponsors edited, commitments
received, mail templates, payment events, the audit trail and its integrity check, the
tax-certificate export, the owner's story, pictures and updates, deleting an attachment."""

from __future__ import annotations

import copy
import io

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from app.payments import demo
from app.payments.services import demo_payment
from tests import factories
from tests.campaigns.fixtures import deliver, make_campaign, pledge, reload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def _headers(*roles):
    return factories.token_headers(factories.user(*roles))


def test_cancel_a_campaign(client):
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.id}/cancel"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=_headers("backer")).status_code == 403
    assert client.post(url, headers=_headers("auditor")).status_code == 403
    manager = _headers("fund_manager")
    r = client.post(url, headers=manager)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    again = client.post(url, headers=manager)
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert client.post("/api/v1/campaigns/999999/cancel", headers=manager).status_code == 404


def test_cancel_an_offline_gift(client):
    campaign = make_campaign()
    manager = _headers("fund_manager")
    gift = client.post(
        f"/api/v1/campaigns/{campaign.id}/offline-pledges",
        json={"amount_cents": 5000, "method": "cash", "reference": "kas 12", "display_name": "Kas"},
        headers=manager,
    )
    assert gift.status_code == 201
    url = f"/api/v1/pledges/{gift.json['id']}/cancel"
    assert client.post(url, json={}, headers=_headers("auditor")).status_code == 403
    r = client.post(url, json={"note": "dubbel geboekt"}, headers=manager)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert client.get(f"/api/v1/campaigns/{campaign.id}").json["raised_cents"] == 0
    assert client.post(url, json={}, headers=manager).status_code == 409
    online, _token = pledge(campaign)
    r = client.post(f"/api/v1/pledges/{online.id}/cancel", json={}, headers=manager)
    assert r.status_code == 409 and r.json["error"]["code"] == "not_offline"
    assert client.post("/api/v1/pledges/999999/cancel", json={}, headers=manager).status_code == 404


def test_edit_a_sponsor_and_mark_a_commitment_received(client):
    manager = _headers("fund_manager")
    sponsor = client.post("/api/v1/sponsors", json={"name": "Bakkerij Peeters"}, headers=manager).json
    url = f"/api/v1/sponsors/{sponsor['id']}"
    r = client.patch(url, json={"name": "Bakkerij Peeters nv", "public": False}, headers=manager)
    assert r.status_code == 200 and (r.json["name"], r.json["public"], r.json["kind"]) == (
        "Bakkerij Peeters nv",
        False,
        "company",
    )
    bad = client.patch(url, json={"contact_email": "geen-adres"}, headers=manager)
    assert bad.status_code == 422 and "contact_email" in bad.json["error"]["details"]
    assert client.patch(url, json={"name": "x"}, headers=_headers("auditor")).status_code == 403
    assert client.get(url, headers=_headers("auditor")).json["name"] == "Bakkerij Peeters nv"
    assert client.patch("/api/v1/sponsors/999999", json={"name": "x"}, headers=manager).status_code == 404
    commitment = client.post(f"{url}/commitments", json={"amount_cents": 100_000}, headers=manager).json
    received = f"/api/v1/commitments/{commitment['id']}/received"
    assert client.post(received, json={}, headers=manager).status_code == 422
    r = client.post(
        received,
        json={"received_on": "2026-11-30", "received_reference": "BE12 overschrijving"},
        headers=manager,
    )
    assert r.status_code == 200
    assert (r.json["received"], r.json["received_on"], r.json["received_reference"]) == (
        True,
        "2026-11-30",
        "BE12 overschrijving",
    )
    assert r.json["available_cents"] == 100_000
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sponsor.update", "commitment.received"} <= actions


def test_read_and_edit_the_mail_templates(client):
    manager = _headers("fund_manager")
    listed = client.get("/api/v1/mail-templates", headers=manager)
    assert listed.status_code == 200 and listed.json["next"] is None
    assert any(row["kind"] == "pledge_receipt" for row in listed.json["items"])
    url = "/api/v1/mail-templates/pledge_receipt/nl"
    shipped = client.get(url, headers=manager).json
    assert shipped["overridden"] is False and shipped["subject"]
    r = client.put(
        url,
        json={"subject": "Dank je, {{ name }}!", "body": "Je gaf {{ amount_cents|money }}."},
        headers=manager,
    )
    assert (
        r.status_code == 200 and r.json["overridden"] is True and r.json["subject"] == "Dank je, {{ name }}!"
    )
    broken = client.put(url, json={"subject": "x", "body": "{{ onbekend_veld }"}, headers=manager)
    assert broken.status_code == 422 and "body" in broken.json["error"]["details"]
    assert client.get(url, headers=manager).json["subject"] == "Dank je, {{ name }}!"
    r = client.delete(url, headers=manager)
    assert r.status_code == 200 and r.json["overridden"] is False
    assert client.get("/api/v1/mail-templates/nope/nl", headers=manager).status_code == 404
    assert client.get("/api/v1/mail-templates/pledge_receipt/de", headers=manager).status_code == 404
    # Same roles as the page: the fund, not the overseer (mails hold personal data).
    assert client.get(url, headers=_headers("auditor")).status_code == 403
    assert {"mail_template.saved", "mail_template.reset"} <= set(
        db.session.scalars(select(AuditEvent.action))
    )


def test_list_payment_events_by_outcome(client, fake_stripe):
    campaign = make_campaign()
    p, _ = pledge(campaign, amount_cents=2500)
    event = fake_stripe.complete_checkout(p.checkout_session_id)
    unknown = copy.deepcopy(event)
    unknown["id"] = "evt_unknown_pledge"
    unknown["data"]["object"]["metadata"]["pledge_id"] = "999999"
    assert deliver(client, fake_stripe, unknown).json["outcome"] == "rejected"
    assert deliver(client, fake_stripe, event).json["outcome"] == "applied"
    auditor = _headers("auditor")
    rejected = client.get("/api/v1/payment-events?outcome=rejected", headers=auditor)
    assert rejected.status_code == 200
    assert [e["event_id"] for e in rejected.json["items"]] == ["evt_unknown_pledge"]
    assert rejected.json["items"][0]["reason"]
    every = client.get("/api/v1/payment-events", headers=auditor).json["items"]
    assert [e["outcome"] for e in every] == ["rejected", "applied"]
    first = client.get("/api/v1/payment-events?limit=1", headers=auditor).json
    assert len(first["items"]) == 1 and first["next"]
    assert client.get("/api/v1/payment-events?outcome=lost", headers=auditor).status_code == 422
    assert client.get("/api/v1/payment-events", headers=_headers("backer")).status_code == 403


def test_the_audit_trail_and_its_integrity_check(client):
    manager = _headers("fund_manager")
    client.post("/api/v1/sponsors", json={"name": "Audit Sponsor"}, headers=manager)
    auditor = _headers("auditor")
    found = client.get("/api/v1/audit?q=audit sponsor", headers=auditor)
    assert found.status_code == 200
    [event] = found.json["items"]
    assert event["action"] == "sponsor.create" and event["after"]["name"] == "Audit Sponsor"
    assert event["seal"] is None  # not sealed yet
    check = client.get("/api/v1/audit/integrity", headers=auditor)
    assert check.status_code == 200
    assert (check.json["ok"], check.json["ledger_failures"], check.json["audit_failures"]) == (True, [], [])
    [sealed] = client.get("/api/v1/audit?q=audit sponsor", headers=auditor).json["items"]
    assert sealed["seal"]["seq"] >= 1 and len(sealed["seal"]["hash"]) == 64
    assert client.get("/api/v1/audit?actor_id=x", headers=auditor).status_code == 422
    assert client.get("/api/v1/audit", headers=_headers("applicant")).status_code == 403


def test_the_tax_certificate_export_for_the_overseer(client, encryption_key):
    from tests.campaigns.test_pledges_api import CERT

    campaign = make_campaign()
    p, _ = pledge(campaign, amount_cents=5000, tax_certificate=CERT)
    demo.pay(demo_payment(p.checkout_session_id))
    db.session.commit()
    year = reload(p).confirmed_at.year
    assert (
        client.get(f"/api/v1/tax-certificates?year={year}", headers=_headers("fund_manager")).status_code
        == 403
    )
    auditor = factories.user("auditor")
    r = client.get(f"/api/v1/tax-certificates?year={year}", headers=factories.token_headers(auditor))
    assert r.status_code == 200
    [row] = r.json["items"]
    assert (row["national_register_number"], row["total_cents"], row["gifts"]) == ("85073003328", 5000, 1)
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tax_certificates.export"))
    assert (event.actor_id, event.object_id, event.after) == (auditor.id, year, {"donors": 1})
    assert (
        client.get("/api/v1/tax-certificates?year=1990", headers=factories.token_headers(auditor)).status_code
        == 422
    )


def test_the_owner_edits_story_pictures_and_updates(client):
    campaign = make_campaign()
    owner = db.session.get(type(factories.user()), campaign.owner_id)
    mine = factories.token_headers(owner)
    stranger = _headers("applicant")
    story = {"summary": "Een oven voor de buurt", "story_markdown": "## Waarom\nBrood voor iedereen."}
    assert (
        client.put(f"/api/v1/campaigns/{campaign.id}/story", json=story, headers=stranger).status_code == 404
    )
    r = client.put(f"/api/v1/campaigns/{campaign.id}/story", json=story, headers=mine)
    assert r.status_code == 200 and r.json["summary"] == "Een oven voor de buurt"
    too_long = client.put(f"/api/v1/campaigns/{campaign.id}/story", json={"summary": "x" * 501}, headers=mine)
    assert too_long.status_code == 422

    def upload(content, name, alt="Het bakhuis"):
        return client.post(
            f"/api/v1/campaigns/{campaign.id}/pictures",
            data={"file": (io.BytesIO(content), name), "alt_text": alt},
            headers=mine,
            content_type="multipart/form-data",
        )

    picture = upload(PNG, "oven.png")
    assert picture.status_code == 201 and picture.json["content_type"] == "image/png"
    assert upload(PDF, "plan.png").status_code == 422
    listed = client.get(f"/api/v1/campaigns/{campaign.id}/pictures")
    assert [p["id"] for p in listed.json["items"]] == [picture.json["id"]]
    gone = f"/api/v1/campaigns/{campaign.id}/pictures/{picture.json['id']}"
    assert client.delete(gone, headers=stranger).status_code == 404
    assert client.delete(gone, headers=mine).status_code == 204
    assert client.delete(gone, headers=mine).status_code == 404

    news = {"title": "De oven staat er", "body_markdown": "Dank aan alle steuners!"}
    r = client.post(f"/api/v1/campaigns/{campaign.id}/updates", json=news, headers=mine)
    assert r.status_code == 201 and r.json["title"] == "De oven staat er"
    assert (
        client.post(
            f"/api/v1/campaigns/{campaign.id}/updates", json={"title": "", "body_markdown": ""}, headers=mine
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/campaigns/{campaign.id}/updates", json=news, headers=_headers("auditor")
        ).status_code
        == 403
    )
    assert [u["title"] for u in client.get(f"/api/v1/campaigns/{campaign.id}/updates").json["items"]] == [
        "De oven staat er"
    ]


def test_delete_an_attachment_of_a_draft(client):
    owner = factories.user("applicant")
    mine = factories.token_headers(owner)
    application = factories.application(owner=owner)
    att = client.post(
        f"/api/v1/applications/{application.id}/attachments",
        data={"file": (io.BytesIO(PDF), "plan.pdf")},
        headers=mine,
        content_type="multipart/form-data",
    ).json
    url = f"/api/v1/applications/{application.id}/attachments/{att['id']}"
    assert client.delete(url, headers=_headers("fund_manager")).status_code == 404
    assert client.delete(url, headers=mine).status_code == 204
    assert client.get(url, headers=mine).status_code == 404
    assert client.delete(url, headers=mine).status_code == 404
    second = client.post(
        f"/api/v1/applications/{application.id}/attachments",
        data={"file": (io.BytesIO(PDF), "begroting.pdf")},
        headers=mine,
        content_type="multipart/form-data",
    ).json
    assert client.post(f"/api/v1/applications/{application.id}/submit", headers=mine).status_code == 200
    r = client.delete(f"/api/v1/applications/{application.id}/attachments/{second['id']}", headers=mine)
    assert r.status_code == 409 and r.json["error"]["code"] == "application_locked"
