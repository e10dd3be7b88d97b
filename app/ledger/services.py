"""Posting to and reading from the journal. The only module other domains import.

Rules: amounts are integers; a transaction has at least two entries and they sum to zero;
nothing is ever changed afterwards; a correction is `reverse()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, DomainError
from app.extensions import db
from app.ledger.models import JournalEntry, JournalTransaction


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"


def post(
    kind: str,
    entries: Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    idempotency_key: str | None = None,
    reverses_id: int | None = None,
    campaign_id: int | None = None,
    pledge_id: int | None = None,
    commitment_id: int | None = None,
    sponsor_id: int | None = None,
    memo: str | None = None,
) -> JournalTransaction:
    """Write one balanced transaction and flush it.

    Refuses (UnbalancedTransaction) entries that are not integers, that do not sum to zero
    or that are fewer than two non-zero lines. With an `idempotency_key` already posted,
    returns the existing transaction and writes nothing.
    """
    pairs = list(entries.items()) if isinstance(entries, Mapping) else list(entries)
    lines = [(acc, amt) for acc, amt in pairs if amt != 0]
    for _acc, amt in lines:
        if not isinstance(amt, int) or isinstance(amt, bool):
            raise UnbalancedTransaction("ledger amounts are integer cents")
    if len(lines) < 2 or sum(a for _, a in lines) != 0:
        raise UnbalancedTransaction(f"entries of '{kind}' do not balance: {lines}")
    if idempotency_key:
        existing = db.session.scalar(
            select(JournalTransaction).where(JournalTransaction.idempotency_key == idempotency_key)
        )
        if existing is not None:
            return existing
    tx = JournalTransaction(
        kind=kind,
        idempotency_key=idempotency_key,
        reverses_id=reverses_id,
        campaign_id=campaign_id,
        pledge_id=pledge_id,
        commitment_id=commitment_id,
        sponsor_id=sponsor_id,
        memo=memo,
    )
    tx.entries = [JournalEntry(account=acc, amount_cents=amt) for acc, amt in lines]
    db.session.add(tx)
    if idempotency_key:
        # Two concurrent posts with one key: the unique index lets exactly one through.
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as exc:
            raise Conflict("transaction already posted", code="duplicate_posting") from exc
    else:
        db.session.flush()
    return tx


def reverse(original: JournalTransaction, kind: str | None = None, **refs) -> JournalTransaction:
    """Post the mirror image of `original`, pointing back at it. Refuses a second reversal."""
    return post(
        kind or f"{original.kind}_reversal",
        [(e.account, -e.amount_cents) for e in original.entries],
        idempotency_key=f"reverse:{original.id}",
        reverses_id=original.id,
        campaign_id=refs.get("campaign_id", original.campaign_id),
        pledge_id=refs.get("pledge_id", original.pledge_id),
        commitment_id=refs.get("commitment_id", original.commitment_id),
        sponsor_id=refs.get("sponsor_id", original.sponsor_id),
        memo=refs.get("memo"),
    )


def balance(account: str) -> int:
    """Sum of the entries of one account (debits positive)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(JournalEntry.amount_cents), 0)).where(JournalEntry.account == account)
    )
    return int(total or 0)


def balances(prefix: str) -> dict[str, int]:
    """Balances of every account whose name starts with `prefix`."""
    rows = db.session.execute(
        select(JournalEntry.account, func.sum(JournalEntry.amount_cents))
        .where(JournalEntry.account.startswith(prefix))
        .group_by(JournalEntry.account)
    )
    return {acc: int(total) for acc, total in rows}


def unbalanced_transactions() -> list[int]:
    """Ids of transactions whose entries do not sum to zero (should always be empty)."""
    rows = db.session.execute(
        select(JournalEntry.transaction_id)
        .group_by(JournalEntry.transaction_id)
        .having(func.sum(JournalEntry.amount_cents) != 0)
    )
    return [r[0] for r in rows]
