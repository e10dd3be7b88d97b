"""The platform-wide transparency page: every fund's published figures side by side, each
linked to the fund's own verifiable ledger. Figures are sums over sealed ledger entries (what
anyone can recompute from the exports), in two queries whatever the number of funds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.core import tenancy
from app.extensions import db
from app.funds import services as funds
from app.ledger.models import JournalEntry, JournalTransaction
from app.transparency.chain import GENESIS_HASH
from app.transparency.models import LedgerSeal


@dataclass
class FundFigures:
    slug: str
    name: str
    site_url: str
    ledger_url: str
    raised_cents: int = 0
    matched_cents: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def overview() -> tuple[list[FundFigures], FundFigures]:
    """Per fund: raised (credits of `campaign:*:raised`), matched (of `campaign:*:match`) as
    sealed, and its ledger head; and the sum of all funds."""
    rows = {
        f.id: FundFigures(
            f.slug,
            f.name,
            funds.base_url(f.id) + "/",
            funds.url(f.id, "transparency.ledger_jsonl"),
        )
        for f in funds.all_funds()
    }
    raised = case((JournalEntry.account.like("campaign:%:raised"), -JournalEntry.amount_cents), else_=0)
    matched = case((JournalEntry.account.like("campaign:%:match"), -JournalEntry.amount_cents), else_=0)
    with tenancy.all_funds():
        sums = db.session.execute(
            select(JournalTransaction.fund_id, func.sum(raised), func.sum(matched))
            .join(JournalEntry, JournalEntry.transaction_id == JournalTransaction.id)
            .join(LedgerSeal, LedgerSeal.transaction_id == JournalTransaction.id)
            .group_by(JournalTransaction.fund_id)
        ).all()
        last = select(LedgerSeal.fund_id, func.max(LedgerSeal.seq).label("seq")).group_by(LedgerSeal.fund_id)
        last = last.subquery()
        heads = db.session.execute(
            select(LedgerSeal.fund_id, LedgerSeal.seq, LedgerSeal.hash).join(
                last, (last.c.fund_id == LedgerSeal.fund_id) & (last.c.seq == LedgerSeal.seq)
            )
        ).all()
    for fund_id, r, m in sums:
        if fund_id in rows:
            rows[fund_id].raised_cents, rows[fund_id].matched_cents = int(r or 0), int(m or 0)
    for fund_id, seq, digest in heads:
        if fund_id in rows:
            rows[fund_id].head_seq, rows[fund_id].head_hash = int(seq), digest
    items = sorted(rows.values(), key=lambda f: f.name.lower())
    total = FundFigures("", "", "", "")
    total.raised_cents = sum(f.raised_cents for f in items)
    total.matched_cents = sum(f.matched_cents for f in items)
    return items, total
