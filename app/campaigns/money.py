"""The money records of pledges: ledger postings and the campaign's cached raised figure.

Accounts (README "The ledger"): `gateway:stripe`, `gateway:demo`, `offline:bank_transfer`,
`offline:cash` hold the money; `campaign:<id>:raised` is credited by pledges, so raised is
minus its balance. Each posting carries campaign_id and pledge_id and an idempotency key
derived from the pledge and the change, and it updates the campaign row in the same
statement that takes the row lock, so milestones are seen once, in order.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.campaigns import events
from app.campaigns.models import ONLINE_METHODS, Campaign, Pledge
from app.core import clock
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalEntry, JournalTransaction


def raised_account(campaign_id: int) -> str:
    return f"campaign:{campaign_id}:raised"


def held_account(pledge: Pledge) -> str:
    """The account that holds the pledge's money: its bank account once a statement paid
    it, else the gateway's or the offline method's."""
    if pledge.held_account:
        return pledge.held_account
    return f"gateway:{pledge.method}" if pledge.method in ONLINE_METHODS else f"offline:{pledge.method}"


def posted(key: str) -> JournalTransaction | None:
    return db.session.scalar(select(JournalTransaction).where(JournalTransaction.idempotency_key == key))


def count_in(pledge: Pledge, cents: int, kind: str, key: str, memo: str | None = None):
    """Money for `pledge` now counts: held +cents, raised −cents. Once per key.
    Returns the campaign's row after the change (status, raised cache), or None if the key
    was posted before."""
    return _move(pledge, cents, kind, key, memo)


def count_in_together(pledges: list[Pledge]) -> tuple[set[int], dict[int, object]]:
    """`count_in` of each pledge's whole amount ("pledge", key pledge:<id>:in) for many
    pledges at once: their postings in one statement, then each campaign's raised figure
    moved once by the sum of its pledges (campaigns in id order, the order every group
    locks them in). Returns the ids of the pledges posted now and each campaign's row
    after the change (for the pledges posted before, nothing moves, as in count_in)."""
    keys = {f"pledge:{p.id}:in": p for p in pledges}
    posted = ledger.record_many(
        "pledge",
        [
            {
                "entries": {held_account(p): p.amount_cents, raised_account(p.campaign_id): -p.amount_cents},
                "idempotency_key": key,
                "campaign_id": p.campaign_id,
                "pledge_id": p.id,
                "fund_id": p.fund_id,
            }
            for key, p in keys.items()
        ],
    )
    counted = [keys[key] for key in posted]
    deltas: dict[int, int] = {}
    for p in counted:
        deltas[p.campaign_id] = deltas.get(p.campaign_id, 0) + p.amount_cents
    rows = {campaign_id: bump(campaign_id, delta) for campaign_id, delta in sorted(deltas.items())}
    return {p.id for p in counted}, rows


def count_out(pledge: Pledge, cents: int, kind: str, key: str, memo: str | None = None):
    """Money of `pledge` stops counting (refund, dispute): the mirror of count_in."""
    return _move(pledge, -cents, kind, key, memo)


def _move(pledge: Pledge, cents: int, kind: str, key: str, memo: str | None):
    if cents == 0:
        return None
    # The unique idempotency key decides whether this posts: no SELECT for it first.
    posted_id = ledger.record(
        kind,
        {held_account(pledge): cents, raised_account(pledge.campaign_id): -cents},
        idempotency_key=key,
        campaign_id=pledge.campaign_id,
        pledge_id=pledge.id,
        memo=memo,
        fund_id=pledge.fund_id,
    )
    if posted_id is None:
        return None
    return bump(pledge.campaign_id, cents)


def reverse_in(pledge: Pledge, key: str):
    """Reverse the posting that counted `pledge` in (an offline gift recorded by mistake)."""
    original = posted(key)
    if original is None:
        return None
    tx = ledger.reverse(original, kind="pledge_cancelled", memo=f"pledge {pledge.id} cancelled")
    total = sum(e.amount_cents for e in tx.entries if e.account == raised_account(pledge.campaign_id))
    return bump(pledge.campaign_id, -total)


def bump(campaign_id: int, delta: int):
    """Add `delta` to the cached raised figure (one statement: it waits for and holds the
    campaign's row lock) and send each milestone (50 %, 100 % of the goal) once."""
    # On the table, not the mapped class: a plain Core UPDATE skips the ORM's bulk-update
    # machinery (this runs for every confirmed pledge); the identity map is handled below.
    row = db.session.execute(
        _BUMP,
        {"delta": delta, "campaign": campaign_id, "now": clock.now()},
    ).one()
    # A campaign already loaded takes the values just returned (we hold its row lock, so
    # they are current); one not loaded yet is not loaded for this.
    campaign = db.session.identity_map.get(identity_key(Campaign, campaign_id))
    if campaign is not None:
        for column in (
            "raised_cache_cents",
            "status",
            "milestone_50_at",
            "milestone_100_at",
            "figures_version",
        ):
            set_committed_value(campaign, column, getattr(row, column))
    if row.goal_cents > 0 and delta > 0:
        for percent, column, reached in (
            (50, Campaign.milestone_50_at, row.milestone_50_at),
            (100, Campaign.milestone_100_at, row.milestone_100_at),
        ):
            if reached is None and row.raised_cache_cents * 100 >= row.goal_cents * percent:
                at = clock.now()
                done = db.session.execute(
                    update(Campaign)
                    .where(Campaign.id == campaign_id, column.is_(None))
                    .values({column: at})
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 1:
                    campaign = db.session.get(Campaign, campaign_id)
                    set_committed_value(campaign, column.key, at)
                    events.campaign_milestone.send(campaign, percent=percent)
    return row


_CAMPAIGNS = Campaign.__table__
_BUMP = (
    update(_CAMPAIGNS)
    .where(_CAMPAIGNS.c.id == bindparam("campaign"))
    .values(
        raised_cache_cents=_CAMPAIGNS.c.raised_cache_cents + bindparam("delta", type_=BigInteger),
        # Same statement: the public figures cache is stale from this posting on.
        figures_version=_CAMPAIGNS.c.figures_version + 1,
        changed_at=bindparam("now", type_=_CAMPAIGNS.c.changed_at.type),
    )
    .returning(
        _CAMPAIGNS.c.raised_cache_cents,
        _CAMPAIGNS.c.goal_cents,
        _CAMPAIGNS.c.status,
        _CAMPAIGNS.c.milestone_50_at,
        _CAMPAIGNS.c.milestone_100_at,
        _CAMPAIGNS.c.figures_version,
    )
)


def raised_from_ledger(campaign_id: int) -> int:
    """Raised, derived from the journal: minus the balance of `campaign:<id>:raised`."""
    return -ledger.balance(raised_account(campaign_id))


def net_by_pledge(campaign_id: int) -> dict[int, int]:
    """What each pledge of the campaign counts for now, from the journal (pledge id → cents)."""
    rows = db.session.execute(
        select(JournalTransaction.pledge_id, func.sum(JournalEntry.amount_cents))
        .join(JournalEntry, JournalEntry.transaction_id == JournalTransaction.id)
        .where(JournalEntry.account == raised_account(campaign_id), JournalTransaction.pledge_id.is_not(None))
        .group_by(JournalTransaction.pledge_id)
    )
    return {pid: -int(total) for pid, total in rows}
