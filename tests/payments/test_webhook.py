"""The Stripe webhook against the fake Stripe server: signatures, duplicates, order of arrival,
rejections. The real stripe library talks to the fake over HTTP; events are signed as Stripe
signs them."""

from __future__ import annotations

import copy
import time

from sqlalchemy import func, select

from app.campaigns import services
from app.campaigns.events import pledge_succeeded
from app.campaigns.models import Pledge
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.payments.models import PaymentEvent
from tests import factories
from tests.campaigns.fixtures import (
    assert_cache_matches_ledger,
    deliver,
    login,
    make_campaign,
    pledge,
    reload,
)


def _counts():
    return (
        db.session.scalar(select(func.count(PaymentEvent.id))),
        db.session.scalar(select(func.count(JournalTransaction.id))),
    )


def test_checkout_completed_counts_the_pledge_once(client, fake_stripe):
    campaign = make_campaign(goal=10_000)
    p, _token = pledge(campaign, amount_cents=2500)
    # The session carries our pledge id, on itself and on its PaymentIntent.
    session = fake_stripe.get(p.checkout_session_id)
    assert session["metadata"]["pledge_id"] == str(p.id)
    assert fake_stripe.get(session["payment_intent"])["metadata"]["pledge_id"] == str(p.id)
    assert set(session["payment_method_types"]) == {"bancontact", "card"}
    sent = [r for r in fake_stripe.requests if r[1] == "/v1/checkout/sessions"]
    assert sent[0][2]["Idempotency-Key"] == f"checkout:{p.id}"

    event = fake_stripe.complete_checkout(p.checkout_session_id, payment_method="bancontact")
    sent = []
    with pledge_succeeded.connected_to(lambda sender: sent.append(sender.id)):
        first = deliver(client, fake_stripe, event)
        assert first.status_code == 200 and first.json["outcome"] == "applied"
        before = _counts()
        again = deliver(client, fake_stripe, event)
        assert again.status_code == 200 and again.json["duplicate"] is True
    assert sent == [p.id]  # the signal once, never for the redelivery
    assert _counts() == before
    assert reload(p).status == "succeeded"
    assert services.raised_cents(campaign) == 2500
    assert services.backers_count(campaign) == 1
    assert_cache_matches_ledger()


def test_bad_or_stale_signature_is_400_and_changes_nothing(client, fake_stripe):
    campaign = make_campaign()
    p, _ = pledge(campaign)
    event = fake_stripe.complete_checkout(p.checkout_session_id)
    before = _counts()
    payload, header = fake_stripe.signed(event)
    tampered = payload.replace(b'"paid"', b'"unpaid"')
    r = client.post("/webhooks/stripe", data=tampered, headers={"Stripe-Signature": header})
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_signature"
    r = client.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": "t=1,v1=deadbeef"})
    assert r.status_code == 400
    r = client.post("/webhooks/stripe", data=payload)
    assert r.status_code == 400
    stale = deliver(client, fake_stripe, event, timestamp=int(time.time()) - 301)
    assert stale.status_code == 400
    assert _counts() == before
    assert reload(p).status == "pending"
    # Signed with the right secret and fresh, it is accepted.
    assert deliver(client, fake_stripe, event).json["outcome"] == "applied"


def test_unknown_pledge_and_mismatches_are_rejected_and_shown(client, app, fake_stripe):
    campaign = make_campaign()
    p, _ = pledge(campaign, amount_cents=2500)
    event = fake_stripe.complete_checkout(p.checkout_session_id)

    unknown = copy.deepcopy(event)
    unknown["id"] = "evt_unknown_pledge"
    unknown["data"]["object"]["metadata"]["pledge_id"] = "999999"
    r = deliver(client, fake_stripe, unknown)
    assert r.status_code == 200 and r.json["outcome"] == "rejected"

    cheaper = copy.deepcopy(event)
    cheaper["id"] = "evt_amount"
    cheaper["data"]["object"]["amount_total"] = 100
    r = deliver(client, fake_stripe, cheaper)
    assert r.status_code == 200 and r.json["outcome"] == "rejected"

    dollars = copy.deepcopy(event)
    dollars["id"] = "evt_currency"
    dollars["data"]["object"]["currency"] = "usd"
    assert deliver(client, fake_stripe, dollars).json["outcome"] == "rejected"

    assert reload(p).status == "pending"
    assert services.raised_cents(campaign) == 0
    reasons = dict(
        db.session.execute(
            select(PaymentEvent.event_id, PaymentEvent.reason).where(PaymentEvent.outcome == "rejected")
        ).all()
    )
    assert "unknown pledge" in reasons["evt_unknown_pledge"]
    assert "amount mismatch" in reasons["evt_amount"]
    assert "currency mismatch" in reasons["evt_currency"]

    # Fund managers see them; a backer does not.
    manager = factories.user("fund_manager")
    assert client.get("/manage/payment-events").status_code == 302  # to the login page
    login(client, manager)
    page = client.get("/manage/payment-events")
    assert page.status_code == 200
    assert b"evt_amount" in page.data and b"amount mismatch" in page.data

    # The real event still applies afterwards.
    assert deliver(client, fake_stripe, event).json["outcome"] == "applied"


def test_refund_that_arrives_before_the_checkout_still_ends_refunded(client, fake_stripe):
    campaign = make_campaign(goal=10_000)
    p, _ = pledge(campaign, amount_cents=4000)
    completed = fake_stripe.complete_checkout(p.checkout_session_id)
    # Refunded at Stripe (e.g. from the dashboard) before we saw the payment.
    import stripe

    stripe_client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake_stripe.url})
    stripe_client.v1.refunds.create(params={"payment_intent": p.payment_intent_id})
    refunded = fake_stripe.events[-1]
    assert refunded["type"] == "charge.refunded"

    assert deliver(client, fake_stripe, refunded).json["outcome"] == "applied"
    assert reload(p).status == "refunded"
    late = deliver(client, fake_stripe, completed)
    assert late.status_code == 200 and late.json["outcome"] == "ignored"
    assert reload(p).status == "refunded"
    assert services.raised_cents(campaign) == 0
    assert services.backers_count(campaign) == 0
    # One posting in, one out; nothing counted twice.
    kinds = db.session.scalars(
        select(JournalTransaction.kind).where(JournalTransaction.pledge_id == p.id)
    ).all()
    assert sorted(kinds) == ["pledge", "pledge_refund"]
    assert_cache_matches_ledger()


def test_delayed_payment_then_success_or_failure(client, fake_stripe):
    campaign = make_campaign()
    good, _ = pledge(campaign, amount_cents=1000, email="a@example.org")
    bad, _ = pledge(campaign, amount_cents=1500, email="b@example.org")
    for p in (good, bad):
        r = deliver(
            client, fake_stripe, fake_stripe.complete_checkout(p.checkout_session_id, async_payment=True)
        )
        assert r.json["outcome"] == "ignored"  # waiting for the bank
        assert reload(p).status == "pending"
    deliver(client, fake_stripe, fake_stripe.async_payment_succeeded(good.checkout_session_id))
    deliver(client, fake_stripe, fake_stripe.async_payment_failed(bad.checkout_session_id))
    assert reload(good).status == "succeeded"
    assert reload(bad).status == "failed"
    assert services.raised_cents(campaign) == 1000


def test_expired_checkout_and_late_events_are_ignored(client, fake_stripe):
    campaign = make_campaign()
    p, _ = pledge(campaign)
    expired = fake_stripe.expire_checkout(p.checkout_session_id)
    assert deliver(client, fake_stripe, expired).json["outcome"] == "applied"
    assert reload(p).status == "expired"
    again = copy.deepcopy(expired)
    again["id"] = "evt_second_expiry"
    assert deliver(client, fake_stripe, again).json["outcome"] == "ignored"
    unknown_type = copy.deepcopy(expired)
    unknown_type.update(id="evt_other", type="payment_intent.created")
    r = deliver(client, fake_stripe, unknown_type)
    assert r.status_code == 200 and r.json["outcome"] == "ignored"


def test_dispute_takes_the_money_out_until_won(client, fake_stripe):
    campaign = make_campaign(goal=10_000)
    p, _ = pledge(campaign, amount_cents=3000)
    deliver(client, fake_stripe, fake_stripe.complete_checkout(p.checkout_session_id))
    charge_id = fake_stripe.get(p.payment_intent_id)["latest_charge"]
    opened = fake_stripe.dispute(charge_id)
    assert deliver(client, fake_stripe, opened).json["outcome"] == "applied"
    assert reload(p).status == "disputed"
    assert services.raised_cents(campaign) == 0
    won = fake_stripe.close_dispute(opened["data"]["object"]["id"], won=True)
    assert deliver(client, fake_stripe, won).json["outcome"] == "applied"
    assert reload(p).status == "succeeded"
    assert services.raised_cents(campaign) == 3000
    assert_cache_matches_ledger()


def test_dispute_lost_and_closing_before_opening(client, fake_stripe):
    campaign = make_campaign(goal=10_000)
    p, _ = pledge(campaign, amount_cents=3000)
    completed = fake_stripe.complete_checkout(p.checkout_session_id)
    charge_id = fake_stripe.get(p.payment_intent_id)["latest_charge"]
    opened = fake_stripe.dispute(charge_id)
    lost = fake_stripe.close_dispute(opened["data"]["object"]["id"], won=False)
    # Worst order: the closing first, then the opening, then the checkout.
    assert deliver(client, fake_stripe, lost).json["outcome"] == "applied"
    assert deliver(client, fake_stripe, opened).json["outcome"] == "ignored"
    assert deliver(client, fake_stripe, completed).json["outcome"] == "ignored"
    assert reload(p).status == "dispute_lost"
    assert services.raised_cents(campaign) == 0
    assert_cache_matches_ledger()


def test_a_body_that_is_no_event_is_refused(client, fake_stripe):
    from tests.fakes.stripe_server import sign_payload

    payload = b'{"hello": "world"}'
    header = sign_payload(payload, fake_stripe.webhook_secret)
    r = client.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": header})
    assert r.status_code == 422
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 0
    assert db.session.scalar(select(func.count(Pledge.id))) == 0


def test_gateway_down_refuses_the_pledge_cleanly(client, fake_stripe):
    campaign = make_campaign()
    db.session.commit()
    fake_stripe.stop()
    r = client.post(
        f"/api/v1/campaigns/{campaign.id}/pledges",
        json={"amount_cents": 1000, "email": "a@example.org", "display_name": "A"},
    )
    assert r.status_code == 502 and r.json["error"]["code"] == "gateway_error"
    assert db.session.scalar(select(func.count(Pledge.id))) == 0
