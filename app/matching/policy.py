"""The match policy of a call as pure functions over plain data (no database, no Flask).

Every number the matching domain books comes from these functions, so the hand-computed
tests and the property tests check the rules where they live. Ratios and shares are read as
decimals (Fraction of their string), never as floats, and every product is floored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from app.calls.match_rules import max_match  # noqa: F401 - the one formula, used here and by calls
from app.calls.models import DEFAULT_MATCH_POLICY

# One source for the defaults: the call's own (app.calls.models.DEFAULT_MATCH_POLICY).
DEFAULTS: dict[str, Any] = DEFAULT_MATCH_POLICY


def full_policy(policy: dict[str, Any] | None) -> dict[str, Any]:
    """The policy with every default filled in (unknown keys are kept, and ignored)."""
    return {**DEFAULTS, **(policy or {})}


def _fraction(value: Any, default: int = 1) -> Fraction:
    return Fraction(str(value if value is not None else default))


def times_ratio(policy: dict[str, Any], cents: int) -> int:
    """floor(ratio × cents), exact."""
    if cents <= 0:
        return 0
    return int(_fraction(full_policy(policy)["ratio"]) * cents)


@dataclass(frozen=True)
class PledgeFact:
    """What the rules need to know of one pledge. `net_cents` is the amount still counted:
    the pledge minus refunds, 0 after a lost dispute or when it never succeeded."""

    pledge_id: int
    backer: str
    net_cents: int
    offline: bool = False
    owner: bool = False


@dataclass
class Eligibility:
    raised_cents: int
    eligible_cents: int
    backers: int
    excluded: list[dict[str, Any]] = field(default_factory=list)
    # pledge id -> the part of that pledge that counts (per-backer cap applied in order)
    parts: dict[int, int] = field(default_factory=dict)


def eligibility(policy: dict[str, Any], pledges: Sequence[PledgeFact]) -> Eligibility:
    """Eligible raised E and the eligible backers, from the pledges in confirmation order.

    Leaves out the owner's pledges (when `exclude_owner`) and offline gifts (when not
    `offline_eligible`). Each backer counts for at most `cap_per_backer_cents`; the cap is
    spent by their pledges in the given order, which fixes each pledge's eligible part.
    """
    p = full_policy(policy)
    cap = p["cap_per_backer_cents"]
    raised = 0
    excluded: list[dict[str, Any]] = []
    used: dict[str, int] = {}
    parts: dict[int, int] = {}
    for pledge in pledges:
        net = max(0, pledge.net_cents)
        raised += net
        if pledge.owner and p["exclude_owner"]:
            excluded.append({"pledge_id": pledge.pledge_id, "reason": "owner"})
            continue
        if pledge.offline and not p["offline_eligible"]:
            excluded.append({"pledge_id": pledge.pledge_id, "reason": "offline"})
            continue
        before = used.get(pledge.backer, 0)
        part = net if cap is None else max(0, min(net, int(cap) - before))
        if net > 0 and part == 0:
            excluded.append({"pledge_id": pledge.pledge_id, "reason": "backer_cap"})
        used[pledge.backer] = before + part
        parts[pledge.pledge_id] = part
    backers = sum(1 for v in used.values() if v > 0)
    return Eligibility(raised, sum(used.values()), backers, excluded, parts)


@dataclass
class MatchOutcome:
    match_cents: int
    bound: str  # which rule decided: ratio, max_match, min_backers, target_not_reached


def match(
    policy: dict[str, Any],
    elig: Eligibility,
    maximum: int,
    *,
    goal_cents: int | None = None,
    judge_conditions: bool = False,
) -> MatchOutcome:
    """M = min(floor(ratio × E), maximum match).

    With `judge_conditions` (the moment of settlement), M is 0 when fewer than
    `min_backers` eligible backers gave, or when `condition` is target_reached and raised is
    below the goal. Without it (the projection while a campaign runs, and the recompute after
    a refund) the conditions are taken as met.
    """
    p = full_policy(policy)
    if judge_conditions:
        if p["min_backers"] is not None and elig.backers < int(p["min_backers"]):
            return MatchOutcome(0, "min_backers")
        if p["condition"] == "target_reached" and elig.raised_cents < (goal_cents or 0):
            return MatchOutcome(0, "target_not_reached")
    by_ratio = times_ratio(p, elig.eligible_cents)
    if by_ratio >= maximum:
        return MatchOutcome(maximum, "max_match")
    return MatchOutcome(by_ratio, "ratio")


def live_draw(policy: dict[str, Any], eligible_part: int, remaining_max: int) -> int:
    """What one confirmed pledge asks of the sponsors in live mode:
    min(floor(ratio × its eligible part), the project's remaining maximum)."""
    return max(0, min(times_ratio(policy, eligible_part), remaining_max))


# --- earmarks and the draw order -------------------------------------------------------


@dataclass(frozen=True)
class Earmark:
    call_id: int | None = None
    theme: str | None = None
    municipalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    call_id: int
    theme: str | None
    municipality: str | None


def _norm(text: str | None) -> str:
    return (text or "").strip().casefold()


def admits(earmark: Earmark, project: Project) -> bool:
    """An earmark admits a project only if each of its set fields does."""
    if earmark.call_id is not None and earmark.call_id != project.call_id:
        return False
    if earmark.theme and _norm(earmark.theme) != _norm(project.theme):
        return False
    wanted = {_norm(m) for m in earmark.municipalities}
    return not wanted or _norm(project.municipality) in wanted


def specificity(earmark: Earmark) -> int:
    """0 = most specific: municipalities, then theme, then call, then none (3)."""
    if earmark.municipalities:
        return 0
    if earmark.theme:
        return 1
    if earmark.call_id is not None:
        return 2
    return 3


def draw_order(items: Iterable[tuple[Any, Earmark, Any]], project: Project) -> list[Any]:
    """The commitments that admit `project`, most specific first and oldest first within
    that. `items` are (commitment key, earmark, creation sort key) triples."""
    fit = [(specificity(e), created, key) for key, e, created in items if admits(e, project)]
    fit.sort(key=lambda t: (t[0], t[1]))
    return [key for _s, _c, key in fit]


def split(amount: int, order: Sequence[Any], available: dict[Any, int]) -> list[tuple[Any, int]]:
    """Take `amount` from the commitments in `order`, each as far as its available money
    goes. Returns the (commitment, cents) parts; their sum is less than `amount` when the
    commitments run out."""
    parts: list[tuple[Any, int]] = []
    left = amount
    for key in order:
        if left <= 0:
            break
        take = min(left, max(0, available.get(key, 0)))
        if take > 0:
            parts.append((key, take))
            left -= take
    return parts


def give_back(amount: int, taken: Sequence[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """Return `amount` to the commitments it was taken from, in the reverse order of taking
    (the last taken goes back first). `taken` is [(commitment, cents still held)] in draw
    order."""
    parts: list[tuple[Any, int]] = []
    left = amount
    for key, held in reversed(list(taken)):
        if left <= 0:
            break
        back = min(left, held)
        if back > 0:
            parts.append((key, back))
            left -= back
    return parts
