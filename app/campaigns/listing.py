"""The public campaign list, a page at a time (keyset paging: a deep page costs what the
first one does, however many campaigns ten years of a fund hold)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, func, literal, or_, select, tuple_

from app.campaigns.models import Campaign
from app.core.models import UTCDateTime
from app.extensions import db

STAFF = ("fund_manager", "admin", "auditor")
PUBLIC_STATUSES = ("open", "succeeded", "failed")
LIST_PAGE_SIZE = 24
# The order's expressions (a CASE on status, COALESCE with _NO_END) are those of the index
# ix_campaigns_list_order (models.Campaign): change one, change the other.
_NO_END = datetime(9999, 1, 1, tzinfo=UTC)


def list_page(query, after: str | None, size: int | None = None) -> tuple[list[Campaign], str | None]:
    """One page of `query` for the public list: open campaigns first, then by end, then id;
    keyset paging (`after` is the previous page's cursor, a bad one reads the first page),
    so a deep page costs what the first does. Returns (campaigns, the next cursor or None)."""
    size = size or LIST_PAGE_SIZE
    position = _cursor_position(after)
    if position is not None:
        query = query.where(tuple_(*_order_key()) > tuple_(*position))
    rows = list(db.session.scalars(list_order(query).limit(size + 1)))
    if len(rows) <= size:
        return rows, None
    return rows[:size], cursor_of(rows[size - 1])


def _order_key():
    closed = case((Campaign.status == "open", 0), else_=1)
    return closed, func.coalesce(Campaign.ends_at, literal(_NO_END, UTCDateTime())), Campaign.id


def list_order(query):
    """`query` in the list's order (open first, then by end, then id): the order of the
    index ix_campaigns_list_order, so a fund's first rows are read without a sort."""
    return query.order_by(*_order_key())


def cursor_of(campaign: Campaign) -> str:
    """The cursor of the page that starts after `campaign`."""
    end = campaign.ends_at or _NO_END
    return f"{0 if campaign.status == 'open' else 1}.{int(end.timestamp() * 1_000_000)}.{campaign.id}"


def _cursor_position(after: str | None):
    try:
        flag, micros, cid = (int(x) for x in (after or "").split("."))
        ends = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return (literal(flag), literal(ends, UTCDateTime()), literal(cid))


def is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*STAFF))


def campaigns_query(
    municipality: str | None = None,
    theme: str | None = None,
    status: str | None = None,
    search: str | None = None,
    user=None,
):
    """Campaigns matching the filters; drafts and cancelled ones only for staff."""
    q = select(Campaign)
    if not is_staff(user):
        q = q.where(Campaign.status.in_(PUBLIC_STATUSES))
    if municipality:
        q = q.where(Campaign.municipality == municipality)
    if theme:
        q = q.where(Campaign.theme == theme)
    if status:
        q = q.where(Campaign.status == status)
    if search and search.strip():
        like = f"%{search.strip().lower()[:100]}%"
        q = q.where(or_(func.lower(Campaign.title).like(like), func.lower(Campaign.summary).like(like)))
    return q


def facets() -> dict[str, list[str]]:
    """Municipalities and themes of public campaigns, for the filters (distinct pairs: a
    fund with thousands of campaigns has a few dozen)."""
    rows = db.session.execute(
        select(Campaign.municipality, Campaign.theme).where(Campaign.status.in_(PUBLIC_STATUSES)).distinct()
    ).all()
    return {
        "municipalities": sorted({m for m, _t in rows if m}),
        "themes": sorted({t for _m, t in rows if t}),
    }
