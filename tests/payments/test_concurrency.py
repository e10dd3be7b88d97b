"""50 webhook deliveries at once against PostgreSQL: every event twice, shuffled, refunds in
flight and events out of order, while three appliers apply what the webhook received (as
three workers would). Nothing may be counted twice, no refund created twice."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe
from sqlalchemy import func, select

from app.campaigns import services
from app.campaigns.models import Pledge, Refund
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.payments.models import PaymentEvent
from tests.campaigns.fixtures import assert_cache_matches_ledger, make_campaign, pledge

pytestmark = [pytest.mark.postgres, pytest.mark.committed, pytest.mark.slow]


@pytest.fixture
def storm_app(app, fake_stripe):
    """A second app on the same database with a bigger pool (35; the rest of the 50 threads
    wait their turn). Its tasks go to an
    in-memory broker instead of running in the request (as with a real broker), so that
    each delivery holds one connection; the test runs the refund tasks and the appliers
    itself."""
    from app import create_app
    from app.config import Config

    cfg = {k: v for k, v in app.config.items() if k.isupper()}
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 25, "max_overflow": 10, "pool_timeout": 60}
    cfg["CELERY"] = {"task_always_eager": False, "broker_url": "memory://"}
    storm = create_app(Config(**cfg))
    yield storm
    with storm.app_context():
        db.engine.dispose()
    app.extensions["celery"].set_default()


def _storm(app, fake, events, workers=50, appliers=3):
    """Deliver each event from its own thread, all released at the same moment, while
    `appliers` threads run the applier task over and over until the deliveries are done
    and nothing is left received."""
    from app.payments.tasks import apply_received

    barrier = threading.Barrier(len(events))
    delivering = threading.Event()
    delivering.set()

    def one(event):
        payload, header = fake.signed(event)
        with app.test_client() as c:
            barrier.wait(timeout=30)
            return c.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": header}).status_code

    def applier():
        with app.app_context():
            while True:
                last_round = not delivering.is_set()
                apply_received()
                if last_round:
                    return

    with ThreadPoolExecutor(max_workers=appliers) as running:
        busy = [running.submit(applier) for _ in range(appliers)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(one, events))
        delivering.clear()
        for future in busy:
            future.result()
    with app.app_context():
        left = db.session.scalar(
            select(func.count()).select_from(PaymentEvent).where(PaymentEvent.outcome == "received")
        )
    assert left == 0
    return statuses


def _twice_shuffled(events, seed):
    doubled = [*events, *events]
    random.Random(seed).shuffle(doubled)
    return doubled


def test_fifty_deliveries_at_once_count_each_payment_once(storm_app, fake_stripe):
    app = storm_app
    campaign = make_campaign(goal=1_000_000)
    amounts = [500 + 137 * i for i in range(25)]
    pledges = [pledge(campaign, amount_cents=a, email=f"b{i}@example.org")[0] for i, a in enumerate(amounts)]
    db.session.commit()
    completed = [fake_stripe.complete_checkout(p.checkout_session_id) for p in pledges]

    # Round 1: 25 events, each twice, 50 at once.
    statuses = _storm(app, fake_stripe, _twice_shuffled(completed, 1))
    assert statuses == [200] * 50
    db.session.expire_all()
    assert services.raised_cents(campaign) == sum(amounts)
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 25
    per_pledge = db.session.execute(
        select(JournalTransaction.pledge_id, func.count()).group_by(JournalTransaction.pledge_id)
    ).all()
    assert sorted(n for _pid, n in per_pledge) == [1] * 25

    # Round 2: ten full refunds through our tasks; eight payments refunded at Stripe before we
    # saw them (their completed and refunded events race each other); duplicates of round 1.
    refunded = pledges[:10]
    for p in refunded:
        services.request_refund(db.session.get(Pledge, p.id), None, None)
    db.session.commit()
    refund_ids = db.session.scalars(select(Refund.id)).all()
    # The broker may deliver a task twice: run each refund task twice, all concurrently.
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda rid: _run_task(app, rid), [*refund_ids, *refund_ids]))
    assert len(fake_stripe.created["refund"]) == 10

    late = [pledge(campaign, amount_cents=1000 + i, email=f"late{i}@example.org")[0] for i in range(8)]
    db.session.commit()
    client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake_stripe.url})
    late_events = []
    for p in late:
        late_events.append(fake_stripe.complete_checkout(p.checkout_session_id))
        client.v1.refunds.create(params={"payment_intent": p.payment_intent_id})
        late_events.append(fake_stripe.events[-1])
    refund_events = [e for e in fake_stripe.events if e["type"] == "charge.refunded"]
    assert len(refund_events) == 18
    # 8 pledges × (completed, refunded) × 2 = 32 racing in pairs, + 18 more duplicates.
    storm = _twice_shuffled(late_events, 2) + random.Random(3).sample(refund_events[:10], 10) + completed[:8]
    assert len(storm) == 50
    assert _storm(app, fake_stripe, storm) == [200] * 50

    db.session.expire_all()
    assert services.raised_cents(campaign) == sum(amounts[10:])
    assert {db.session.get(Pledge, p.id).status for p in refunded + late} == {"refunded"}
    assert {db.session.get(Pledge, p.id).status for p in pledges[10:]} == {"succeeded"}
    assert set(db.session.scalars(select(Refund.status))) == {"succeeded"}
    assert len(fake_stripe.created["refund"]) == 18
    assert services.backers_count(campaign) == 15
    # Deliveries about one pledge ran one after the other (row lock): none collided on the
    # ledger's idempotency key or on a state that changed under its feet.
    reasons = db.session.scalars(select(PaymentEvent.reason).where(PaymentEvent.reason.is_not(None))).all()
    assert not [r for r in reasons if "duplicate_posting" in r or "invalid_transition" in r]
    outcomes = db.session.execute(
        select(PaymentEvent.outcome, func.count()).group_by(PaymentEvent.outcome)
    ).all()
    assert dict(outcomes).get("rejected", 0) == 0
    assert_cache_matches_ledger()


def _run_task(app, refund_id):
    from app.campaigns.tasks import refund_pledge

    with app.app_context():
        refund_pledge.apply(args=(refund_id,))
