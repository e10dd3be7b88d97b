"""The figures every visitor sees (raised, backers, the match on top and what a pledge
becomes), computed once per change of a campaign, not once per view.

Raised is on the campaign row itself (`raised_cache_cents`, moved in the same statement as
every posting). Backers, the match and the pledge effects are kept in `campaign_figures`,
one row per campaign, valid for one `Campaign.figures_version`. Every posting on
`campaign:<id>:raised` raises that version in the statement that moves raised
(`money.bump`); the other changes (settlement, opening, closing, a match returned) call
`refresh_campaign_figures`. The first view that finds the row older than the campaign
recomputes it set-based (a fixed number of statements, whatever the number of backers) and
writes it back; `mismatches()` compares every row with the ledger for `flask ledger verify`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.campaigns.models import Campaign, CampaignFigures, Pledge
from app.campaigns.ports import Matching
from app.core import clock, ports
from app.extensions import db
from app.ledger.models import JournalEntry, JournalTransaction

EFFECT_AMOUNTS = (2000, 5000)
_WRITTEN = "campaign_figures_written"


def refresh_campaign_figures(session: Session, campaign_id: int) -> None:
    """The campaign's public figures change in this transaction: the cached ones are stale
    from its commit on (one UPDATE; the next view recomputes them). Postings through
    `money.bump` need not call it: bump does the same in its own statement."""
    version = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(figures_version=Campaign.figures_version + 1, changed_at=clock.now())
        .returning(Campaign.figures_version)
        .execution_options(synchronize_session=False)
    ).scalar()
    loaded = session.identity_map.get(identity_key(Campaign, campaign_id))
    if loaded is not None and version is not None:
        set_committed_value(loaded, "figures_version", version)


def days_left(campaign: Campaign) -> int | None:
    return days_left_until(campaign.status, campaign.ends_at)


def days_left_until(status: str, ends_at) -> int | None:
    """Whole days (rounded up) an open campaign still runs; None when it is not open."""
    if status != "open" or ends_at is None:
        return None
    seconds = (ends_at - clock.now()).total_seconds()
    return max(0, int(-(-seconds // 86400)))


def public_figures(campaigns: Sequence[Campaign]) -> dict[int, dict]:
    """{campaign id: {raised_cents, matched_cents, backers_count, days_left, effects}} from
    the cache; the campaigns whose row is stale are recomputed together and written back
    (a read-only request commits them when `figures_written()`)."""
    if not campaigns:
        return {}
    ids = [c.id for c in campaigns]
    query = (
        select(CampaignFigures)
        .where(CampaignFigures.campaign_id.in_(ids))
        .execution_options(populate_existing=True)
    )
    rows = {r.campaign_id: r for r in db.session.scalars(query)}
    stale = [c for c in campaigns if c.id not in rows or rows[c.id].version != c.figures_version]
    if stale:
        rows.update(_recompute(stale))
    out = {}
    live = [c for c in campaigns if c.status == "open" and rows[c.id].effects is None]
    live_effects = _live_effects(live)
    for c in campaigns:
        row = rows[c.id]
        effects = live_effects.get(c.id, row.effects) if c.status == "open" else []
        out[c.id] = {
            "raised_cents": int(c.raised_cache_cents),
            "matched_cents": int(row.matched_cents),
            "backers_count": int(row.backers_count),
            "days_left": days_left(c),
            "effects": [tuple(e) for e in effects or ()],
        }
    return out


def figures_written() -> bool:
    """Whether this transaction wrote figures rows since last asked: a read-only request
    commits them then (nothing else is pending in one); services never commit."""
    return bool(db.session.info.pop(_WRITTEN, False))


def backers_by_campaign(campaign_ids: Sequence[int]) -> dict[int, int]:
    """Distinct backers (by backer key) whose net, from the ledger, is above zero, for each
    campaign, in one statement."""
    accounts = {f"campaign:{cid}:raised": cid for cid in campaign_ids}
    rows = db.session.execute(
        select(
            JournalTransaction.pledge_id,
            Pledge.campaign_id,
            Pledge.email,
            func.sum(JournalEntry.amount_cents),
        )
        .join(JournalEntry, JournalEntry.transaction_id == JournalTransaction.id)
        .join(Pledge, Pledge.id == JournalTransaction.pledge_id)
        .where(JournalEntry.account.in_(list(accounts)))
        .group_by(JournalTransaction.pledge_id, Pledge.campaign_id, Pledge.email)
    )
    per_backer: dict[tuple[int, str], int] = {}
    for pid, cid, email, total in rows:
        key = (cid, email or f"offline:{pid}")
        per_backer[key] = per_backer.get(key, 0) - int(total)
    out = dict.fromkeys(campaign_ids, 0)
    for (cid, _key), net in per_backer.items():
        if net > 0:
            out[cid] += 1
    return out


def _match_figures(campaigns: Sequence[Campaign]) -> dict[int, tuple[int, list | None]]:
    """{id: (matched, effects or None when read per view)}, from matching (the port)."""
    return ports.get(Matching).match_figures(list(campaigns), EFFECT_AMOUNTS)


def _live_effects(campaigns: Sequence[Campaign]) -> dict[int, list]:
    matching = ports.get(Matching)
    return {c.id: [(a, a + int(matching.pledge_effect(c, a))) for a in EFFECT_AMOUNTS] for c in campaigns}


def _recompute(campaigns: Sequence[Campaign]) -> dict[int, CampaignFigures]:
    backers = backers_by_campaign([c.id for c in campaigns])
    matched = _match_figures(campaigns)
    values = [
        {
            "campaign_id": c.id,
            "version": c.figures_version,
            "backers_count": backers[c.id],
            "matched_cents": matched[c.id][0],
            "effects": matched[c.id][1],
            "computed_at": clock.now(),
        }
        for c in campaigns
    ]
    _upsert(values)
    db.session.info[_WRITTEN] = True
    return {v["campaign_id"]: CampaignFigures(**v) for v in values}


def _upsert(values: list[dict]) -> None:
    """Write the rows; a row already at a newer version (a concurrent view) is kept."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CampaignFigures.__table__
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.campaign_id],
        set_={
            k: statement.excluded[k]
            for k in ("version", "backers_count", "matched_cents", "effects", "computed_at")
        },
        where=table.c.version < statement.excluded.version,
    )
    db.session.execute(statement, values)


def mismatches() -> list[dict]:
    """Cached figures that differ from what the ledger and the pledges give now, for rows
    that claim to be current (a stale row is never shown: the next view recomputes it)."""
    out = []
    current = db.session.execute(
        select(Campaign, CampaignFigures)
        .join(CampaignFigures, CampaignFigures.campaign_id == Campaign.id)
        .where(CampaignFigures.version == Campaign.figures_version)
    ).all()
    campaigns = [c for c, _row in current]
    backers = backers_by_campaign([c.id for c in campaigns]) if campaigns else {}
    matched = _match_figures(campaigns) if campaigns else {}
    for campaign, row in current:
        for name, cached, derived in (
            ("backers_count", row.backers_count, backers[campaign.id]),
            ("matched_cents", row.matched_cents, matched[campaign.id][0]),
        ):
            if cached != derived:
                out.append({"campaign_id": campaign.id, "figure": name, "cached": cached, "derived": derived})
    return out
