"""The pledge API (no account), the receipt token, and tax certificate requests."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.campaigns import services, taxcert
from app.campaigns.models import Pledge
from app.extensions import db
from app.payments import demo
from app.payments.services import demo_payment
from tests.campaigns.fixtures import make_campaign

BODY = {"amount_cents": 2500, "email": "  Bea@Example.ORG ", "display_name": "Bea", "message": "Succes!"}
CERT = {
    # 85.07.30-033 → 850730033 = 97 × 8770412 + 69, so the check is 97 − 69 = 28.
    "national_register_number": "85.07.30-033.28",
    "name": "Bea Backer",
    "street": "Kerkstraat 1",
    "postal_code": "9000",
    "city": "Gent",
}


def _count():
    return db.session.scalar(select(func.count(Pledge.id)))


def test_pledge_is_created_pending_with_a_checkout_and_a_token(client):
    campaign = make_campaign()
    r = client.post(f"/api/v1/campaigns/{campaign.id}/pledges", json=BODY)
    assert r.status_code == 201
    body = r.json
    assert body["status"] == "pending" and body["checkout_url"].startswith(
        "http://testserver.local/demo/checkout/"
    )
    p = db.session.get(Pledge, body["id"])
    assert (p.email, p.method, p.amount_cents) == ("bea@example.org", "demo", 2500)
    assert body["receipt_token"] not in (p.receipt_token_hash, p.receipt_nonce)

    status = client.get(f"/api/v1/pledges/{p.id}?token={body['receipt_token']}")
    assert status.status_code == 200 and status.json["status"] == "pending"
    assert client.get(f"/api/v1/pledges/{p.id}?token=wrong").status_code == 404
    assert client.get(f"/api/v1/pledges/{p.id}").status_code == 404
    # It counts only once the gateway confirms it.
    assert client.get(f"/api/v1/campaigns/{campaign.id}").json["raised_cents"] == 0
    demo.pay(demo_payment(p.checkout_session_id))
    db.session.commit()
    assert client.get(f"/api/v1/pledges/{p.id}?token={body['receipt_token']}").json["status"] == "succeeded"
    assert client.get(f"/api/v1/campaigns/{campaign.id}").json["raised_cents"] == 2500


def test_idempotency_key_returns_the_same_pledge(client):
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    first = client.post(url, json=BODY, headers={"Idempotency-Key": "abc-1"})
    again = client.post(url, json=BODY, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json == again.json
    other = client.post(url, json={**BODY, "amount_cents": 9900}, headers={"Idempotency-Key": "abc-1"})
    assert other.status_code == 409 and other.json["error"]["code"] == "idempotency_key_reused"
    assert _count() == 1


def test_bad_input_is_422_and_closed_campaign_409_and_nothing_is_written(client):
    campaign = make_campaign(min_pledge_cents=1000, max_pledge_cents=20_000)
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    for bad in (
        {**BODY, "amount_cents": 999},
        {**BODY, "amount_cents": 20_001},
        {**BODY, "amount_cents": "25"},
        {**BODY, "email": "not-an-email"},
        {**BODY, "display_name": "", "anonymous": False},
        {k: v for k, v in BODY.items() if k != "email"},
    ):
        r = client.post(url, json=bad)
        assert r.status_code == 422, (bad, r.json)
    assert client.post(url, json={**BODY, "amount_cents": 1000}).status_code == 201
    assert (
        client.post(
            url, json={**BODY, "amount_cents": 20_000, "display_name": "", "anonymous": True}
        ).status_code
        == 201
    )
    draft = make_campaign(open_now=False)
    assert (
        client.post(f"/api/v1/campaigns/{draft.id}/pledges", json=BODY).status_code == 404
    )  # drafts are hidden
    services.close_campaign(campaign)
    db.session.commit()
    r = client.post(url, json=BODY)
    assert r.status_code == 409 and r.json["error"]["code"] == "campaign_not_open"
    assert _count() == 2
    assert client.post("/api/v1/campaigns/999999/pledges", json=BODY).status_code == 404


def test_register_number_check_with_the_2000_rule():
    assert taxcert.rrn_is_valid("85.07.30-033.28")
    assert not taxcert.rrn_is_valid("85.07.30-033.29")
    # Born 2003: 2030201123 = 97 × 20929908 + 47, check 97 − 47 = 50.
    assert taxcert.rrn_is_valid("03020112350")
    assert not taxcert.rrn_is_valid("0302011235")  # ten digits
    assert not taxcert.rrn_is_valid("85.13.30-033.xx")


def test_tax_certificate_needs_a_key_and_is_kept_encrypted(client, app, encryption_key, monkeypatch):
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    bad = client.post(
        url, json={**BODY, "tax_certificate": {**CERT, "national_register_number": "85073003329"}}
    )
    assert (
        bad.status_code == 422 and "tax_certificate.national_register_number" in bad.json["error"]["details"]
    )
    r = client.post(url, json={**BODY, "tax_certificate": CERT})
    assert r.status_code == 201
    stored = db.session.scalar(select(Pledge).options(undefer(Pledge.tax_certificate_encrypted)))
    assert (
        b"85073003328" not in stored.tax_certificate_encrypted
        and b"Kerkstraat" not in stored.tax_certificate_encrypted
    )
    assert "national_register_number" not in str(
        client.get(f"/api/v1/pledges/{stored.id}?token={r.json['receipt_token']}").json
    )

    demo.pay(demo_payment(stored.checkout_session_id))
    year = stored.confirmed_at.year
    rows = services.tax_certificate_requests(year)
    assert [(x["pledge_id"], x["national_register_number"], x["net_cents"], x["eligible"]) for x in rows] == [
        (stored.id, "85073003328", 2500, False)  # 25 euro is below the 40 euro of a certificate
    ]
    assert services.tax_certificate_requests(year - 1) == []

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", "")
    refused = client.post(url, json={**BODY, "tax_certificate": CERT})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "tax_certificate_unavailable"
    assert _count() == 1
