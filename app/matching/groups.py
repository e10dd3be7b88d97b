"""Drawing for many confirmed pledges in one transaction (the Matching port's
`drawing_together`, used when payments' applier confirms a group of them).

On entry the group takes every shared row its draws may need, in the one order every
transaction takes them in: the campaigns' project match rows (by id), then, where a live
match may draw, all of their funds' commitments (in the global draw order: most specific
first, oldest first, the order `booking.lock_in_draw_order` uses). So two groups, or a
group and a refund, wait for each other instead of deadlocking, and while the group runs
nobody else changes those rows: the money it reads once is exact, each pledge's plan is
taken as planned, and no SAVEPOINT is needed to undo a take another transaction beat. Each
pledge still draws on its own, in its order, with the same rules as alone
(`settlement.draw_for_pledge`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.matching import booking, facts
from app.matching.models import Commitment, ProjectMatch
from app.matching.policy import specificity
from app.matching.reservations import all_commitments, earmark_of, ordered_commitments


@dataclass
class DrawingGroup:
    """The rows one group's draws share, all locked by its transaction."""

    # campaign id -> its project match row
    matches: dict[int, ProjectMatch] = field(default_factory=dict)
    # fund id -> its commitments, in the global draw order
    commitments: dict[int, list[Commitment]] = field(default_factory=dict)
    # (fund id, project) -> the commitments that admit the project, in draw order
    orders: dict[tuple, list[Commitment]] = field(default_factory=dict)
    # commitment id -> its available money: exact while the rows are locked, lowered by
    # every take of the group, read again when money came back through this transaction
    available: dict[int, int] = field(default_factory=dict)
    read_at: int = 0
    # campaign id -> (owner id, owner e-mail): is a pledge the owner's own money?
    owners: dict[int, tuple[int, str | None]] = field(default_factory=dict)

    def order_for(self, campaign: Any) -> list[Commitment]:
        project = facts.project_of_campaign(campaign)
        key = (campaign.fund_id, project)
        if key not in self.orders:
            self.orders[key] = ordered_commitments(project, self.commitments.get(campaign.fund_id, []))
        return self.orders[key]

    def money(self) -> dict[int, int]:
        """The available money of the locked commitments (read again only after money
        went back to them through this transaction: a refund confirmed in the group)."""
        if self.read_at != booking.gave_back():
            self.available.update(booking.available_of(list(self.available)))
            self.read_at = booking.gave_back()
        return self.available

    def owner_of(self, campaign: Any) -> tuple[int, str | None]:
        if campaign.id not in self.owners:
            self.owners.update(facts.campaigns().owners_of([campaign.id]))
            self.owners.setdefault(campaign.id, (campaign.owner_id, None))
        return self.owners[campaign.id]


_current: ContextVar[DrawingGroup | None] = ContextVar("matching_drawing_group", default=None)


def current() -> DrawingGroup | None:
    """The drawing group this code runs in, if any."""
    return _current.get()


@contextmanager
def drawing_group(campaigns: list[Any]) -> Iterator[DrawingGroup]:
    """Lock the shared rows of these campaigns' draws (see the module doc) and draw inside."""
    group = DrawingGroup()
    by_id = {c.id: c for c in campaigns}
    by_application = {c.application_id: c.id for c in campaigns}
    rows = db.session.scalars(
        select(ProjectMatch)
        .where(ProjectMatch.campaign_id.in_(by_id) | ProjectMatch.application_id.in_(by_application))
        .order_by(ProjectMatch.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for pm in rows:
        campaign_id = pm.campaign_id or by_application.get(pm.application_id)
        if campaign_id in by_id and pm.campaign_id in (None, campaign_id):
            if pm.campaign_id is None:
                pm.campaign_id = campaign_id  # linked on first use, as settlement does
            group.matches[campaign_id] = pm
    db.session.flush()
    # Commitments only where a pledge may draw: a live match still projected (or one made
    # on first use). At-close campaigns leave them to their settlement.
    drawing = {
        c.fund_id
        for c in campaigns
        if c.id not in group.matches
        or (group.matches[c.id].mode == "live" and group.matches[c.id].state == "projected")
    }
    for fund_id in sorted(drawing):
        ordered = sorted(
            all_commitments(fund_id), key=lambda c: (specificity(earmark_of(c)), c.created_at, c.id)
        )
        booking.lock_in_draw_order([c.id for c in ordered])
        group.commitments[fund_id] = ordered
    group.available = booking.available_of([c.id for cs in group.commitments.values() for c in cs])
    group.owners = facts.campaigns().owners_of(list(by_id))
    group.read_at = booking.gave_back()
    token = _current.set(group)
    try:
        yield group
    finally:
        _current.reset(token)
