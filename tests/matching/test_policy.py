"""The match policy's formulas, with numbers computed by hand."""

from __future__ import annotations

from app.matching.policy import (
    Earmark,
    PledgeFact,
    Project,
    admits,
    draw_order,
    eligibility,
    give_back,
    live_draw,
    match,
    max_match,
    split,
    times_ratio,
)

A, B = "a@example.org", "b@example.org"


def pledges():
    return [
        PledgeFact(1, A, 3000),
        PledgeFact(2, B, 2000),
        PledgeFact(3, A, 4000),
        PledgeFact(4, "owner@example.org", 5000, owner=True),
        PledgeFact(5, "offline:5", 1000, offline=True),
    ]


def test_max_match_takes_the_smallest_term_that_is_set():
    assert max_match({}, 500_000, 1_200_000) == 500_000  # ratio × target
    assert max_match({}, 900_000, 2_000_000) == 600_000  # the 6,000 euro cap
    # share 0.5 of 1,000,001 cents = 500,000.5 → floored
    assert max_match({"cap_share_of_budget": 0.5}, 2_000_000, 1_000_001) == 500_000
    # ratio 1.5 × 333,333 = 499,999.5 → 499,999
    assert max_match({"ratio": 1.5, "cap_per_project_cents": None}, 333_333, None) == 499_999
    assert max_match({"ratio": 2}, 250_000, None) == 500_000


def test_max_match_agrees_with_the_calls_domain(app):
    from tests import factories

    call = factories.call(match_policy={"ratio": 1.5, "cap_share_of_budget": 0.3})
    for target, budget in ((333_333, 1_000_001), (100, 7), (10**7, 10**7)):
        from app.calls.services import max_match_cents

        assert max_match(call.policy, target, budget) == max_match_cents(call, target, budget)


def test_eligible_raised_leaves_out_the_owner_and_caps_each_backer():
    e = eligibility({"cap_per_backer_cents": 5000}, pledges())
    assert e.raised_cents == 15_000
    # A: 3000 + min(4000, 5000 - 3000) = 5000; B 2000; offline 1000; owner left out
    assert e.eligible_cents == 8000
    assert e.parts == {1: 3000, 2: 2000, 3: 2000, 5: 1000}
    assert e.backers == 3
    assert {"pledge_id": 4, "reason": "owner"} in e.excluded


def test_eligible_raised_without_cap_offline_or_owner_rules():
    assert eligibility({}, pledges()).eligible_cents == 10_000
    no_offline = eligibility({"offline_eligible": False, "cap_per_backer_cents": 5000}, pledges())
    assert no_offline.eligible_cents == 7000
    assert no_offline.backers == 2
    assert {"pledge_id": 5, "reason": "offline"} in no_offline.excluded
    with_owner = eligibility({"exclude_owner": False, "cap_per_backer_cents": 5000}, pledges())
    assert with_owner.eligible_cents == 13_000
    assert with_owner.backers == 4


def test_a_backer_fully_refunded_does_not_count():
    e = eligibility({}, [PledgeFact(1, A, 0), PledgeFact(2, B, 100)])
    assert (e.eligible_cents, e.backers) == (100, 1)


def test_cap_reached_is_reported_as_excluded():
    e = eligibility({"cap_per_backer_cents": 1000}, [PledgeFact(1, A, 1000), PledgeFact(2, A, 500)])
    assert e.eligible_cents == 1000
    assert e.excluded == [{"pledge_id": 2, "reason": "backer_cap"}]


def test_match_is_ratio_times_eligible_up_to_the_maximum():
    e = eligibility({"cap_per_backer_cents": 5000}, pledges())
    assert match({}, e, 500_000).match_cents == 8000
    assert match({}, e, 500_000).bound == "ratio"
    assert match({}, e, 6000).match_cents == 6000
    assert match({}, e, 6000).bound == "max_match"
    assert match({"ratio": 1.5}, eligibility({}, [PledgeFact(1, A, 333)]), 10**6).match_cents == 499


def test_min_backers_and_target_are_judged_only_at_settlement():
    e = eligibility({"cap_per_backer_cents": 5000}, pledges())  # 3 backers, raised 15,000
    policy = {"min_backers": 4}
    assert match(policy, e, 10**6, goal_cents=0, judge_conditions=True).match_cents == 0
    assert match(policy, e, 10**6, goal_cents=0, judge_conditions=True).bound == "min_backers"
    assert match(policy, e, 10**6).match_cents == 8000
    assert match({"min_backers": 3}, e, 10**6, goal_cents=0, judge_conditions=True).match_cents == 8000
    missed = match({}, e, 10**6, goal_cents=15_001, judge_conditions=True)
    assert (missed.match_cents, missed.bound) == (0, "target_not_reached")
    assert match({}, e, 10**6, goal_cents=15_000, judge_conditions=True).match_cents == 8000
    assert (
        match({"condition": "none"}, e, 10**6, goal_cents=15_001, judge_conditions=True).match_cents == 8000
    )


def test_live_draw_and_ratio_floor():
    assert live_draw({}, 2500, 1000) == 1000
    assert live_draw({"ratio": 2}, 333, 10**6) == 666
    assert live_draw({"ratio": 0.5}, 333, 10**6) == 166
    assert live_draw({}, 100, 0) == 0
    assert times_ratio({"ratio": 0.1}, 15) == 1  # 0.1 read as a decimal: 1.5 → 1


PROJECT = Project(call_id=1, theme="klimaat", municipality="Gent")


def test_an_earmark_admits_only_if_every_field_does():
    assert admits(Earmark(), PROJECT)
    assert admits(Earmark(municipalities=("gent", "Melle")), PROJECT)
    assert admits(Earmark(call_id=1, theme="Klimaat", municipalities=("Gent",)), PROJECT)
    assert not admits(Earmark(call_id=2), PROJECT)
    assert not admits(Earmark(theme="sport", municipalities=("Gent",)), PROJECT)
    assert not admits(Earmark(municipalities=("Eeklo",)), PROJECT)


def test_draw_order_is_most_specific_first_then_oldest():
    items = [
        ("none", Earmark(), 1),
        ("call", Earmark(call_id=1), 2),
        ("theme", Earmark(theme="klimaat"), 3),
        ("gent-old", Earmark(municipalities=("Gent",)), 4),
        ("gent-theme", Earmark(theme="klimaat", municipalities=("Gent",)), 5),
        ("eeklo", Earmark(municipalities=("Eeklo",)), 6),
        ("sport", Earmark(theme="sport"), 7),
        ("other-call", Earmark(call_id=2), 8),
        ("none-older", Earmark(), 0),
    ]
    assert draw_order(items, PROJECT) == ["gent-old", "gent-theme", "theme", "call", "none-older", "none"]


def test_split_and_give_back_in_reverse_order():
    available = {"a": 300, "b": 0, "c": 900}
    assert split(1000, ["a", "b", "c"], available) == [("a", 300), ("c", 700)]
    assert split(2000, ["a", "b", "c"], available) == [("a", 300), ("c", 900)]
    assert give_back(500, [("a", 300), ("c", 700)]) == [("c", 500)]
    assert give_back(800, [("a", 300), ("c", 700)]) == [("c", 700), ("a", 100)]
    assert give_back(5000, [("a", 300), ("c", 700)]) == [("c", 700), ("a", 300)]
