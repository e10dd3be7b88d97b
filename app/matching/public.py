"""What the public pages say about a campaign's match: which sponsors double it (by name or
anonymously) and whether the match still depends on the goal; and what one pledge earned.

Read only, in a fixed number of statements whatever the number of backers (the campaign
page's query count must not grow with them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.matching import audit
from app.matching.models import Allocation, Sponsor
from app.matching.settlement import project_match_for

# How each allocation kind moves what a sponsor has in a project (reserved or matched).
_SIGN = {"reserve": 1, "release": -1, "match": 0, "draw": 1, "reverse": -1, "draw_reverse": -1}


def public_match(campaign: Any) -> dict[str, Any]:
    """{"sponsors": [(name or None for an anonymous sponsor)], "conditional": bool}: the
    sponsors who still put money in the project, and whether that money only comes when
    the goal is reached (an at_close match not settled yet, goal not reached yet)."""
    pm = project_match_for(campaign, create=False)
    if pm is None:
        return {"sponsors": [], "conditional": False}
    rows = db.session.execute(
        select(Sponsor.id, Sponsor.name, Sponsor.public, Allocation.kind, func.sum(Allocation.cents))
        .join(Allocation, Allocation.sponsor_id == Sponsor.id)
        .where(Allocation.project_match_id == pm.id)
        .group_by(Sponsor.id, Sponsor.name, Sponsor.public, Allocation.kind)
        .order_by(Sponsor.id)
    ).all()
    held: dict[int, int] = {}
    names: dict[int, str | None] = {}
    for sponsor_id, name, public, kind, cents in rows:
        held[sponsor_id] = held.get(sponsor_id, 0) + _SIGN.get(kind, 0) * int(cents or 0)
        names[sponsor_id] = name if public else None
    conditional = (
        pm.state == "projected"
        and pm.mode != "live"
        and pm.policy.get("condition") == "target_reached"
        and int(campaign.raised_cache_cents or 0) < int(campaign.goal_cents or 0)
    )
    return {"sponsors": [names[s] for s in held if held[s] > 0], "conditional": conditional}


def pledge_match(pledge: Any) -> tuple[int, bool]:
    """(what this pledge's money drew from the sponsors, or would draw when the campaign
    ends, whether that still depends on the goal): its rows of the match attribution."""
    found = audit.match_audit(pledge.campaign)
    cents = sum(r["matched_cents"] for r in found["attribution"] if r["pledge_id"] == pledge.id)
    return int(cents), bool(found["conditional"])
