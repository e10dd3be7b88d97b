"""`verify_ledger()`: every invariant of the journal and the matching figures, checked
against the entries. Used by `flask ledger verify`, `GET /api/v1/ledger/verify`, the
nightly task `ledger.verify` and the tests.

A higher domain with books of its own (payouts) adds its check at start-up with
`add_check(app, name, check)` from its `setup.register`: matching never imports it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select

from app.campaigns import services as campaigns
from app.campaigns.models import EVER_PAID, Campaign, Pledge
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalEntry, JournalTransaction
from app.matching import booking, facts
from app.matching.models import Allocation, Commitment, PledgeDraw, ProjectMatch
from app.matching.policy import times_ratio
from app.payments.models import PaymentEvent

# Transaction kinds that may be posted at most once per pledge (never reversed twice
# either): a payment event applied twice would show up here.
ONCE_PER_PLEDGE = ("pledge",)


def _check_balanced(out: list[dict]) -> None:
    for tx_id in ledger.unbalanced_transactions():
        out.append(
            {
                "check": "transactions_balance",
                "transaction_id": tx_id,
                "message": f"transaction {tx_id} does not sum to zero",
            }
        )


def _check_commitments(out: list[dict]) -> None:
    bal = ledger.balances("commitment:")
    alloc: dict[tuple[int, str], int] = defaultdict(int)
    effects = {
        "reserve": (("reserved", 1),),
        "release": (("reserved", -1),),
        "match": (("reserved", -1), ("matched", 1)),
        "draw": (("matched", 1),),
        "reverse": (("matched", -1),),
        "draw_reverse": (("matched", -1),),
    }
    for cid, kind, cents in db.session.execute(
        select(Allocation.commitment_id, Allocation.kind, func.sum(Allocation.cents)).group_by(
            Allocation.commitment_id, Allocation.kind
        )
    ):
        for state, sign in effects[kind]:
            alloc[(cid, state)] += sign * int(cents)
    for c in db.session.scalars(select(Commitment).execution_options(populate_existing=True)):
        a = bal.get(booking.acc_available(c.id), 0)
        r = bal.get(booking.acc_reserved(c.id), 0)
        m = bal.get(booking.acc_matched(c.id), 0)
        where = {"commitment_id": c.id, "available": a, "reserved": r, "matched": m, "amount": c.amount_cents}
        if min(a, r, m) < 0:
            out.append(
                {
                    "check": "commitment_not_negative",
                    **where,
                    "message": f"commitment {c.id} has a state below zero",
                }
            )
        if a + r + m != c.amount_cents:
            out.append(
                {
                    "check": "commitment_adds_up",
                    **where,
                    "message": f"commitment {c.id}: available + reserved + matched != amount",
                }
            )
        if c.available_cents != a:
            out.append(
                {
                    "check": "commitment_cache",
                    **where,
                    "cached": c.available_cents,
                    "message": f"commitment {c.id}: cached available differs from the entries",
                }
            )
        if alloc[(c.id, "reserved")] != r or alloc[(c.id, "matched")] != m:
            out.append(
                {
                    "check": "allocations_match_ledger",
                    **where,
                    "message": f"commitment {c.id}: allocations differ from the entries",
                }
            )


def _check_sponsors(out: list[dict]) -> None:
    amounts: dict[int, int] = defaultdict(int)
    matched: dict[int, int] = defaultdict(int)
    bal = ledger.balances("commitment:")
    for c in db.session.scalars(select(Commitment)):
        amounts[c.sponsor_id] += c.amount_cents
        matched[c.sponsor_id] += bal.get(booking.acc_matched(c.id), 0)
    sponsor_bal = ledger.balances("sponsor:")
    for sid, amount in amounts.items():
        found = sponsor_bal.get(booking.acc_sponsor(sid), 0)
        if found != -(amount - matched[sid]):
            out.append(
                {
                    "check": "sponsor_account",
                    "sponsor_id": sid,
                    "balance": found,
                    "message": f"sponsor {sid}: committed account differs from its commitments",
                }
            )


def _check_projects(out: list[dict]) -> None:
    camp_bal = ledger.balances("campaign:")
    by_pm: dict[int, int] = defaultdict(int)
    for pm_id, kind, cents in db.session.execute(
        select(Allocation.project_match_id, Allocation.kind, func.sum(Allocation.cents)).group_by(
            Allocation.project_match_id, Allocation.kind
        )
    ):
        sign = {"match": 1, "draw": 1, "reverse": -1, "draw_reverse": -1}.get(kind, 0)
        by_pm[pm_id] += sign * int(cents)
    for pm in db.session.scalars(select(ProjectMatch).execution_options(populate_existing=True)):
        entries = -camp_bal.get(booking.acc_campaign(pm.campaign_id), 0) if pm.campaign_id else 0
        where = {
            "campaign_id": pm.campaign_id,
            "application_id": pm.application_id,
            "matched": entries,
            "max_match": pm.max_match_cents,
        }
        if not 0 <= entries <= pm.max_match_cents:
            out.append(
                {
                    "check": "project_match_within_max",
                    **where,
                    "message": f"application {pm.application_id}: match outside 0..maximum",
                }
            )
        if entries != pm.matched_cents or by_pm[pm.id] != entries:
            out.append(
                {
                    "check": "project_match_equals_entries",
                    **where,
                    "cached": pm.matched_cents,
                    "message": f"application {pm.application_id}: match figure differs from the entries",
                }
            )


def _check_pledges(out: list[dict]) -> None:
    drawn = dict(
        db.session.execute(
            select(JournalTransaction.pledge_id, func.sum(JournalEntry.amount_cents))
            .join(JournalEntry, JournalEntry.transaction_id == JournalTransaction.id)
            .where(
                JournalTransaction.kind.in_(("match_drawn", "match_draw_reversed")),
                JournalEntry.account.like("commitment:%:matched"),
            )
            .group_by(JournalTransaction.pledge_id)
        ).all()
    )
    for draw, policy in db.session.execute(
        select(PledgeDraw, ProjectMatch.policy).join(
            ProjectMatch, PledgeDraw.project_match_id == ProjectMatch.id
        )
    ):
        now = int(drawn.get(draw.pledge_id, 0))
        share = times_ratio(policy, draw.eligible_part_cents)
        pledge = db.session.get(Pledge, draw.pledge_id)
        if pledge is not None:
            share = min(share, times_ratio(policy, facts.net_cents(pledge)))
        if now < 0 or now > share or now > draw.requested_cents:
            out.append(
                {
                    "check": "pledge_match_within_share",
                    "pledge_id": draw.pledge_id,
                    "matched": now,
                    "share": share,
                    "message": f"pledge {draw.pledge_id}: match above its share",
                }
            )


def _check_once_per_pledge(out: list[dict]) -> None:
    reversed_ids = select(JournalTransaction.reverses_id).where(JournalTransaction.reverses_id.is_not(None))
    rows = db.session.execute(
        select(JournalTransaction.kind, JournalTransaction.pledge_id, func.count(JournalTransaction.id))
        .where(
            JournalTransaction.kind.in_(ONCE_PER_PLEDGE),
            JournalTransaction.pledge_id.is_not(None),
            JournalTransaction.id.not_in(reversed_ids),
        )
        .group_by(JournalTransaction.kind, JournalTransaction.pledge_id)
        .having(func.count(JournalTransaction.id) > 1)
    )
    for kind, pledge_id, n in rows:
        out.append(
            {
                "check": "payment_applied_once",
                "pledge_id": pledge_id,
                "kind": kind,
                "count": n,
                "message": f"pledge {pledge_id}: '{kind}' posted {n} times",
            }
        )
    column = PaymentEvent.event_id
    for event_id, n in db.session.execute(
        select(column, func.count()).group_by(column).having(func.count() > 1)
    ):
        out.append(
            {
                "check": "payment_applied_once",
                "event_id": event_id,
                "count": n,
                "message": f"payment event {event_id} logged {n} times",
            }
        )


def ledger_net_expected(pledge: Any) -> int:
    """What the campaigns domain's postings should count for a pledge: its amount minus
    refunds, minus the disputed money while a dispute is open or after it was lost."""
    if pledge.status not in EVER_PAID:  # a fully refunded pledge nets to 0 below
        return 0
    out = int(pledge.amount_cents) - int(pledge.refunded_cents or 0)
    if pledge.status in ("disputed", "dispute_lost"):
        out -= int(getattr(pledge, "disputed_cents", 0) or 0)
    return out


def _check_campaigns(out: list[dict]) -> None:
    """Each campaign's cached raised equals its entries, and each pledge's postings equal its
    state. Set-based: one query per table, whatever the number of campaigns and pledges
    (ten years of a fund are millions of pledges)."""
    raised = ledger.balances("campaign:")
    for cid, cached in db.session.execute(select(Campaign.id, Campaign.raised_cache_cents)):
        entries = -raised.get(f"campaign:{cid}:raised", 0)
        if entries != cached:
            out.append(
                {
                    "check": "campaign_raised_equals_entries",
                    "campaign_id": cid,
                    "entries": entries,
                    "cached": cached,
                    "message": f"campaign {cid}: cached raised differs from the entries",
                }
            )
    # (raised account, pledge id) -> what its postings count for (money.net_by_pledge, for all)
    by_pledge: dict[tuple[str, int], int] = {
        (account, pid): -int(total)
        for account, pid, total in db.session.execute(
            select(JournalEntry.account, JournalTransaction.pledge_id, func.sum(JournalEntry.amount_cents))
            .join(JournalTransaction, JournalEntry.transaction_id == JournalTransaction.id)
            .where(JournalEntry.account.like("campaign:%:raised"), JournalTransaction.pledge_id.is_not(None))
            .group_by(JournalEntry.account, JournalTransaction.pledge_id)
        )
    }
    pledges = db.session.execute(
        select(
            Pledge.id,
            Pledge.campaign_id,
            Pledge.status,
            Pledge.amount_cents,
            Pledge.refunded_cents,
            Pledge.disputed_cents,
        ).execution_options(yield_per=10_000)
    )
    for pledge in pledges:
        want = ledger_net_expected(pledge)
        found = by_pledge.get((f"campaign:{pledge.campaign_id}:raised", pledge.id), 0)
        if found != want:
            out.append(
                {
                    "check": "pledge_equals_entries",
                    "campaign_id": pledge.campaign_id,
                    "pledge_id": pledge.id,
                    "entries": found,
                    "expected": want,
                    "message": f"pledge {pledge.id}: its postings differ from its state",
                }
            )


def _check_figures_cache(out: list[dict]) -> None:
    """The public figures cache (backers, match) of every campaign, where current, equals
    what the ledger and the pledges give."""
    for m in campaigns.figures_mismatches():
        out.append(
            {
                "check": "campaign_figures_cache",
                **m,
                "message": f"campaign {m['campaign_id']}: cached {m['figure']} differs from the ledger",
            }
        )


CHECKS = (
    ("transactions_balance", _check_balanced),
    ("commitments", _check_commitments),
    ("sponsor_accounts", _check_sponsors),
    ("project_matches", _check_projects),
    ("pledge_match_within_share", _check_pledges),
    ("payment_applied_once", _check_once_per_pledge),
    ("campaign_figures", _check_campaigns),
    ("campaign_figures_cache", _check_figures_cache),
)


def add_check(app: Flask, name: str, check: Callable[[list[dict]], None]) -> None:
    """A domain above matching adds a check of its own money (payouts: what the projects
    were paid; banking: the bank accounts), run by `verify_ledger()` after the ones above;
    `check(out)` appends a violation dict (`check`, `message`, …) per finding."""
    app.extensions.setdefault("streekfonds_ledger_checks", []).append((name, check))


def verify_ledger() -> dict[str, Any]:
    """Run every check (ours, then those added with `add_check`);
    `{ok, checks: [{name, ok, violations}], violations: [...]}`. Reads only; writes nothing."""
    violations: list[dict] = []
    checks = []
    for name, check in (*CHECKS, *current_app.extensions.get("streekfonds_ledger_checks", ())):
        found: list[dict] = []
        check(found)
        checks.append({"name": name, "ok": not found, "violations": len(found)})
        violations.extend(found)
    return {"ok": not violations, "checks": checks, "violations": violations}
