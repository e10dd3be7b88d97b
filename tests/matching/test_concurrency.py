"""Live matching under concurrency on PostgreSQL: 20 campaigns share one nearly used-up
commitment; 400 payment confirmations (duplicates included) arrive from 32 threads."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.campaigns.models import Pledge
from app.config import Config
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.matching import services as matching
from app.matching.models import PledgeDraw, ProjectMatch
from app.payments import services as payments
from tests import factories
from tests.matching import helpers as h

CAMPAIGNS = 20
PLEDGES_PER_CAMPAIGN = 13  # 260 distinct confirmations ...
DUPLICATES = 140  # ... plus 140 repeats = 400 deliveries
AMOUNT = 1_000
AVAILABLE = 50_000  # what is left of the commitment
MAX_PER_PROJECT = 10_000


def _event(pledge: Pledge) -> dict:
    return {
        "id": f"evt_conc_{pledge.id}",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": pledge.checkout_session_id,
                "payment_status": "paid",
                "amount_total": pledge.amount_cents,
                "currency": "eur",
                "payment_intent": pledge.payment_intent_id,
                "metadata": {"pledge_id": str(pledge.id)},
            }
        },
    }


@pytest.mark.postgres
@pytest.mark.committed
@pytest.mark.slow
def test_a_shared_commitment_is_never_overdrawn(app_config):
    # Most of the commitment is already matched elsewhere; AVAILABLE is left.
    c = h.commitment(AVAILABLE + 950_000, name="Provincie")
    call = factories.call(
        all_or_nothing=False,
        max_pledge_cents=500_000,
        match_policy={"mode": "live", "condition": "none", "cap_per_project_cents": None},
    )
    hog = h.in_review(call, 950_000, budget_cents=2_000_000)
    small = factories.call(all_or_nothing=False, match_policy={"mode": "live", "condition": "none"})
    apps = [h.in_review(small, MAX_PER_PROJECT, municipality="Gent") for _ in range(CAMPAIGNS)]
    h.confirm(call, [hog])
    h.confirm(small, apps)
    hog_campaign = h.open_campaign(hog)
    for i in range(2):  # 2 × 475,000 matched elsewhere
        h.give(hog_campaign, 475_000, f"hog{i}@example.org")
    assert h.balances(c) == (AVAILABLE, 0, 950_000)
    campaigns = [h.open_campaign(a) for a in apps]
    pledges = [
        h.pending(cp, AMOUNT, f"b{i}-{cp.id}@example.org")
        for cp in campaigns
        for i in range(PLEDGES_PER_CAMPAIGN)
    ]
    events = [_event(p) for p in pledges]
    db.session.commit()
    deliveries = events + random.Random(5).choices(events, k=DUPLICATES)
    random.Random(7).shuffle(deliveries)
    assert len(deliveries) == 400

    worker_app = create_app(
        Config(**{**app_config.as_dict(), "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 34}})
    )
    retries = []
    lock = threading.Lock()

    def deliver(event):
        # A failed delivery is retried, as Stripe retries a webhook that did not answer 2xx.
        for _attempt in range(20):
            with worker_app.app_context():
                try:
                    payments.handle_event(event, "demo")
                    db.session.commit()
                    return
                except DBAPIError:
                    db.session.rollback()
                    with lock:
                        retries.append(event["id"])
        raise AssertionError(f"{event['id']} never went through")

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(deliver, deliveries))
    with worker_app.app_context():
        db.engine.dispose()

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Pledge.status == "succeeded")) == len(pledges) + 2
    # Exactly once per pledge: one posting, one draw record.
    assert (
        db.session.scalar(
            select(func.count()).select_from(JournalTransaction).where(JournalTransaction.kind == "pledge")
        )
        == len(pledges) + 2
    )
    assert db.session.scalar(select(func.count()).select_from(PledgeDraw)) == len(pledges) + 2
    # Demand (20 × 10,000) is far above what is left, so every cent of it is drawn, no more.
    assert h.balances(c) == (0, 0, AVAILABLE + 950_000)
    matched = [
        pm.matched_cents
        for pm in db.session.scalars(select(ProjectMatch).where(ProjectMatch.call_id == small.id))
    ]
    assert all(0 <= m <= MAX_PER_PROJECT for m in matched)
    assert sum(matched) == AVAILABLE
    drawn = db.session.scalar(
        select(func.sum(PledgeDraw.drawn_cents)).where(PledgeDraw.pledge_id.in_([p.id for p in pledges]))
    )
    assert drawn == AVAILABLE
    for cp in campaigns:
        assert matching.matched_cents(cp) <= MAX_PER_PROJECT
    result = matching.verify_ledger()
    assert result["ok"], result["violations"]
