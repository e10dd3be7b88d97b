"""A municipality's page: what a mayor shares. Its public campaigns (running and past) with
raised, matched and backers and the patron, and the totals per year (the year a campaign
started, in Brussels time). Figures come from the same functions as the campaign pages:
`app.campaigns.services.municipality_page` passes its `summary` in (this module stands
below the services, which re-export it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.campaigns.models import Campaign
from app.core import clock
from app.core.errors import NotFound
from app.extensions import db


def municipality_page(
    name: str, statuses: Iterable[str], summary: Callable[[Campaign], dict[str, Any]]
) -> dict[str, Any]:
    """The campaigns of the municipality in `statuses` (the public ones), each with the
    figures `summary` gives: {name, campaigns: [...], years: [{year, campaigns, raised_cents, matched_cents,
    backers}], totals}; NotFound when the municipality has no public campaign. The name is
    matched without regard to case; the campaigns' own spelling is returned."""
    wanted = (name or "").strip().lower()
    rows = list(
        db.session.scalars(
            select(Campaign)
            .where(func.lower(Campaign.municipality) == wanted, Campaign.status.in_(tuple(statuses)))
            .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
        )
    )
    if not wanted or not rows:
        raise NotFound(_("Geen campagnes in deze gemeente."))
    campaigns = []
    years: dict[int, dict[str, int]] = {}
    for campaign in rows:
        figures = summary(campaign)
        started = campaign.starts_at or campaign.created_at
        year = clock.local(started).year
        campaigns.append(
            {
                "id": campaign.id,
                "title": campaign.title,
                "status": campaign.status,
                "goal_cents": campaign.goal_cents,
                "raised_cents": figures["raised_cents"],
                "matched_cents": figures["matched_cents"],
                "backers_count": figures["backers_count"],
                "starts_at": campaign.starts_at,
                "ends_at": campaign.ends_at,
                "year": year,
                "patron_name": campaign.patron_name,
                "patron_role": campaign.patron_role,
            }
        )
        total = years.setdefault(
            year, {"year": year, "campaigns": 0, "raised_cents": 0, "matched_cents": 0, "backers": 0}
        )
        total["campaigns"] += 1
        total["raised_cents"] += figures["raised_cents"]
        total["matched_cents"] += figures["matched_cents"]
        # Backers summed per campaign: one person backing two projects counts twice.
        total["backers"] += figures["backers_count"]
    return {
        "name": rows[0].municipality,
        "campaigns": campaigns,
        "years": [years[y] for y in sorted(years, reverse=True)],
    }
