"""What the match rules need to know of a campaign and its pledges, read through the
campaigns domain's services and turned into the plain data of `app.matching.policy`."""

from __future__ import annotations

from typing import Any

from app.campaigns import services
from app.campaigns.models import COUNTING, Campaign
from app.extensions import db
from app.matching.policy import PledgeFact, Project


def campaigns():
    """The campaigns domain's services (matching stands above campaigns)."""
    return services


def campaign_by_id(campaign_id: int) -> Any | None:
    """The campaign, whatever its status (for tasks and staff pages; not for the public)."""
    return db.session.get(Campaign, campaign_id)


def net_cents(pledge: Any) -> int:
    """A pledge's money that still counts: succeeded minus refunds; nothing after a lost
    dispute, a reversal or when it never succeeded. An open dispute still counts."""
    if pledge.status not in COUNTING:
        return 0
    return max(0, int(pledge.amount_cents) - int(pledge.refunded_cents or 0))


def pledge_fact(pledge: Any) -> PledgeFact:
    svc = campaigns()
    return PledgeFact(
        pledge_id=pledge.id,
        backer=svc.backer_key(pledge),
        net_cents=net_cents(pledge),
        offline=bool(pledge.is_offline),
        owner=bool(svc.is_owner_pledge(pledge)),
    )


def _order(pledge: Any):
    return (pledge.confirmed_at or pledge.created_at, pledge.id)


def pledge_facts(campaign: Any) -> list[PledgeFact]:
    """Every pledge that ever succeeded, in confirmation order (the order the per-backer
    cap is spent in)."""
    pledges = [p for p in campaigns().pledges_of(campaign) if p.confirmed_at is not None or net_cents(p)]
    return [pledge_fact(p) for p in sorted(pledges, key=_order)]


def backer_facts(campaign: Any, pledge: Any) -> list[PledgeFact]:
    """The pledges of `pledge`'s backer on this campaign, in confirmation order."""
    key = campaigns().backer_key(pledge)
    same = [p for p in campaigns().pledges_of(campaign) if campaigns().backer_key(p) == key]
    if pledge not in same:
        same.append(pledge)
    return [pledge_fact(p) for p in sorted(same, key=_order)]


def project_of_campaign(campaign: Any) -> Project:
    return Project(call_id=campaign.call_id, theme=campaign.theme, municipality=campaign.municipality)
