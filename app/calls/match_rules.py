"""The maximum match of a project: the one formula, used by calls (what an applicant is
shown), the jury (what a selection commits) and matching (what is reserved and drawn)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from app.calls.models import DEFAULT_MATCH_POLICY


def _fraction(value: Any, default: int = 1) -> Fraction:
    # Exact: the ratio and share are read as decimals, never as binary floats.
    return Fraction(str(value if value is not None else default))


def max_match(policy: dict[str, Any] | None, target_cents: int | None, budget_cents: int | None) -> int:
    """The most the sponsors may add to one project:
    min(cap_per_project_cents, floor(ratio × target), floor(cap_share_of_budget × budget)),
    over the terms the policy sets (defaults: app.calls.models.DEFAULT_MATCH_POLICY)."""
    p = {**DEFAULT_MATCH_POLICY, **(policy or {})}
    terms = []
    if p["cap_per_project_cents"] is not None:
        terms.append(int(p["cap_per_project_cents"]))
    terms.append(int(_fraction(p["ratio"]) * max(0, target_cents or 0)))  # int() of a Fraction ≥ 0 floors
    if p["cap_share_of_budget"] is not None:
        terms.append(int(_fraction(p["cap_share_of_budget"]) * max(0, budget_cents or 0)))
    return max(0, min(terms))
