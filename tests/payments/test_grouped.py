"""Gateway events received by the webhook and applied in groups by `payments.apply_received`:
the same effect as one by one, outcomes kept per event, one bad update costing the others
nothing, and the money a group has seen read again before it concludes there is none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.campaigns import services
from app.core import tenancy
from app.core.errors import Conflict
from app.extensions import db
from app.funds import services as funds
from app.matching import groups, settlement
from app.matching.models import PledgeDraw
from app.payments import inbox
from app.payments import services as payments
from app.payments.gateways import get_gateway
from app.payments.models import PaymentEvent
from app.payments.tasks import apply_received
from tests import factories
from tests.campaigns.fixtures import deliver, make_campaign, pledge, reload
from tests.funds.helpers import second_fund
from tests.matching import helpers as h

LIVE = {"mode": "live", "condition": "none"}


def live_campaign(target=100_000, municipality="Gent"):
    call = factories.call(all_or_nothing=False, match_policy=LIVE)
    application = h.in_review(call, target, municipality=municipality)
    h.confirm(call, [application])
    return h.open_campaign(application)


def completed(p, event_id: str | None = None, amount_cents: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_done_{p.id}",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": p.checkout_session_id,
                "payment_status": "paid",
                "amount_total": p.amount_cents if amount_cents is None else amount_cents,
                "currency": "eur",
                "payment_intent": p.payment_intent_id,
                "metadata": {"pledge_id": str(p.id)},
            }
        },
    }


def refunded(p, total: int) -> dict:
    return {
        "id": f"evt_refund_{p.id}_{total}",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": f"ch_{p.id}",
                "amount": p.amount_cents,
                "currency": "eur",
                "payment_intent": p.payment_intent_id,
                "amount_refunded": total,
                "metadata": {"pledge_id": str(p.id)},
            }
        },
    }


def receive(event: dict, gateway: str) -> inbox.HandledEvent:
    gw = get_gateway(gateway)
    return inbox.receive(gw.read_event(event))


def outcomes() -> dict[str, tuple[str, str | None]]:
    return {e.event_id: (e.outcome, e.reason) for e in db.session.scalars(select(PaymentEvent))}


def draws() -> dict[int, tuple[int, int]]:
    return {d.pledge_id: (d.requested_cents, d.drawn_cents) for d in db.session.scalars(select(PledgeDraw))}


def test_a_group_draws_what_one_by_one_draws_and_keeps_each_outcome():
    # The figures of tests/matching/test_live.py's first case, one by one there, here as
    # one group with a wrong amount, a redelivery and a refund among them.
    small = h.commitment(12_000, municipalities=["Gent"])
    big = h.commitment(18_000)
    campaign = live_campaign()
    a = h.pending(campaign, 20_000, "a@example.org")
    b = h.pending(campaign, 15_000, "b@example.org")
    c = h.pending(campaign, 5_000, "c@example.org")
    d = h.pending(campaign, 7_000, "d@example.org")
    method = a.method
    receive(completed(a), method)
    receive(completed(d, "evt_wrong", amount_cents=1), method)  # rejected, takes nothing
    receive(completed(b), method)
    assert receive(completed(b), method).duplicate  # recorded once
    receive(completed(c), method)
    receive(refunded(a, 20_000), method)  # after its success, in the same group
    receive(completed(d), method)
    db.session.commit()
    assert {o for o, _r in outcomes().values()} == {"received"}

    assert inbox.apply_received(get_gateway) == 6
    db.session.commit()

    got = outcomes()
    assert got["evt_wrong"][0] == "rejected" and "amount mismatch" in got["evt_wrong"][1]
    assert {k: o for k, (o, _r) in got.items() if k != "evt_wrong"} == dict.fromkeys(
        [
            f"evt_done_{a.id}",
            f"evt_done_{b.id}",
            f"evt_done_{c.id}",
            f"evt_refund_{a.id}_20000",
            f"evt_done_{d.id}",
        ],
        "applied",
    )
    assert draws()[a.id] == (20_000, 20_000)
    assert draws()[b.id] == (15_000, 10_000)
    assert draws()[c.id] == (5_000, 0)
    # a's refund gave its 20,000 back (8,000 to big, 12,000 to small); d drew from small first
    assert draws()[d.id] == (7_000, 7_000)
    assert h.balances(small) == (5_000, 0, 7_000)
    assert h.balances(big) == (8_000, 0, 10_000)
    assert [reload(p).status for p in (a, b, c, d)] == ["refunded", "succeeded", "succeeded", "succeeded"]
    h.assert_ledger_clean()
    assert inbox.apply_received(get_gateway) == 0  # nothing left, nothing applied twice


def test_one_failing_payment_in_a_group_costs_the_others_nothing(monkeypatch):
    campaign = make_campaign(goal=100_000)
    ps = [pledge(campaign, amount_cents=1_000 + i, email=f"g{i}@example.org")[0] for i in range(4)]
    for p in ps:
        receive(completed(p), p.method)
    db.session.commit()
    real = settlement.draw_for_pledge

    def refusing(p):
        if p.id == ps[2].id:
            raise Conflict("refused for this test", code="test_refusal")
        return real(p)

    monkeypatch.setattr(settlement, "draw_for_pledge", refusing)
    assert inbox.apply_received(get_gateway) == 4
    db.session.commit()

    got = outcomes()
    assert got[f"evt_done_{ps[2].id}"] == ("ignored", "test_refusal: refused for this test")
    assert [reload(p).status for p in ps] == ["succeeded", "succeeded", "pending", "succeeded"]
    assert {got[f"evt_done_{p.id}"][0] for p in (ps[0], ps[1], ps[3])} == {"applied"}
    h.assert_ledger_clean()


def test_a_group_reads_the_money_again_before_it_concludes_there_is_none():
    c = h.commitment(10_000)
    first = live_campaign(municipality="Gent")
    second = live_campaign(municipality="Melle")
    x = h.give(first, 10_000, "x@example.org")  # takes all of it
    p1 = h.pending(second, 3_000, "p1@example.org")
    p2 = h.pending(second, 4_000, "p2@example.org")
    with groups.drawing_group([second]):
        h.succeed(p1)  # the group reads the commitment: nothing left, draws nothing
        h.refund(x, 10_000)  # 10,000 back to the commitment, after the group read it
        h.succeed(p2)  # must see the money that came back
    assert draws()[p1.id] == (3_000, 0)
    assert draws()[p2.id] == (4_000, 4_000)
    assert h.balances(c) == (6_000, 0, 4_000)
    h.assert_ledger_clean()


@pytest.fixture
def broker_app(app, fake_stripe):
    """The app as deployed: tasks go to a broker (in memory here) instead of running in the
    request, so the webhook only records; the test runs the applier itself."""
    from app import create_app
    from app.config import Config

    cfg = {k: v for k, v in app.config.items() if k.isupper()}
    cfg["CELERY"] = {"task_always_eager": False, "broker_url": "memory://"}
    deployed = create_app(Config(**cfg))
    with deployed.app_context():
        yield deployed
    app.extensions["celery"].set_default()


def test_the_webhook_answers_received_and_the_applier_applies(broker_app, fake_stripe):
    campaign = make_campaign(goal=10_000)
    p, _token = pledge(campaign, amount_cents=2_500)
    db.session.commit()
    event = fake_stripe.complete_checkout(p.checkout_session_id)
    client = broker_app.test_client()

    first = deliver(client, fake_stripe, event)
    assert first.status_code == 200 and first.json == {
        "received": True,
        "duplicate": False,
        "outcome": "received",
    }
    assert reload(p).status == "pending"  # nothing applied in the request
    again = deliver(client, fake_stripe, event)
    assert again.json == {"received": True, "duplicate": True, "outcome": "received"}

    assert apply_received() == 1
    db.session.expire_all()
    assert reload(p).status == "succeeded"
    assert deliver(client, fake_stripe, event).json["outcome"] == "applied"  # a late redelivery
    assert apply_received() == 0
    assert db.session.scalar(select(PaymentEvent.outcome)) == "applied"


# --- one group against one by one, in two funds built alike -----------------------------

POLICIES = {
    "double": {"ratio": 2},
    "per_backer_cap": {"cap_per_backer_cents": 6_000},
    "project_cap": {"cap_per_project_cents": 9_000},
}
# (campaign, amount, backer): "owner" is the campaign owner's own money
PLEDGES = [
    (0, 5_000, "a"),
    (1, 4_000, "b"),
    (0, 4_000, "a"),  # a's second gift: the per-backer cap is spent in order
    (0, 3_000, "owner"),
    (1, 7_000, "c"),
    (1, 2_500, "b"),
    (0, 6_000, "d"),
    (1, 9_000, "e"),  # the pot runs dry around here
    (0, 1_500, "f"),
]


def _world(fund_id: int, slug: str, policy: dict):
    with tenancy.scoped({fund_id}):
        gent = h.commitment(14_000, municipalities=["Gent"])
        anywhere = h.commitment(12_000)
        call = factories.call(
            factories.user("fund_manager", funds=[slug]),
            all_or_nothing=False,
            match_policy={**LIVE, **policy},
        )
        applications = [h.in_review(call, 40_000, municipality=m) for m in ("Gent", "Melle")]
        h.confirm(call, applications)
        campaigns = [h.open_campaign(a) for a in applications]
        owner_mail = {c.id: db.session.get(User, c.owner_id).email for c in campaigns}
        pledges = [
            h.pending(
                campaigns[i],
                amount,
                owner_mail[campaigns[i].id] if who == "owner" else f"{who}-{slug}@example.org",
            )
            for i, amount, who in PLEDGES
        ]
    return (gent, anywhere), campaigns, pledges


def _events(pledges) -> list[dict]:
    events = [completed(p) for p in pledges]
    events.insert(3, completed(pledges[5], f"evt_bad_{pledges[5].id}", amount_cents=1))
    events.insert(6, refunded(pledges[1], 4_000))  # a refund among the confirmations
    return events


def _figures(commitments, campaigns, pledges) -> dict:
    fund_id = campaigns[0].fund_id
    db.session.expire_all()
    with tenancy.scoped({fund_id}):
        return _read_figures(commitments, campaigns, pledges)


def _read_figures(commitments, campaigns, pledges) -> dict:
    found = draws()
    return {
        "pledges": [(reload(p).status, found.get(p.id)) for p in pledges],
        "commitments": [h.balances(c) for c in commitments],
        "raised": [services.raised_cents(c) for c in campaigns],
        "matched": [services.matched_cents(c) for c in campaigns],
    }


@pytest.mark.parametrize("policy", POLICIES)
def test_a_group_confirms_what_one_by_one_confirms(policy):
    west = second_fund()
    home = funds.default_fund_id(db.session)
    alone = _world(home, funds.slug_of(home), POLICIES[policy])
    together = _world(west.id, west.slug, POLICIES[policy])
    db.session.commit()

    method = alone[2][0].method
    for event in _events(alone[2]):
        payments.handle_event(event, method)  # one at a time, as the demo's buttons do
    db.session.commit()
    for event in _events(together[2]):
        receive(event, method)
    db.session.commit()
    assert inbox.apply_received(get_gateway) == len(PLEDGES) + 2  # all of them as one group
    db.session.commit()

    one_by_one, grouped = _figures(*alone), _figures(*together)
    assert grouped == one_by_one
    # and the scenario means something: the pot ran dry, someone got less than asked
    assert [drawn for _s, (asked, drawn) in [x for x in one_by_one["pledges"] if x[1]]].count(0) >= 1
    assert {s for s, _d in one_by_one["pledges"]} == {"succeeded", "refunded"}
    h.assert_ledger_clean()


# --- appliers at once, on PostgreSQL -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.committed
def test_appliers_at_once_neither_deadlock_nor_count_twice(app, monkeypatch):
    """Four appliers take small groups of 120 shuffled confirmations for three projects
    drawing on an earmarked and an open commitment (so groups lock rows of several projects
    and commitments): each pledge confirmed and drawn once, the pot spent exactly."""
    import random
    import threading
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(inbox, "GROUP_SIZE", 7)
    gent = h.commitment(150_000, municipalities=["Gent"])
    anywhere = h.commitment(100_000)
    campaigns = [live_campaign(400_000, municipality=m) for m in ("Gent", "Melle", "Lochristi")]
    pledges = [h.pending(campaigns[i % 3], 1_000 + 37 * i, f"s{i}@example.org") for i in range(120)]
    events = [completed(p) for p in pledges]
    random.Random(7).shuffle(events)
    for event in events:
        receive(event, pledges[0].method)
    db.session.commit()
    start = threading.Barrier(4)

    def applier():
        with app.app_context():
            start.wait(timeout=30)
            return apply_received()

    with ThreadPoolExecutor(max_workers=4) as pool:
        applied = list(pool.map(lambda _i: applier(), range(4)))

    db.session.expire_all()
    assert sum(applied) == 120
    assert {o for o, _r in outcomes().values()} == {"applied"}
    assert {reload(p).status for p in pledges} == {"succeeded"}
    # Ratio 1: a pledge asks its amount. Gent's projects draw on Gent's money first (it
    # covers them), the others on the open commitment, which runs out.
    gent_asked = sum(p.amount_cents for p in pledges[::3])
    others_asked = sum(p.amount_cents for p in pledges) - gent_asked
    assert gent_asked < 150_000 and others_asked > 100_000
    assert len(draws()) == 120
    assert sum(drawn for _asked, drawn in draws().values()) == gent_asked + 100_000
    assert h.balances(gent) == (150_000 - gent_asked, 0, gent_asked)
    assert h.balances(anywhere) == (0, 0, 100_000)
    h.assert_ledger_clean()
