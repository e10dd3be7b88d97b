"""Set-based readers of pledges and owners for the figures every visitor sees and the
match rules: a fixed number of queries, whatever the number of pledges."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import load_only

from app.accounts.models import User
from app.campaigns.models import Campaign, Pledge
from app.extensions import db


def owners_of(campaign_ids) -> dict[int, tuple[int, str | None]]:
    """{campaign id: (owner id, owner e-mail)} in one query (to ask `owns` of many pledges)."""
    ids = list(set(campaign_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Campaign.id, Campaign.owner_id, User.email)
        .join(User, User.id == Campaign.owner_id)
        .where(Campaign.id.in_(ids))
    )
    return {cid: (owner_id, email) for cid, owner_id, email in rows}


def pledges_of_campaigns(campaign_ids, counted_or_confirmed: bool = False) -> dict[int, list[Pledge]]:
    """{campaign id: its pledges in id order} in one query; with `counted_or_confirmed`
    only those that were ever confirmed or count now (what the match rules look at)."""
    ids = list(set(campaign_ids))
    out: dict[int, list[Pledge]] = {cid: [] for cid in ids}
    if not ids:
        return out
    query = select(Pledge).where(Pledge.campaign_id.in_(ids)).order_by(Pledge.id)
    if counted_or_confirmed:
        # Only what the rules read: a viral campaign has thousands of these.
        query = query.options(
            load_only(
                Pledge.id,
                Pledge.campaign_id,
                Pledge.email,
                Pledge.user_id,
                Pledge.method,
                Pledge.status,
                Pledge.amount_cents,
                Pledge.refunded_cents,
                Pledge.created_at,
                Pledge.confirmed_at,
            )
        )
        query = query.where(
            Pledge.confirmed_at.is_not(None)
            | Pledge.status.in_(("succeeded", "partially_refunded", "disputed"))
        )
    for pledge in db.session.scalars(query):
        out[pledge.campaign_id].append(pledge)
    return out
