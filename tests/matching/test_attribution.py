"""Per-pledge attribution of the match audit: every matched cent traced to the pledge that
earned it and the commitment that paid it; the rows sum exactly to matched_cents (per
commitment, to that commitment's share). Figures by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.matching import services as matching
from app.matching.attribution import apportion
from tests import factories
from tests.matching import helpers as h
from tests.matching.test_live import live_campaign


def _by_commitment(rows) -> dict[int, int]:
    out: dict[int, int] = {}
    for r in rows:
        out[r["commitment_id"]] = out.get(r["commitment_id"], 0) + r["matched_cents"]
    return out


def test_apportion_by_largest_remainder_with_ties_to_the_lower_pledge():
    # 100 over 1:1:1 → 33.33 each; the one cent left goes to the lowest id.
    assert apportion(100, {7: 1, 3: 1, 5: 1}) == {3: 34, 5: 33, 7: 33}
    # 10 over 2:1 → 6.67 and 3.33: floors 6 and 3, the cent to the larger remainder.
    assert apportion(10, {1: 2, 2: 1}) == {1: 7, 2: 3}
    assert apportion(0, {1: 5}) == {} and apportion(5, {1: 0}) == {}


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.dictionaries(st.integers(1, 10**6), st.integers(0, 10**7), max_size=30),
)
def test_apportion_always_sums_exactly_and_never_gives_a_weightless_key(total, weights):
    parts = apportion(total, weights)
    if sum(weights.values()) > 0 and total > 0:
        assert sum(parts.values()) == total
    assert all(weights[k] > 0 and v >= 0 for k, v in parts.items())


def test_at_close_each_commitments_share_is_split_pro_rata_over_the_eligible_pledges():
    """c_gent (60,000) is drawn before c_free; ratio 0.5, cap per backer 100,000."""
    c_free = h.commitment(1_000_000, name="Provincie")
    c_gent = h.commitment(60_000, name="Stad Gent", municipalities=["Gent"])
    call = factories.call(match_policy={"ratio": 0.5, "cap_per_backer_cents": 100_000})
    application = h.in_review(call, 200_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    a = h.give(campaign, 150_000, "a@example.org")  # counts 100,000 (cap per backer)
    b = h.give(campaign, 20_000, "b@example.org")
    c = h.give(campaign, 10_001, "c@example.org")
    # E = 130,001; M = floor(0.5 × 130,001) = 65,000 → 60,000 from c_gent, 5,000 from c_free.
    audit = matching.match_audit(campaign)
    assert audit["matched_cents"] == 65_000
    rows = audit["attribution"]
    assert _by_commitment(rows) == {c_gent.id: 60_000, c_free.id: 5_000}
    gent = {r["pledge_id"]: r["matched_cents"] for r in rows if r["commitment_id"] == c_gent.id}
    # 60,000 × (100,000 | 20,000 | 10,001) / 130,001 = 46153.49 | 9230.69 | 4615.81
    # floors 46153 + 9230 + 4615 = 59,998; two cents left: to c (.81), then b (.69).
    assert gent == {a.id: 46_153, b.id: 9_231, c.id: 4_616}
    free = {r["pledge_id"]: r["matched_cents"] for r in rows if r["commitment_id"] == c_free.id}
    # 5,000 × … = 3846.12 | 769.22 | 384.65 → 3846 + 769 + 384 = 4,999; the cent to c (.65).
    assert free == {a.id: 3_846, b.id: 769, c.id: 385}
    assert sum(r["matched_cents"] for r in rows) == audit["matched_cents"]
    # After settlement the shares are the booked ones, and still sum to M.
    h.give(campaign, 20_000, "d@example.org")  # raised 200,001: the target is reached
    h.close(campaign)
    settled = matching.match_audit(campaign)
    assert settled["state"] == "settled"
    # E = 150,001 → M = 75,000
    assert sum(r["matched_cents"] for r in settled["attribution"]) == settled["matched_cents"] == 75_000
    assert _by_commitment(settled["attribution"]) == {
        x["commitment_id"]: x["matched_cents"] for x in settled["allocations"] if x["matched_cents"]
    }
    h.assert_ledger_clean()


def test_live_each_draw_is_its_pledges_and_a_refund_takes_it_back():
    small = h.commitment(12_000, municipalities=["Gent"])
    big = h.commitment(18_000)
    campaign = live_campaign()
    a = h.give(campaign, 20_000, "a@example.org")  # 12,000 from small, 8,000 from big
    b = h.give(campaign, 15_000, "b@example.org")  # the last 10,000 of big
    h.give(campaign, 5_000, "c@example.org")  # nothing left: no row
    audit = matching.match_audit(campaign)
    assert audit["attribution"] == sorted(
        [
            {"pledge_id": a.id, "commitment_id": small.id, "matched_cents": 12_000},
            {"pledge_id": a.id, "commitment_id": big.id, "matched_cents": 8_000},
            {"pledge_id": b.id, "commitment_id": big.id, "matched_cents": 10_000},
        ],
        key=lambda r: (r["pledge_id"], r["commitment_id"]),
    )
    h.refund(a, 20_000)
    after = matching.match_audit(campaign)
    assert after["attribution"] == [{"pledge_id": b.id, "commitment_id": big.id, "matched_cents": 10_000}]
    assert sum(r["matched_cents"] for r in after["attribution"]) == after["matched_cents"]


def test_the_api_page_and_csv_show_the_attribution(client):
    c = h.commitment(100_000)
    campaign = live_campaign()
    a = h.give(campaign, 2_500, "a@example.org")
    auditor = factories.user("auditor")
    r = client.get(f"/api/v1/campaigns/{campaign.id}/match-audit", headers=factories.token_headers(auditor))
    assert r.status_code == 200
    assert r.json["attribution"] == [{"pledge_id": a.id, "commitment_id": c.id, "matched_cents": 2_500}]
    client.post("/account/login", data={"email": auditor.email, "password": factories.PASSWORD})
    page = client.get(f"/manage/campaigns/{campaign.id}/match").get_data(as_text=True)
    assert f"#{a.id}" in page and "Welke giften de verdubbeling verdienden" in page
    csv = client.get(f"/manage/campaigns/{campaign.id}/match-pledges.csv").get_data(as_text=True)
    assert csv.splitlines()[0].lstrip("\ufeff").split(",")[:3] in (
        ["pledge_id", "commitment_id", "matched_cents"],
        ["pledge_id;commitment_id;matched_cents"],
    ) or csv.lstrip("\ufeff").startswith("pledge_id")
    assert f"{a.id}" in csv and "2500" in csv
