"""The page after the checkout follows the payment: thanks only for a paid pledge; a
failed, expired or abandoned one says nothing was charged and offers a retry."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.campaigns import services
from app.campaigns.models import Pledge
from app.extensions import db
from tests.campaigns.fixtures import make_campaign, reload

HOST = "http://testserver.local"


def _pledge(client, campaign, amount="25,50"):
    data = {"amount": amount, "email": "bea@example.org", "display_name": "Bea"}
    r = client.post(f"/campaigns/{campaign.id}/pledge", data=data)
    assert r.status_code == 303, r.data[:2000]
    return r.headers["Location"].replace(HOST, "")


def _text(response) -> str:
    return response.data.decode().replace("\xa0", " ")


def test_a_failed_payment_is_never_thanked_and_the_retry_opens_a_new_checkout(client):
    campaign = make_campaign()
    checkout = _pledge(client, campaign)
    r = client.post(checkout, data={"action": "fail"})
    first = db.session.scalar(select(Pledge))
    assert r.headers["Location"].endswith(f"/pledges/{first.id}/thanks")
    page = client.get(f"/pledges/{first.id}/thanks")
    text = _text(page)
    assert page.status_code == 200 and reload(first).status == "failed"
    assert "Er is niets afgeschreven" in text and "Bedankt" not in text
    assert "<title>Je betaling is niet gelukt" in text
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{40})"', text).group(1)

    again = client.post(f"/pledges/{first.id}/retry", data={"token": token})
    assert again.status_code == 303 and "/demo/checkout/" in again.headers["Location"]
    pledges = db.session.scalars(select(Pledge).order_by(Pledge.id)).all()
    assert [p.status for p in pledges] == ["failed", "pending"]
    second = pledges[1]
    assert (second.amount_cents, second.email, second.display_name) == (2550, "bea@example.org", "Bea")
    client.post(again.headers["Location"].replace(HOST, ""), data={"action": "pay"})
    paid = _text(client.get(f"/pledges/{second.id}/thanks"))
    assert "Bedankt!" in paid and "Je bijdrage van € 25,50" in paid and "is betaald" in paid
    assert "Er is niets afgeschreven" not in paid and "wa.me" in paid  # the share prompt
    assert services.raised_cents(campaign) == 2550


def test_leaving_the_checkout_says_nothing_was_charged_and_the_retry_returns_to_it(client):
    campaign = make_campaign()
    checkout = _pledge(client, campaign)
    back = client.post(checkout, data={"action": "cancel"})
    pledge = db.session.scalar(select(Pledge))
    assert back.headers["Location"].endswith(f"/pledges/{pledge.id}/thanks?cancelled=1")
    text = _text(client.get(back.headers["Location"].replace(HOST, "")))
    assert "Er is niets afgeschreven" in text and "Je hebt de betaling afgebroken" in text
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{40})"', text).group(1)
    again = client.post(f"/pledges/{pledge.id}/retry", data={"token": token})
    assert again.headers["Location"].replace(HOST, "") == checkout  # the same open checkout
    assert db.session.scalar(select(db.func.count(Pledge.id))) == 1


def test_a_pending_payment_says_what_happens_next(client):
    campaign = make_campaign()
    checkout = _pledge(client, campaign)
    pledge = db.session.scalar(select(Pledge))
    text = _text(client.get(f"/pledges/{pledge.id}/thanks"))
    assert "We wachten op je betaling" in text and "Wat gebeurt er nu?" in text
    assert "Bedankt" not in text and checkout


def test_retry_refuses_a_wrong_token_and_a_paid_pledge(client):
    campaign = make_campaign()
    checkout = _pledge(client, campaign)
    client.post(checkout, data={"action": "pay"})
    pledge = db.session.scalar(select(Pledge))
    assert client.post(f"/pledges/{pledge.id}/retry", data={"token": "0" * 40}).status_code == 404
    token = services.receipt_token(pledge)
    r = client.post(f"/pledges/{pledge.id}/retry", data={"token": token})
    assert r.status_code == 303 and f"/pledges/{pledge.id}?token=" in r.headers["Location"]
    assert db.session.scalar(select(db.func.count(Pledge.id))) == 1
    assert reload(pledge).status == "succeeded"


def test_a_refunded_pledge_is_neither_thanked_nor_offered_a_retry(client):
    campaign = make_campaign()
    checkout = _pledge(client, campaign)
    client.post(checkout, data={"action": "pay"})
    pledge = db.session.scalar(select(Pledge))
    refund = services.request_refund(pledge, None, None)
    services.run_refund(refund.id)  # what the task campaigns.refund_pledge does after commit
    db.session.flush()
    assert reload(pledge).status == "refunded"
    text = _text(client.get(f"/pledges/{pledge.id}/thanks"))
    assert "<h1>Je bijdrage</h1>" in text and "terugbetaald" in text
    assert "Bedankt" not in text and "Opnieuw proberen" not in text
