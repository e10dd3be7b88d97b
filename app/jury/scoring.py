"""The jury's numbers, as pure functions over plain data (the contract of issue 3).

- total of one juror for one application: 100 × Σ(w_c × s_c / max_c) / Σ w_c
- raw score: mean of the application's submitted totals
- calibrated score: each total t of a juror with ≥ 3 totals and σ_j > 0 becomes
  μ + σ·(t − μ_j)/σ_j (population standard deviations); the mean of the adjusted totals
- disagreement: population standard deviation of the application's totals
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

MIN_TOTALS_FOR_CALIBRATION = 3


def juror_total(criteria: Sequence[Mapping], scores: Mapping[str, int]) -> float:
    """The weighted total (0..100) of complete scores. Computed exactly, then one rounding
    to float, so equal inputs always give the same float."""
    weights = Fraction(0)
    acc = Fraction(0)
    for c in criteria:
        w = Fraction(str(c["weight"]))
        weights += w
        acc += w * Fraction(int(scores[c["key"]]), int(c["max_score"]))
    if weights == 0:
        return 0.0
    return float(100 * acc / weights)


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def pstdev(values: Sequence[float]) -> float:
    """Population standard deviation (divides by n, not n − 1)."""
    m = mean(values)
    return math.sqrt(math.fsum((v - m) ** 2 for v in values) / len(values))


@dataclass(frozen=True)
class Total:
    """One submitted total: which juror gave it to which application."""

    juror_id: int
    application_id: int
    value: float


@dataclass(frozen=True)
class ApplicationScore:
    application_id: int
    raw_score: float | None
    calibrated_score: float | None
    totals_count: int
    disagreement: float | None


def calibrated_totals(totals: Sequence[Total]) -> list[float]:
    """The totals adjusted for each juror's leniency, in the order given.

    Jurors with fewer than 3 totals, or whose totals are all equal, keep theirs as they are.
    """
    if not totals:
        return []
    values = [t.value for t in totals]
    mu, sigma = mean(values), pstdev(values)
    by_juror: dict[int, list[float]] = defaultdict(list)
    for t in totals:
        by_juror[t.juror_id].append(t.value)
    stats = {}
    for juror, vals in by_juror.items():
        if len(vals) >= MIN_TOTALS_FOR_CALIBRATION:
            sj = pstdev(vals)
            if sj > 0:
                stats[juror] = (mean(vals), sj)
    out = []
    for t in totals:
        if t.juror_id in stats:
            mj, sj = stats[t.juror_id]
            out.append(mu + sigma * (t.value - mj) / sj)
        else:
            out.append(t.value)
    return out


def application_scores(
    application_ids: Iterable[int], totals: Sequence[Total], calibration: bool
) -> dict[int, ApplicationScore]:
    """Raw score, calibrated score (None unless `calibration`), count and disagreement of
    each application; an application without totals gets None for each number."""
    adjusted = calibrated_totals(totals) if calibration else [t.value for t in totals]
    raw: dict[int, list[float]] = defaultdict(list)
    cal: dict[int, list[float]] = defaultdict(list)
    for t, a in zip(totals, adjusted, strict=True):
        raw[t.application_id].append(t.value)
        cal[t.application_id].append(a)
    result = {}
    for app_id in application_ids:
        vals = raw.get(app_id, [])
        result[app_id] = ApplicationScore(
            application_id=app_id,
            raw_score=mean(vals) if vals else None,
            calibrated_score=(mean(cal[app_id]) if vals else None) if calibration else None,
            totals_count=len(vals),
            disagreement=pstdev(vals) if vals else None,
        )
    return result
