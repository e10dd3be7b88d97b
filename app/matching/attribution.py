"""Which pledge earned which matched cent: the `attribution` of a campaign's match audit.

The rule, so that anyone can recompute it:

- `live` calls: each confirmed pledge drew its own match from the commitments, so a
  pledge's attribution per commitment is what its draws took from that commitment, less
  what was reversed after a refund or a lost dispute (the ledger's `match_drawn` and
  `match_draw_reversed`, per pledge and commitment).
- `at_close` calls: the match M is one figure for the project. Each commitment's share of
  M (what it matched at settlement, or, while the campaign runs, what it would give: M
  taken from the reservations in draw order) is divided over the eligible pledges pro
  rata to their eligible part (the pledge after the per-backer cap; pledges left out by
  the rules get nothing): every pledge first gets floor(share × part / total part); the
  cents left over go one each to the pledges with the largest remainders, ties to the
  lower pledge id (largest remainder method).

Either way the rows' `matched_cents` sum exactly to each commitment's share and so to the
campaign's `matched_cents`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.matching.models import Allocation, ProjectMatch
from app.matching.policy import Eligibility, split


def apportion(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Split `total` cents over the keys pro rata to `weights` (largest remainder, ties to
    the lower key); sums exactly to `total`. Empty when there is nothing to weigh by."""
    weights = {k: w for k, w in weights.items() if w > 0}
    whole = sum(weights.values())
    if total <= 0 or whole <= 0:
        return {}
    shares = {k: Fraction(total * w, whole) for k, w in weights.items()}
    out = {k: int(s) for k, s in shares.items()}
    left = total - sum(out.values())
    for k in sorted(weights, key=lambda k: (-(shares[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def live_attribution(pm: ProjectMatch) -> list[dict[str, Any]]:
    """Per pledge and commitment: drawn minus reversed (rows with nothing left are dropped)."""
    net: dict[tuple[int, int], int] = {}
    rows = db.session.execute(
        select(Allocation.pledge_id, Allocation.commitment_id, Allocation.kind, Allocation.cents).where(
            Allocation.project_match_id == pm.id,
            Allocation.kind.in_(("draw", "draw_reverse")),
            Allocation.pledge_id.is_not(None),
        )
    )
    for pledge_id, commitment_id, kind, cents in rows:
        key = (pledge_id, commitment_id)
        net[key] = net.get(key, 0) + (cents if kind == "draw" else -cents)
    return [
        {"pledge_id": p, "commitment_id": c, "matched_cents": cents}
        for (p, c), cents in sorted(net.items())
        if cents > 0
    ]


def commitment_shares(pm: ProjectMatch, holdings: list[dict], matched: int) -> list[tuple[int, int]]:
    """(commitment, cents) of the match: as booked once settled, else `matched` taken from
    the reservations in draw order (as settlement will take it)."""
    if pm.state != "projected":
        return [(h["commitment_id"], h["matched"]) for h in holdings if h["matched"] > 0]
    order = [h["commitment_id"] for h in holdings]
    return split(matched, order, {h["commitment_id"]: h["reserved"] for h in holdings})


def at_close_attribution(
    pm: ProjectMatch, elig: Eligibility, holdings: list[dict], matched: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for commitment_id, share in commitment_shares(pm, holdings, matched):
        for pledge_id, cents in sorted(apportion(share, elig.parts).items()):
            if cents > 0:
                rows.append({"pledge_id": pledge_id, "commitment_id": commitment_id, "matched_cents": cents})
    return rows


def attribution(pm: ProjectMatch | None, elig: Eligibility, holdings: list[dict], matched: int) -> list[dict]:
    """The attribution rows of a campaign's match (see the module's rule)."""
    if pm is None or matched <= 0:
        return []
    if pm.mode == "live":
        return live_attribution(pm)
    return at_close_attribution(pm, elig, holdings, matched)
