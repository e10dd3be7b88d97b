"""Campaigns: created on a confirmed selection, opened, closed on time, and what closing does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.campaigns import events, services
from app.campaigns import tasks as campaign_tasks
from app.campaigns.models import Campaign, Refund
from app.core import clock, ports
from app.core.errors import InvalidTransition
from app.extensions import db
from app.jury.ports import SelectionCampaigns
from tests import factories
from tests.campaigns.fixtures import assert_cache_matches_ledger, deliver, make_campaign, pledge, reload


def test_selection_confirmed_creates_one_draft_campaign_per_selected_application():
    call = factories.call(campaign_days=30, theme="zorg")
    chosen = factories.application(call, status="selected", target_cents=450_000, municipality="Melle")
    factories.application(call, status="not_selected")  # not selected: no campaign
    # What the jury's confirmation asks of campaigns (the SelectionCampaigns port).
    ports.get(SelectionCampaigns)(call, [chosen])
    ports.get(SelectionCampaigns)(call, [chosen])  # twice: still one
    campaigns = db.session.scalars(select(Campaign).where(Campaign.call_id == call.id)).all()
    assert len(campaigns) == 1
    c = campaigns[0]
    assert (c.status, c.goal_cents, c.application_id, c.owner_id) == (
        "draft",
        450_000,
        chosen.id,
        chosen.owner_id,
    )
    assert (c.municipality, c.theme, c.title) == ("Melle", "zorg", chosen.title)


def test_ends_at_is_calendar_days_later_at_the_same_brussels_time_across_dst():
    # 20 March 2027, 10:00 in Brussels (CET, UTC+1) = 09:00 UTC. 45 days later is 4 May
    # (11 days to 31 March, 30 in April, 4 in May), 10:00 in Brussels (CEST, UTC+2) = 08:00 UTC.
    clock.travel_to(datetime(2027, 3, 20, 9, 0, tzinfo=UTC))
    campaign = make_campaign(campaign_days=45, open_now=False)
    services.open_campaign(campaign, None)
    assert campaign.starts_at == datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
    assert campaign.ends_at == datetime(2027, 5, 4, 8, 0, tzinfo=UTC)


def test_only_open_campaigns_take_pledges_and_transitions_follow_the_table():
    campaign = make_campaign(open_now=False)
    with pytest.raises(Exception) as exc:
        pledge(campaign)
    assert getattr(exc.value, "code", None) == "campaign_not_open"
    with pytest.raises(InvalidTransition):
        services.close_campaign(campaign)  # a draft cannot succeed or fail
    services.open_campaign(campaign, None)
    with pytest.raises(InvalidTransition):
        services.open_campaign(campaign, None)


def test_close_due_closes_on_time_once_and_judges_by_the_ledger():
    campaign = make_campaign(goal=5000, campaign_days=10)
    p, _ = pledge(campaign, amount_cents=5000)
    from app.payments import demo
    from app.payments.services import demo_payment

    demo.pay(demo_payment(p.checkout_session_id))
    closed = []
    with events.campaign_closed.connected_to(lambda sender, **kw: closed.append(sender.id)):
        assert campaign_tasks.close_due() == []  # not yet
        clock.travel_to(campaign.ends_at)
        assert campaign_tasks.close_due() == [campaign.id]
        assert campaign_tasks.close_due() == []
    assert reload(campaign).status == "succeeded"
    assert closed == [campaign.id]


def test_failed_all_or_nothing_campaign_refunds_every_pledge_exactly_once(client, fake_stripe):
    campaign = make_campaign(goal=10_000, all_or_nothing=True)
    online = []
    for i, amount in enumerate((3000, 2000)):
        p, _ = pledge(campaign, amount_cents=amount, email=f"b{i}@example.org")
        deliver(client, fake_stripe, fake_stripe.complete_checkout(p.checkout_session_id))
        online.append(p)
    gift = services.record_offline_gift(
        campaign, {"amount_cents": 1500, "method": "bank_transfer", "reference": "BE-OGM 123"}, None
    )
    late, _ = pledge(campaign, amount_cents=1000, email="late@example.org")
    assert services.raised_cents(campaign) == 6500

    services.close_campaign(campaign)
    db.session.commit()  # the refund tasks run after the commit (eagerly here)
    assert reload(campaign).status == "failed"
    stripe_refunds = fake_stripe.created["refund"]
    assert sorted(r["amount"] for r in stripe_refunds) == [2000, 3000]
    keys = [r[2]["Idempotency-Key"] for r in fake_stripe.requests if r[1] == "/v1/refunds"]
    ours = db.session.scalars(select(Refund.id).where(Refund.pledge_id.in_([p.id for p in online]))).all()
    assert sorted(keys) == sorted(f"refund:{rid}" for rid in ours)
    for event in [e for e in fake_stripe.events if e["type"] == "charge.refunded"]:
        deliver(client, fake_stripe, event)
        deliver(client, fake_stripe, event)
    # A payment that completes after the close is refunded too, once.
    deliver(client, fake_stripe, fake_stripe.complete_checkout(late.checkout_session_id))
    for event in [e for e in fake_stripe.events if e["type"] == "charge.refunded"]:
        deliver(client, fake_stripe, event)

    # Running the close again, or the sweep, adds nothing.
    with pytest.raises(InvalidTransition):
        services.close_campaign(campaign)
    db.session.rollback()
    campaign_tasks.close_due()
    db.session.commit()
    assert len(fake_stripe.created["refund"]) == 3
    assert all(reload(p).status == "refunded" for p in [*online, gift, late])
    assert db.session.scalar(select(func.count(Refund.id))) == 4
    assert services.raised_cents(campaign) == 0
    assert_cache_matches_ledger()


def test_keep_it_all_campaign_below_goal_keeps_its_pledges():
    campaign = make_campaign(goal=10_000, all_or_nothing=False)
    services.record_offline_gift(
        campaign, {"amount_cents": 2000, "method": "cash", "reference": "kas 7"}, None
    )
    services.close_campaign(campaign)
    assert campaign.status == "failed"
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert services.raised_cents(campaign) == 2000


def test_milestones_fire_once_each():
    campaign = make_campaign(goal=10_000)
    seen = []
    with events.campaign_milestone.connected_to(lambda sender, percent: seen.append(percent)):
        gift = services.record_offline_gift(
            campaign, {"amount_cents": 4999, "method": "cash", "reference": "a"}, None
        )
        assert seen == []
        services.record_offline_gift(campaign, {"amount_cents": 1, "method": "cash", "reference": "b"}, None)
        assert seen == [50]
        services.cancel_offline_gift(gift, None)
        services.record_offline_gift(
            campaign, {"amount_cents": 4999, "method": "cash", "reference": "c"}, None
        )
        assert seen == [50]
        services.record_offline_gift(
            campaign, {"amount_cents": 5000, "method": "cash", "reference": "d"}, None
        )
    assert seen == [50, 100]
    assert services.raised_cents(campaign) == 10_000
    assert_cache_matches_ledger()


def test_cancelled_campaign_refunds_and_leaves_the_public_list(client):
    campaign = make_campaign(goal=10_000)
    gift = services.record_offline_gift(
        campaign, {"amount_cents": 700, "method": "cash", "reference": "x"}, None
    )
    services.close_campaign(campaign, cancel=True)
    assert (campaign.status, reload(gift).status) == ("cancelled", "refunded")
    db.session.commit()
    listed = client.get("/api/v1/campaigns").json["items"]
    assert campaign.id not in [c["id"] for c in listed]
    assert client.get(f"/api/v1/campaigns/{campaign.id}").json["status"] == "cancelled"
