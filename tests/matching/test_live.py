"""Live matching: each confirmed pledge draws at once, first come first served."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.campaigns.ports import Matching
from app.core import ports
from app.extensions import db
from app.matching import services as matching
from app.matching.models import PledgeDraw
from tests import factories
from tests.matching import helpers as h

LIVE = {"mode": "live", "condition": "none"}


def live_campaign(target=100_000, **policy):
    call = factories.call(all_or_nothing=False, match_policy={**LIVE, **policy})
    application = h.in_review(call, target)
    h.confirm(call, [application])
    return h.open_campaign(application)


def test_a_live_selection_reserves_nothing():
    c = h.commitment(30_000)
    campaign = live_campaign()
    assert h.balances(c) == (30_000, 0, 0)
    assert matching.match_audit(campaign)["allocations"] == []


def test_pledges_draw_until_the_commitments_run_out_and_a_refund_gives_back_exactly_its_draws():
    small = h.commitment(12_000, municipalities=["Gent"])
    big = h.commitment(18_000)
    campaign = live_campaign()
    a = h.give(campaign, 20_000, "a@example.org")  # 12,000 from small, 8,000 from big
    assert h.balances(small) == (0, 0, 12_000)
    assert h.balances(big) == (10_000, 0, 8_000)
    b = h.give(campaign, 15_000, "b@example.org")  # wants 15,000, gets the last 10,000
    h.give(campaign, 5_000, "c@example.org")  # gets nothing
    draws = {d.pledge_id: (d.requested_cents, d.drawn_cents) for d in db.session.query(PledgeDraw)}
    assert draws[a.id] == (20_000, 20_000) and draws[b.id] == (15_000, 10_000)
    audit = matching.match_audit(campaign)
    assert audit["matched_cents"] == 30_000 and audit["state"] == "projected" and not audit["conditional"]
    assert "2 gift(en) kregen minder" in audit["explanation"]
    h.refund(a, 20_000)  # back in reverse order: 8,000 to big, then 12,000 to small
    assert h.balances(small) == (12_000, 0, 0)
    assert h.balances(big) == (8_000, 0, 10_000)
    assert matching.matched_cents(campaign) == 10_000
    h.give(campaign, 7_000, "d@example.org")
    assert h.balances(small) == (5_000, 0, 7_000)
    h.assert_ledger_clean()


def test_a_partial_refund_gives_back_the_part_no_longer_earned():
    c = h.commitment(100_000)
    campaign = live_campaign(ratio=2)
    a = h.give(campaign, 10_000, "a@example.org")  # 2 × 10,000
    assert h.balances(c) == (80_000, 0, 20_000)
    h.refund(a, 2_500)  # 7,500 left → 15,000
    assert h.balances(c) == (85_000, 0, 15_000)
    h.dispute(a)  # an open dispute changes nothing
    assert matching.matched_cents(campaign) == 15_000
    h.dispute(a, won=False)
    assert h.balances(c) == (100_000, 0, 0)
    h.assert_ledger_clean()


def test_the_project_maximum_and_the_per_backer_cap_bound_live_draws():
    h.commitment(1_000_000)
    campaign = live_campaign(target=50_000, cap_per_backer_cents=30_000)
    h.give(campaign, 20_000, "a@example.org")
    h.give(campaign, 20_000, "a@example.org")  # only 10,000 of it counts
    assert matching.matched_cents(campaign) == 30_000
    h.give(campaign, 40_000, "b@example.org")  # counts 30,000; 20,000 left of the maximum
    assert matching.matched_cents(campaign) == 50_000
    audit = matching.match_audit(campaign)
    assert audit["eligible_cents"] == 60_000 and audit["max_match_cents"] == 50_000


def test_the_owner_and_offline_gifts_follow_the_policy():
    c = h.commitment(100_000)
    campaign = live_campaign(offline_eligible=False)
    owner = db.session.get(User, campaign.owner_id)
    h.give(campaign, 10_000, owner.email)
    h.offline(campaign, 10_000)
    assert h.balances(c) == (100_000, 0, 0)
    assert sorted(e["reason"] for e in matching.match_audit(campaign)["excluded"]) == ["offline", "owner"]


def test_a_repeated_confirmation_draws_once():
    c = h.commitment(100_000)
    campaign = live_campaign()
    p = h.pending(campaign, 10_000, "a@example.org")
    event = h.succeed(p)
    h.succeed(p, event_id=event["id"])  # the same webhook again
    h.succeed(p)  # another event for a pledge that already succeeded
    # Even a repeated call of matching's step of the confirmation path.
    ports.get(Matching).pledge_counted(p)
    assert h.balances(c) == (90_000, 0, 10_000)
    h.assert_ledger_clean()


def test_what_a_pledge_adds_is_shown_before_pledging(app):
    h.commitment(15_000)
    campaign = live_campaign()
    effect = app.extensions["streekfonds_pledge_effect"]
    assert effect(campaign, 2_000) == 2_000  # "your 20 euro becomes 40"
    assert effect(campaign, 20_000) == 15_000  # no more than the sponsors have left
    h.close(campaign)
    assert effect(campaign, 2_000) == 0


@pytest.mark.parametrize("policy", [{"ratio": 0.5}, {"ratio": 1.5}])
def test_live_ratio_floors(policy):
    c = h.commitment(100_000)
    campaign = live_campaign(**policy)
    h.give(campaign, 3_333, "a@example.org")
    drawn = {0.5: 1_666, 1.5: 4_999}[policy["ratio"]]
    assert h.balances(c) == (100_000 - drawn, 0, drawn)
