"""Refunds (a row, then a task, confirmed by charge.refunded), offline gifts and their
cancellation, and raised/backers derived from the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.campaigns import services
from app.campaigns.models import Pledge, Refund
from app.core.errors import Conflict, InvalidTransition
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.payments import demo
from app.payments.services import demo_payment
from tests import factories
from tests.campaigns.fixtures import assert_cache_matches_ledger, deliver, make_campaign, pledge, reload


def _paid(client, fake, campaign, amount, email="backer@example.org"):
    p, _ = pledge(campaign, amount_cents=amount, email=email)
    deliver(client, fake, fake.complete_checkout(p.checkout_session_id))
    return reload(p)


def _refund_events(fake, seen: set):
    new = [e for e in fake.events if e["type"] == "charge.refunded" and e["id"] not in seen]
    seen.update(e["id"] for e in new)
    return new


def test_partial_then_full_refund_with_409_beyond_what_is_left(client, fake_stripe):
    campaign = make_campaign(goal=20_000)
    p = _paid(client, fake_stripe, campaign, 5000)
    seen: set = set()

    first = services.request_refund(p, 2000, None)
    assert first.status == "requested"
    assert services.raised_cents(campaign) == 5000  # nothing moves before the gateway confirms
    db.session.commit()  # the task runs after commit
    assert reload(first).status == "submitted"
    for event in _refund_events(fake_stripe, seen):
        deliver(client, fake_stripe, event)
    assert (reload(p).status, p.refunded_cents, reload(first).status) == (
        "partially_refunded",
        2000,
        "succeeded",
    )
    assert services.raised_cents(campaign) == 3000

    with pytest.raises(Conflict) as exc:
        services.request_refund(p, 3001, None)
    assert exc.value.code == "refund_exceeds" and exc.value.status == 409
    db.session.rollback()

    rest = services.request_refund(reload(p), None, None)
    assert rest.amount_cents == 3000
    db.session.commit()
    for event in _refund_events(fake_stripe, seen):
        deliver(client, fake_stripe, event)
    assert (reload(p).status, p.refunded_cents) == ("refunded", 5000)
    assert services.raised_cents(campaign) == 0

    # A retried task asks nothing new of Stripe; the same key gets the same refund back.
    services.run_refund(first.id)
    services.run_refund(rest.id)
    assert len(fake_stripe.created["refund"]) == 2
    assert_cache_matches_ledger()


def test_a_retried_gateway_call_never_creates_a_second_refund(client, fake_stripe):
    campaign = make_campaign()
    p = _paid(client, fake_stripe, campaign, 4000)
    refund = services.request_refund(p, 1000, None)
    db.session.flush()
    from app.payments.gateways import get_gateway

    gateway = get_gateway("stripe")
    first = gateway.refund(p.payment_intent_id, 1000, refund.id)
    again = gateway.refund(p.payment_intent_id, 1000, refund.id)
    assert first == again
    assert len(fake_stripe.created["refund"]) == 1


def test_refund_api_roles_and_errors(client, fake_stripe):
    campaign = make_campaign()
    p = _paid(client, fake_stripe, campaign, 4000)
    backer = factories.token_headers(factories.user("backer"))
    manager = factories.token_headers(factories.user("fund_manager"))
    auditor = factories.token_headers(factories.user("auditor"))
    url = f"/api/v1/pledges/{p.id}/refund"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=backer).status_code == 403
    assert client.post(url, json={}, headers=auditor).status_code == 403
    assert client.post(url, json={"amount_cents": "ten"}, headers=manager).status_code == 422
    assert client.post(url, json={"amount_cents": 0}, headers=manager).status_code == 422
    r = client.post(url, json={"amount_cents": 4001}, headers=manager)
    assert r.status_code == 409 and r.json["error"]["code"] == "refund_exceeds"
    assert client.post("/api/v1/pledges/999999/refund", json={}, headers=manager).status_code == 404
    assert db.session.scalars(select(Refund)).all() == []
    r = client.post(url, json={"amount_cents": 1500}, headers=manager)
    assert r.status_code == 201 and r.json["amount_cents"] == 1500
    assert [x["amount"] for x in fake_stripe.created["refund"]] == [1500]


def test_offline_gifts_count_as_backers_and_cancel_by_reversal(client):
    campaign = make_campaign(goal=50_000)
    online, _ = pledge(campaign, amount_cents=2500, email="an@example.org")
    demo.pay(demo_payment(online.checkout_session_id))
    same = services.record_offline_gift(
        campaign,
        {
            "amount_cents": 1000,
            "method": "bank_transfer",
            "reference": "+++123/4567/89012+++",
            "email": "AN@example.org",
        },
        None,
    )
    alone = services.record_offline_gift(
        campaign, {"amount_cents": 700, "method": "cash", "reference": "kas"}, None
    )
    assert services.backer_key(same) == "an@example.org"
    assert services.backer_key(alone) == f"offline:{alone.id}"
    assert services.backers_count(campaign) == 2  # an@ (online + transfer) and the cash gift
    assert services.raised_cents(campaign) == 4200

    services.cancel_offline_gift(alone, None, "twee keer geboekt")
    assert reload(alone).status == "cancelled"
    assert db.session.get(Pledge, alone.id) is not None  # never deleted
    kinds = db.session.scalars(
        select(JournalTransaction.kind)
        .where(JournalTransaction.pledge_id == alone.id)
        .order_by(JournalTransaction.id)
    ).all()
    assert kinds == ["pledge", "pledge_cancelled"]
    assert services.raised_cents(campaign) == 3500
    assert services.backers_count(campaign) == 1
    with pytest.raises(InvalidTransition):
        services.cancel_offline_gift(alone, None)
    with pytest.raises(Conflict):
        services.cancel_offline_gift(online, None)  # online money goes back by refund
    assert_cache_matches_ledger()


def test_offline_api(client):
    campaign = make_campaign()
    manager = factories.token_headers(factories.user("fund_manager"))
    url = f"/api/v1/campaigns/{campaign.id}/offline-pledges"
    bad = client.post(url, json={"amount_cents": 1000, "method": "cheque", "reference": "x"}, headers=manager)
    assert bad.status_code == 422
    assert client.post(url, json={"amount_cents": 1000, "method": "cash"}, headers=manager).status_code == 422
    assert (
        client.post(url, json={"amount_cents": 1000, "method": "cash", "reference": "k"}).status_code == 401
    )
    ok = client.post(url, json={"amount_cents": 1000, "method": "cash", "reference": "k1"}, headers=manager)
    assert ok.status_code == 201 and ok.json["status"] == "succeeded"
    assert client.get(f"/api/v1/campaigns/{campaign.id}").json["raised_cents"] == 1000


def test_raised_is_the_contract_formula(client, fake_stripe):
    """raised = succeeded (online and offline) − refunded − disputes lost, by hand:
    2500 + (4000 − 1500) + 1000 + (3000 − 3000 lost) + (pending 900 not counted) = 6000."""
    campaign = make_campaign(goal=100_000)
    _paid(client, fake_stripe, campaign, 2500, "a@example.org")
    partly = _paid(client, fake_stripe, campaign, 4000, "b@example.org")
    services.record_offline_gift(campaign, {"amount_cents": 1000, "method": "cash", "reference": "k"}, None)
    lost = _paid(client, fake_stripe, campaign, 3000, "c@example.org")
    pledge(campaign, amount_cents=900, email="d@example.org")
    services.request_refund(partly, 1500, None)
    db.session.commit()
    deliver(client, fake_stripe, fake_stripe.events[-1])
    charge_id = fake_stripe.get(lost.payment_intent_id)["latest_charge"]
    opened = fake_stripe.dispute(charge_id)
    deliver(client, fake_stripe, opened)
    deliver(client, fake_stripe, fake_stripe.close_dispute(opened["data"]["object"]["id"], won=False))
    assert services.raised_cents(campaign) == 6000
    assert reload(campaign).raised_cache_cents == 6000
    assert services.backers_count(campaign) == 3  # a, b and the cash gift; c lost, d pending
    body = client.get(f"/api/v1/campaigns/{campaign.id}").json
    assert (body["raised_cents"], body["backers_count"]) == (6000, 3)
    assert_cache_matches_ledger()
