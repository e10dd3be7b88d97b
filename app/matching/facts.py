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


def pledge_fact(pledge: Any, owner: tuple[int, str | None] | None = None) -> PledgeFact:
    """The rules' view of one pledge. With `owner` (owner id, e-mail) the owner question is
    answered without a query (the set-based readers below); without it, it is asked."""
    svc = campaigns()
    return PledgeFact(
        pledge_id=pledge.id,
        backer=svc.backer_key(pledge),
        net_cents=net_cents(pledge),
        offline=bool(pledge.is_offline),
        owner=bool(svc.owns(pledge, *owner) if owner is not None else svc.is_owner_pledge(pledge)),
    )


def _order(pledge: Any):
    return (pledge.confirmed_at or pledge.created_at, pledge.id)


def _counted(pledges) -> list:
    return sorted((p for p in pledges if p.confirmed_at is not None or net_cents(p)), key=_order)


def pledge_facts(campaign: Any) -> list[PledgeFact]:
    """Every pledge that ever succeeded, in confirmation order (the order the per-backer
    cap is spent in). Three queries, whatever the number of pledges."""
    return pledge_facts_of([campaign])[campaign.id]


def pledge_facts_of(campaign_list) -> dict[int, list[PledgeFact]]:
    """`pledge_facts` of many campaigns at once: {campaign id: facts}, in two queries."""
    ids = [c.id for c in campaign_list]
    svc = campaigns()
    owners = svc.owners_of(ids)
    pledges = svc.pledges_of_campaigns(ids, counted_or_confirmed=True)
    return {cid: [pledge_fact(p, owners.get(cid, (0, None))) for p in _counted(pledges[cid])] for cid in ids}


def backer_facts(campaign: Any, pledge: Any) -> list[PledgeFact]:
    """The pledges of `pledge`'s backer on this campaign, in confirmation order."""
    key = campaigns().backer_key(pledge)
    same = [p for p in campaigns().pledges_of(campaign) if campaigns().backer_key(p) == key]
    if pledge not in same:
        same.append(pledge)
    return [pledge_fact(p) for p in sorted(same, key=_order)]


def project_of_campaign(campaign: Any) -> Project:
    return Project(call_id=campaign.call_id, theme=campaign.theme, municipality=campaign.municipality)
