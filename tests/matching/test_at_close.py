"""At-close matching through the real services: reservation at selection, the projection,
settlement, release and the recompute after refunds. Every figure is computed by hand."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from app.matching import services as matching
from app.matching.models import ProjectMatch
from tests import factories
from tests.matching import helpers as h


@pytest.fixture
def setup():
    """c_gent (60,000 for Gent) is drawn before c_free (1,000,000, no earmark); a project in
    Gent with target 200,000 at ratio 0.5 has a maximum of 100,000: 60,000 + 40,000."""
    c_free = h.commitment(1_000_000, name="Provincie")
    c_gent = h.commitment(60_000, name="Stad Gent", municipalities=["Gent"])
    call = factories.call(match_policy={"ratio": 0.5, "cap_per_backer_cents": 100_000})
    application = h.in_review(call, 200_000)
    h.confirm(call, [application])
    return call, application, c_free, c_gent


def test_confirming_reserves_the_maximum_most_specific_commitment_first(setup):
    _call, application, c_free, c_gent = setup
    pm = matching.project_match_for(h.open_campaign(application))
    assert pm.max_match_cents == 100_000
    assert h.balances(c_gent) == (0, 60_000, 0)
    assert h.balances(c_free) == (960_000, 40_000, 0)
    h.assert_ledger_clean()


def test_a_selection_the_sponsors_cannot_cover_is_refused_and_changes_nothing():
    c = h.commitment(50_000, municipalities=["Gent"])
    call = factories.call()
    fits, too_big = h.in_review(call, 40_000), h.in_review(call, 20_000)
    with pytest.raises(Conflict) as err:
        h.confirm(call, [fits, too_big])
    assert err.value.code == "match_not_covered"
    assert [r["application_id"] for r in err.value.details["applications"]] == [too_big.id]
    assert h.balances(c) == (50_000, 0, 0)
    from app.extensions import db

    assert db.session.query(ProjectMatch).count() == 0


def test_the_projection_is_shown_while_the_campaign_runs(setup, app):
    _call, application, _c_free, _c_gent = setup
    campaign = h.open_campaign(application)
    h.give(campaign, 150_000, "a@example.org")  # counts 100,000 (cap per backer)
    h.give(campaign, 20_000, "b@example.org")
    # E = 100,000 + 20,000 = 120,000; M = 0.5 × 120,000 = 60,000 < 100,000
    audit = matching.match_audit(campaign)
    assert (audit["raised_cents"], audit["eligible_cents"], audit["matched_cents"]) == (
        170_000,
        120_000,
        60_000,
    )
    assert audit["state"] == "projected"
    assert audit["conditional"] is True  # 170,000 < goal 200,000
    assert app.extensions["streekfonds_matched_cents"](campaign) == 60_000
    # a new backer's 20 euro adds 10 euro (ratio 0.5)
    assert matching.pledge_effect_cents(campaign, 2000) == 1000
    assert [a["reserved_cents"] for a in audit["allocations"]] == [60_000, 40_000]


def test_settlement_matches_in_draw_order_releases_the_rest_and_a_refund_reverses(setup):
    _call, application, c_free, c_gent = setup
    campaign = h.open_campaign(application)
    h.give(campaign, 150_000, "a@example.org")  # 100,000 eligible
    b = h.give(campaign, 60_000, "b@example.org")
    from app.accounts.models import User
    from app.extensions import db

    owner = db.session.get(User, campaign.owner_id)
    h.give(campaign, 20_000, owner.email)  # the owner's own money is left out
    h.close(campaign)
    assert campaign.status == "succeeded"  # 230,000 ≥ 200,000
    # E = 160,000 → M = 80,000: 60,000 from c_gent, 20,000 from c_free; 20,000 released
    audit = matching.match_audit(campaign)
    assert audit["state"] == "settled" and audit["conditional"] is False
    assert audit["matched_cents"] == 80_000
    assert audit["allocations"] == [
        {
            "commitment_id": c_gent.id,
            "sponsor_id": c_gent.sponsor_id,
            "sponsor_name": "Stad Gent",
            "reserved_cents": 0,
            "matched_cents": 60_000,
            "released_cents": 0,
        },
        {
            "commitment_id": c_free.id,
            "sponsor_id": c_free.sponsor_id,
            "sponsor_name": "Provincie",
            "reserved_cents": 0,
            "matched_cents": 20_000,
            "released_cents": 20_000,
        },
    ]
    assert {"pledge_id": audit["excluded"][0]["pledge_id"], "reason": "owner"} == audit["excluded"][0]
    assert h.balances(c_gent) == (0, 0, 60_000)
    assert h.balances(c_free) == (980_000, 0, 20_000)
    # b refunded: E' = 100,000 → M' = 50,000: 30,000 back, last matched first
    h.refund(b, 60_000)
    audit = matching.match_audit(campaign)
    assert audit["matched_cents"] == 50_000
    assert [(a["matched_cents"], a["released_cents"]) for a in audit["allocations"]] == [
        (50_000, 10_000),
        (0, 40_000),
    ]
    assert h.balances(c_gent) == (10_000, 0, 50_000)
    assert h.balances(c_free) == (1_000_000, 0, 0)
    assert "terug" in audit["explanation"]
    h.assert_ledger_clean()


def test_the_match_never_rises_after_settlement_and_an_open_dispute_changes_nothing(setup):
    _call, application, _c_free, _c_gent = setup
    campaign = h.open_campaign(application)
    a = h.give(campaign, 150_000, "a@example.org")
    h.give(campaign, 60_000, "b@example.org")
    h.close(campaign)
    assert matching.matched_cents(campaign) == 80_000
    h.dispute(a)  # open: still counts
    assert matching.matched_cents(campaign) == 80_000
    h.dispute(a, won=False)  # lost: E' = 60,000 → M' = 30,000
    assert matching.matched_cents(campaign) == 30_000
    h.assert_ledger_clean()


def test_target_not_reached_matches_nothing_and_releases_everything(setup):
    _call, application, c_free, c_gent = setup
    campaign = h.open_campaign(application)
    h.give(campaign, 150_000, "a@example.org")
    h.close(campaign)
    assert campaign.status == "failed"
    audit = matching.match_audit(campaign)
    assert (audit["matched_cents"], audit["state"]) == (0, "settled")
    assert "niet gehaald" in audit["explanation"]
    assert h.balances(c_gent) == (60_000, 0, 0)
    assert h.balances(c_free) == (1_000_000, 0, 0)
    h.assert_ledger_clean()


def test_min_backers_is_judged_at_close():
    h.commitment(1_000_000)
    call = factories.call(all_or_nothing=False, match_policy={"min_backers": 3, "condition": "none"})
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    h.give(campaign, 30_000, "b@example.org")
    assert matching.matched_cents(campaign) == 60_000  # projected as if met
    assert matching.match_audit(campaign)["conditional"] is True
    h.close(campaign)
    audit = matching.match_audit(campaign)
    assert audit["matched_cents"] == 0
    assert "schenker" in audit["explanation"]


def test_settlement_waits_for_pending_pledges():
    h.commitment(1_000_000)
    call = factories.call(all_or_nothing=False, match_policy={"condition": "none"})
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    late = h.pending(campaign, 10_000, "late@example.org")
    h.close(campaign)
    assert matching.match_audit(campaign)["state"] == "projected"
    h.succeed(late)  # it resolves after the close: now it settles, and it counts
    audit = matching.match_audit(campaign)
    assert (audit["state"], audit["matched_cents"]) == ("settled", 40_000)
    h.assert_ledger_clean()


def test_cancelling_releases_the_reservation():
    c = h.commitment(100_000)
    call = factories.call()
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    assert h.balances(c) == (0, 100_000, 0)
    h.close(campaign, cancel=True)
    assert h.balances(c) == (100_000, 0, 0)
    assert matching.match_audit(campaign)["allocations"][0]["released_cents"] == 100_000
    h.assert_ledger_clean()


def test_max_match_bounds_the_settled_match_and_the_explanation_says_so():
    h.commitment(1_000_000)
    call = factories.call(
        all_or_nothing=False, match_policy={"condition": "none", "cap_per_project_cents": 25_000}
    )
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    offline = h.offline(campaign, 5_000)
    h.close(campaign)
    audit = matching.match_audit(campaign)
    assert (audit["eligible_cents"], audit["matched_cents"], audit["eligible_backers"]) == (35_000, 25_000, 2)
    assert "maximale verdubbeling" in audit["explanation"]
    assert offline.status == "succeeded"
