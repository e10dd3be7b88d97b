"""The numbers of the contract, hand-computed, and their properties (Hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.jury.ranking import Candidate, lottery_digest, order
from app.jury.scoring import Total, application_scores, calibrated_totals, juror_total, pstdev

CRITERIA = [
    {"key": "impact", "label": "Impact", "weight": 2, "max_score": 10},
    {"key": "feasibility", "label": "Haalbaarheid", "weight": 1, "max_score": 5},
]


@pytest.mark.parametrize(
    ("impact", "feasibility", "expected"),
    [
        (10, 5, 100.0),
        (0, 0, 0.0),
        (5, 5, 200 / 3),  # 100 × (2×5/10 + 1×5/5) / 3 = 100 × 2 / 3
        (8, 3, 220 / 3),  # 100 × (1.6 + 0.6) / 3
        (6, 2, 160 / 3),  # 100 × (1.2 + 0.4) / 3
    ],
)
def test_total_is_the_weighted_share_of_the_maxima(impact, feasibility, expected):
    assert juror_total(CRITERIA, {"impact": impact, "feasibility": feasibility}) == pytest.approx(
        expected, abs=1e-12
    )


def test_fractional_weights_are_exact():
    criteria = [
        {"key": "a", "label": "A", "weight": 0.1, "max_score": 3},
        {"key": "b", "label": "B", "weight": 0.2, "max_score": 3},
    ]
    # 100 × (0.1×1/3 + 0.2×2/3) / 0.3 = 100 × (0.5/3) / 0.3 = 55.555…
    assert juror_total(criteria, {"a": 1, "b": 2}) == pytest.approx(500 / 9, abs=1e-12)


def test_population_standard_deviation_divides_by_n():
    assert pstdev([90, 40]) == 25.0
    assert pstdev([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0


def _scenario():
    # Juror 1 is lenient, juror 2 harsh (both three totals, same spread); juror 3 has two
    # totals and is not calibrated. Applications 1..4 = X, Y, Z, W.
    return [
        Total(1, 1, 90),
        Total(1, 2, 80),
        Total(1, 3, 100),
        Total(2, 1, 40),
        Total(2, 2, 60),
        Total(2, 4, 50),
        Total(3, 3, 70),
        Total(3, 4, 70),
    ]


def test_calibration_by_hand():
    # μ = 560/8 = 70; σ² = 2800/8 = 350; μ_1 = 90, μ_2 = 50, σ_1² = σ_2² = 200/3.
    # σ/σ_j = √(350 × 3/200) = √5.25, so t' = 70 + √5.25 × (t − μ_j).
    k = math.sqrt(5.25)
    adjusted = calibrated_totals(_scenario())
    expected = [70, 70 - 10 * k, 70 + 10 * k, 70 - 10 * k, 70 + 10 * k, 70, 70, 70]
    assert adjusted == pytest.approx(expected, abs=1e-9)


def test_raw_calibrated_and_disagreement_by_hand():
    k = math.sqrt(5.25)
    scores = application_scores([1, 2, 3, 4, 5], _scenario(), calibration=True)
    x, y, z, w, none = (scores[i] for i in (1, 2, 3, 4, 5))
    assert (x.raw_score, y.raw_score, z.raw_score, w.raw_score) == (65, 70, 85, 60)
    assert x.calibrated_score == pytest.approx(70 - 5 * k, abs=1e-9)
    assert y.calibrated_score == pytest.approx(70, abs=1e-9)
    assert z.calibrated_score == pytest.approx(70 + 5 * k, abs=1e-9)
    assert w.calibrated_score == pytest.approx(70, abs=1e-9)
    assert (x.disagreement, y.disagreement, z.disagreement, w.disagreement) == (25, 10, 15, 10)
    assert [s.totals_count for s in (x, y, z, w)] == [2, 2, 2, 2]
    assert none.raw_score is None and none.totals_count == 0 and none.disagreement is None


def test_without_calibration_the_calibrated_score_is_absent():
    scores = application_scores([1], _scenario(), calibration=False)
    assert scores[1].raw_score == 65 and scores[1].calibrated_score is None


def test_a_juror_with_equal_totals_is_not_calibrated():
    totals = [Total(1, 1, 50), Total(1, 2, 50), Total(1, 3, 50), Total(2, 1, 10), Total(2, 2, 90)]
    assert calibrated_totals(totals)[:3] == [50, 50, 50]


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _c(app_id, score, raw=None, match=100, minutes=0):
    return Candidate(app_id, score, score if raw is None else raw, match, T0 + timedelta(minutes=minutes))


def test_order_by_score_then_raw_then_smaller_match_then_earlier_submission():
    cands = [
        _c(1, 70.0000001, raw=60, match=100, minutes=1),  # equals 70 at 6 decimals
        _c(2, 70.0, raw=65, match=100, minutes=5),
        _c(3, 70.0, raw=60, match=50, minutes=9),
        _c(4, 70.0, raw=60, match=100, minutes=0),
        _c(5, 80.0, raw=10),
        _c(6, None, raw=None),
    ]
    assert [c.application_id for c in order(cands)] == [5, 2, 3, 4, 1, 6]


def test_lottery_replaces_submission_time_and_is_reproducible():
    seed = "00ff"
    cands = [_c(i, 70.0, raw=60, match=100, minutes=10 - i) for i in (1, 2, 3, 4)]
    digests = {i: __import__("hashlib").sha256(f"{seed}:{i}".encode()).hexdigest() for i in (1, 2, 3, 4)}
    assert lottery_digest(seed, 3) == digests[3]
    expected = sorted(digests, key=digests.get)
    assert [c.application_id for c in order(cands, seed)] == expected
    # without a seed: earliest submission first (4 submitted at minute 6, 1 at minute 9)
    assert [c.application_id for c in order(cands)] == [4, 3, 2, 1]


# --- properties -------------------------------------------------------------------------

scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@given(
    st.lists(st.tuples(scores, scores, st.integers(0, 10**6), st.integers(0, 10**4)), max_size=30),
    st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)),
)
def test_ranking_is_a_permutation(rows, seed):
    cands = [Candidate(i, s, r, m, T0 + timedelta(seconds=t)) for i, (s, r, m, t) in enumerate(rows, start=1)]
    ranked = order(cands, seed)
    assert sorted(c.application_id for c in ranked) == list(range(1, len(rows) + 1))
    scored = [c.score for c in ranked if c.score is not None]
    assert [round(s, 6) for s in scored] == sorted((round(s, 6) for s in scored), reverse=True)
    assert all(c.score is None for c in ranked[len(scored) :])


@given(
    st.lists(st.integers(0, 100), min_size=3, max_size=8, unique=True),
    st.integers(-20, 20),
    st.lists(st.integers(0, 100), min_size=0, max_size=6),
)
def test_a_shifted_copy_of_a_juror_gets_equal_weight(base, shift, others):
    # Juror 2 scores the same applications as juror 1, every total `shift` higher: after
    # calibration both jurors give each application the same adjusted total.
    totals = [Total(1, app, float(t)) for app, t in enumerate(base)]
    totals += [Total(2, app, float(t + shift)) for app, t in enumerate(base)]
    totals += [Total(3, 100 + i, float(t)) for i, t in enumerate(others)]
    adjusted = calibrated_totals(totals)
    n = len(base)
    for i in range(n):
        assert adjusted[i] == pytest.approx(adjusted[n + i], abs=1e-9)
