"""The ranking of a call's applications (a contract of issue 3).

Order: by calibrated score where the call enables calibration, else by raw score, both
compared rounded to 6 decimals; ties go to the higher raw score, then the smaller maximum
match, then the earlier submission. With `tie_lottery` and a drawn `lottery_seed`, the
SHA-256 hex digest of "<seed>:<application_id>" (smallest first) replaces the submission
time, so anyone can reproduce the order. Applications without a submitted total come last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.calls import services as calls
from app.calls.models import Application, Call
from app.extensions import db
from app.jury.models import Assignment
from app.jury.scoring import Total, application_scores, juror_total

# The applications that are (or were) before the jury.
JURY_STATUSES = ("eligible", "in_review", "selected", "not_selected")
DECIMALS = 6
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    application_id: int
    score: float | None  # what the ranking sorts on: calibrated or raw
    raw_score: float | None
    max_match_cents: int
    submitted_at: datetime | None


def lottery_digest(seed: str, application_id: int) -> str:
    """The public tie-break: sha256("<seed>:<application_id>") as hex."""
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def _desc(value: float | None) -> tuple[bool, float]:
    # Missing scores sort after every real score; higher scores first.
    return (value is None, -round(value, DECIMALS) if value is not None else 0.0)


def order(candidates: Sequence[Candidate], lottery_seed: str | None = None) -> list[Candidate]:
    """The candidates in ranking order (a permutation of the input)."""

    def key(c: Candidate):
        if lottery_seed:
            last: tuple = (lottery_digest(lottery_seed, c.application_id),)
        else:
            last = (c.submitted_at is None, c.submitted_at or _EPOCH)
        return (*_desc(c.score), *_desc(c.raw_score), c.max_match_cents, *last, c.application_id)

    return sorted(candidates, key=key)


def jury_applications(call: Call) -> list[Application]:
    """The call's applications that are (or were) before the jury, by id."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(JURY_STATUSES))
            .order_by(Application.id)
        )
    )


def submitted_totals(call: Call) -> list[Total]:
    """Every total that counts in the call: submitted, by a juror without a conflict."""
    rows = db.session.scalars(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .where(
            Assignment.call_id == call.id,
            Assignment.declaration == "no_conflict",
            Assignment.submitted_at.is_not(None),
            Application.status.in_(JURY_STATUSES),
        )
        .order_by(Assignment.id)
    )
    return [Total(a.user_id, a.application_id, juror_total(call.criteria, a.scores)) for a in rows]


def ranking(call: Call) -> list[dict]:
    """The ranking of the call: dicts {application_id, rank, raw_score, calibrated_score,
    totals_count, disagreement, disputed}, best first. Reads only; changes nothing."""
    apps = jury_applications(call)
    scores = application_scores([a.id for a in apps], submitted_totals(call), bool(call.calibration))
    candidates = []
    for a in apps:
        s = scores[a.id]
        candidates.append(
            Candidate(
                application_id=a.id,
                score=s.calibrated_score if call.calibration else s.raw_score,
                raw_score=s.raw_score,
                max_match_cents=calls.application_max_match_cents(a),
                submitted_at=a.submitted_at,
            )
        )
    seed = call.lottery_seed if call.tie_lottery else None
    threshold = call.disagreement_threshold
    result = []
    for rank, c in enumerate(order(candidates, seed), start=1):
        s = scores[c.application_id]
        result.append(
            {
                "application_id": c.application_id,
                "rank": rank,
                "raw_score": s.raw_score,
                "calibrated_score": s.calibrated_score,
                "totals_count": s.totals_count,
                "disagreement": s.disagreement,
                "disputed": s.disagreement is not None and s.disagreement > threshold,
            }
        )
    return result
