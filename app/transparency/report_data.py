"""The content of a report, computed from the sealed ledger and the other domains' services.

Money figures come from the ledger as sealed up to one seq (the one the report names), so
anyone holding the export can recompute them (see chain.campaign_totals, the same formula).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from app.calls.models import Call
from app.core import clock
from app.extensions import db
from app.ledger.models import JournalEntry, JournalTransaction
from app.transparency import sources
from app.transparency.models import LedgerSeal
from app.transparency.sealing import iso_utc

_CAMPAIGN_ACCOUNT = re.compile(r"^campaign:(\d+):(raised|match)$")
_SPONSOR_ACCOUNT = re.compile(r"^sponsor:(\d+):committed$")
Progress = Callable[[int], None]
# Transaction ids per statement when a call's entries are read (well under SQLite's 32,766
# bound parameters).
CHUNK = 5000


def _sealed_entries(upto_seq: int, period, *accounts):
    """select(transaction_id, account, amount) of sealed entries (seq ≤ upto_seq, in the
    period) whose account matches one of the LIKE patterns."""
    from sqlalchemy import or_

    query = (
        select(JournalEntry.transaction_id, JournalEntry.account, JournalEntry.amount_cents)
        .join(LedgerSeal, LedgerSeal.transaction_id == JournalEntry.transaction_id)
        .where(LedgerSeal.seq <= upto_seq, or_(*[JournalEntry.account.like(a) for a in accounts]))
    )
    if period:
        query = query.join(JournalTransaction, JournalTransaction.id == JournalEntry.transaction_id).where(
            JournalTransaction.created_at >= period[0], JournalTransaction.created_at < period[1]
        )
    return query


def ledger_totals(
    upto_seq: int,
    period: tuple[datetime, datetime] | None = None,
    campaign_ids: Iterable[int] | None = None,
) -> dict[int, dict]:
    """Per campaign, over the sealed records seq ≤ upto_seq (and created in [from, to) with a
    period), the same formulas anyone can apply to the export:

    - raised_cents = −Σ `campaign:<id>:raised`; refunded_cents = Σ of its debits (money
      going back: refunds, lost disputes, cancelled offline gifts);
    - matched_cents = −Σ `campaign:<id>:match`;
    - matched_by_sponsor = per sponsor id, Σ `sponsor:<sid>:committed` in the transactions
      that move `campaign:<id>:match` (matching books x on both: see its booking docs).

    With `campaign_ids` (a call's report), only the transactions that move one of these
    campaigns' accounts are read, each with all its lines: their totals are the same, and a
    call's report costs what its own campaigns hold, not what the fund's ten years hold.
    """
    query = _sealed_entries(upto_seq, period, "campaign:%", "sponsor:%:committed")
    if campaign_ids is None:
        rows = db.session.execute(query).all()
    else:
        # Two steps, each through an index (account, then transaction_id): in one statement
        # the planner reads every entry of the ledger to find the few thousand of a call.
        accounts = [f"campaign:{cid}:{kind}" for cid in campaign_ids for kind in ("raised", "match")]
        ids = sorted(
            set(
                db.session.scalars(
                    select(JournalEntry.transaction_id).where(JournalEntry.account.in_(accounts))
                )
            )
        )
        rows = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows += db.session.execute(query.where(JournalEntry.transaction_id.in_(chunk))).all()
    by_tx: dict[int, list[tuple[str, int]]] = defaultdict(list)
    totals: dict[int, dict] = {}

    def row_of(cid: int) -> dict:
        return totals.setdefault(
            cid, {"raised_cents": 0, "matched_cents": 0, "refunded_cents": 0, "matched_by_sponsor": {}}
        )

    for tx_id, account, amount in rows:
        amount = int(amount)
        by_tx[tx_id].append((account, amount))
        m = _CAMPAIGN_ACCOUNT.match(account)
        if not m:
            continue
        row = row_of(int(m.group(1)))
        if m.group(2) == "raised":
            row["raised_cents"] -= amount
            row["refunded_cents"] += max(0, amount)
        else:
            row["matched_cents"] -= amount
    for lines in by_tx.values():
        match = [
            int(m.group(1)) for a, _x in lines if (m := _CAMPAIGN_ACCOUNT.match(a)) and m.group(2) == "match"
        ]
        if len(match) != 1:
            continue
        split = row_of(match[0])["matched_by_sponsor"]
        for account, amount in lines:
            sm = _SPONSOR_ACCOUNT.match(account)
            if sm:
                sid = int(sm.group(1))
                split[sid] = split.get(sid, 0) + amount
    return totals


EMPTY = {"raised_cents": 0, "matched_cents": 0, "refunded_cents": 0, "matched_by_sponsor": {}}


def _campaign_row(
    campaign, totals: dict[int, dict], apps: dict, names: dict[int, str], backers: dict[int, int]
) -> dict:
    money = totals.get(campaign.id, EMPTY)
    app = apps.get(getattr(campaign, "application_id", None))
    per_sponsor: dict[str, int] = {}
    for sid, cents in money["matched_by_sponsor"].items():
        name = names.get(sid, sources.ANONYMOUS_SPONSOR)
        per_sponsor[name] = per_sponsor.get(name, 0) + cents
    return {
        "id": campaign.id,
        "title": campaign.title,
        "application_id": getattr(campaign, "application_id", None),
        "municipality": getattr(campaign, "municipality", None) or (app.municipality if app else None),
        "status": campaign.status,
        "goal_cents": int(campaign.goal_cents or 0),
        "raised_cents": money["raised_cents"],
        "matched_cents": money["matched_cents"],
        "refunded_cents": money["refunded_cents"],
        "backers": backers[campaign.id],
        "matched_per_sponsor": [
            {"sponsor": k, "matched_cents": v} for k, v in sorted(per_sponsor.items()) if v
        ],
    }


def summarise(campaigns: list[dict]) -> dict:
    """Totals, success rate (succeeded of closed) and raised/matched per municipality."""
    closed = [c for c in campaigns if c["status"] in ("succeeded", "failed")]
    succeeded = sum(1 for c in closed if c["status"] == "succeeded")
    per_muni: dict[str, dict] = defaultdict(lambda: {"raised_cents": 0, "matched_cents": 0, "campaigns": 0})
    for c in campaigns:
        row = per_muni[c["municipality"] or "?"]
        row["raised_cents"] += c["raised_cents"]
        row["matched_cents"] += c["matched_cents"]
        row["campaigns"] += 1
    return {
        "summary": {
            "campaigns": len(campaigns),
            "closed": len(closed),
            "succeeded": succeeded,
            "success_rate_percent": round(100 * succeeded / len(closed), 1) if closed else None,
            "raised_cents": sum(c["raised_cents"] for c in campaigns),
            "matched_cents": sum(c["matched_cents"] for c in campaigns),
            "refunded_cents": sum(c.get("refunded_cents", 0) for c in campaigns),
        },
        "by_municipality": [{"municipality": m, **v} for m, v in sorted(per_muni.items())],
    }


def selection_section(call: Call, apps: dict) -> list[dict]:
    """The ranking with each project's outcome and, when skipped, the reason."""
    ranked = sources.ranking(call)
    reasons = sources.selection_reasons(call, ranked)
    rows = []
    for r in ranked:
        app = apps.get(r["application_id"])
        rows.append(
            {
                **r,
                "title": app.title if app else None,
                "municipality": app.municipality if app else None,
                "outcome": app.status if app else None,
                "reason": reasons.get(r["application_id"]),
            }
        )
    return rows


def call_report(call: Call, head: dict, progress: Progress) -> dict:
    """Every section of the report of one call, figures as of ledger `head`."""
    apps = sources.application_facts(call)
    body: dict = {
        "scope": "call",
        "call": {
            "id": call.id,
            "title": call.title,
            "theme": call.theme,
            "municipalities": list(call.municipalities or []),
            "published_at": iso_utc(call.published_at) if call.published_at else None,
            "matching_budget_cents": call.matching_budget_cents,
            "match_policy": call.policy,
        },
        "ledger": head,
        "period": None,
        "applications": sources.applications_section(call),
    }
    progress(20)
    body["jury"] = sources.jury_section(call)
    body["selection"] = selection_section(call, apps)
    progress(40)
    shown = sources.campaigns_of_call(call)
    totals = ledger_totals(head["seq"], campaign_ids=[c.id for c in shown])
    progress(60)
    names = sources.sponsor_names()
    backers = sources.backers_counts(shown)  # one statement for all, not two per campaign
    body["campaigns"] = [_campaign_row(c, totals, apps, names, backers) for c in shown]
    body.update(summarise(body["campaigns"]))
    progress(80)
    body["sponsors"] = sources.sponsors_section(call)
    body["payouts"] = sources.payouts_section(call)
    return body


def year_period(year: int) -> tuple[datetime, datetime]:
    """The calendar year on the Brussels wall clock, as UTC instants [from, to)."""
    start = clock.from_local(datetime(year, 1, 1))
    end = clock.from_local(datetime(year + 1, 1, 1))
    return start.astimezone(UTC), end.astimezone(UTC)


def fund_report(year: int, head: dict, progress: Progress) -> dict:
    """The fund's year: its calls, and every campaign with money moving in that year, figures
    from the ledger records created in the year (period in the JSON)."""
    period = year_period(year)
    the_calls = sources.calls_of_year(year)
    body: dict = {
        "scope": "fund",
        "year": year,
        "ledger": head,
        "period": {"from": iso_utc(period[0]), "to": iso_utc(period[1])},
        "calls": [
            {"id": c.id, "title": c.title, "applications": sources.applications_section(c)} for c in the_calls
        ],
    }
    progress(30)
    totals = ledger_totals(head["seq"], period)
    progress(60)
    seen: dict[int, object] = {}
    for c in the_calls:
        for campaign in sources.campaigns_of_call(c):
            seen[campaign.id] = campaign
    for cid in totals:
        if cid not in seen:
            campaign = sources.get_campaign(cid)
            if campaign is not None:
                seen[cid] = campaign
    apps: dict = {}
    for c in the_calls:
        apps.update(sources.application_facts(c))
    names = sources.sponsor_names()
    backers = sources.backers_counts(seen.values())
    body["campaigns"] = [_campaign_row(seen[cid], totals, apps, names, backers) for cid in sorted(seen)]
    body.update(summarise(body["campaigns"]))
    progress(80)
    body["sponsors"] = sources.sponsors_section(None)
    return body
