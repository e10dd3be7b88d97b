"""Posting to and reading from the journal. The only module other domains import.

Rules: amounts are integers; a transaction has at least two entries and they sum to zero;
nothing is ever changed afterwards; a correction is `reverse()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from sqlalchemy import bindparam, func, insert, select, text, true, union_all

from app.core import clock
from app.core.errors import DomainError
from app.core.money import Money
from app.core.sql import insert_once
from app.extensions import db
from app.ledger.models import JournalEntry, JournalTransaction


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"


def _lines(kind: str, entries: Mapping[str, int] | Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    pairs = list(entries.items()) if isinstance(entries, Mapping) else list(entries)
    lines = [(acc, amt) for acc, amt in pairs if amt != 0]
    try:
        total = sum((Money(amt) for _acc, amt in lines), Money(0))
    except TypeError:
        raise UnbalancedTransaction("ledger amounts are integer cents") from None
    if len(lines) < 2 or total != Money(0):
        raise UnbalancedTransaction(f"entries of '{kind}' do not balance: {lines}")
    return lines


def record(
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
    fund_id: int | None = None,
) -> int | None:
    """Write one balanced transaction; return its id, or None when `idempotency_key` was
    posted before (then nothing is written).

    One statement (see `insert_transaction`) and no ORM objects: this runs for every
    confirmed pledge. The unique index on the key decides alone (INSERT ... ON CONFLICT DO
    NOTHING): a concurrent post with the same key waits for the first one's transaction
    and then writes nothing, so there is no SELECT beforehand and no SAVEPOINT. (Without
    a key nothing can conflict: NULLs are distinct in a unique index.) Refuses
    (UnbalancedTransaction) entries that are not integers, that do not sum to zero or that
    are fewer than two non-zero lines.

    `fund_id`: whose books the transaction is in (each fund has its own public ledger).
    Every caller passes the fund of the money it moves; left out, the one-fund scope's
    fund or the default fund (app.core.tenancy).
    """
    lines = _lines(kind, entries)
    values = {
        "created_at": clock.now(),
        "kind": kind,
        "idempotency_key": idempotency_key,
        "reverses_id": reverses_id,
        "campaign_id": campaign_id,
        "pledge_id": pledge_id,
        "commitment_id": commitment_id,
        "sponsor_id": sponsor_id,
        "memo": memo,
    }
    if fund_id is not None:
        values["fund_id"] = fund_id
    return insert_transaction(values, lines)


def insert_transaction(values: dict, lines: list[tuple[str, int]]) -> int | None:
    """The journal's one writer: INSERT the transaction row (`values`, once per
    idempotency key) and its entry lines; the new id, or None for a key posted before.

    On PostgreSQL one statement does both (the transaction's INSERT ... ON CONFLICT DO
    NOTHING RETURNING id as a CTE, the entries selected from it): one round trip per
    posting. Elsewhere (SQLite) two statements do the same. Every column of
    journal_transactions a posting sets is a key of `values`."""
    if db.session.get_bind().dialect.name == "postgresql":
        params = {f"tx_{name}": value for name, value in values.items()}
        for i, (account, amount) in enumerate(lines):
            params[f"account_{i}"] = account
            params[f"amount_{i}"] = amount
        return db.session.execute(_posting_statement(tuple(values), len(lines)), params).scalar()
    table = JournalTransaction.__table__
    tx_id = insert_once(db.session, table, values, ["idempotency_key"], returning=table.c.id)
    if tx_id is None:
        return None
    db.session.execute(
        _INSERT_ENTRIES,
        [{"transaction_id": tx_id, "account": acc, "amount_cents": amt} for acc, amt in lines],
    )
    return tx_id


@cache
def _posting_statement(columns: tuple[str, ...], n_lines: int):
    """WITH tx AS (INSERT INTO journal_transactions ... ON CONFLICT DO NOTHING RETURNING id)
    INSERT INTO journal_entries SELECT tx.id, line.account, line.amount FROM tx, (VALUES
    ...) line RETURNING transaction_id: built once per set of columns and number of lines;
    the values travel as bound parameters. A key posted before inserts no transaction,
    hence no entries, and returns no row."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    transactions, entries = JournalTransaction.__table__, JournalEntry.__table__
    tx = (
        pg_insert(transactions)
        .values({name: bindparam(f"tx_{name}", type_=transactions.c[name].type) for name in columns})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(transactions.c.id)
        .cte("tx")
    )
    line_rows = union_all(
        *(
            select(
                bindparam(f"account_{i}", type_=entries.c.account.type).label("account"),
                bindparam(f"amount_{i}", type_=entries.c.amount_cents.type).label("amount_cents"),
            )
            for i in range(n_lines)
        )
    ).subquery("line")
    return (
        insert(entries)
        .from_select(
            ["transaction_id", "account", "amount_cents"],
            select(tx.c.id, line_rows.c.account, line_rows.c.amount_cents)
            .select_from(tx)
            .join(line_rows, true()),
        )
        .returning(entries.c.transaction_id)
    )


def record_many(kind: str, postings: list[dict]) -> set[str]:
    """Write many balanced transactions of one kind, each once per idempotency key; return
    the keys posted now (a key posted before writes nothing, as in `record`).

    Each posting is a dict with `entries`, `idempotency_key` and `fund_id` (required here)
    and any of campaign_id, pledge_id, memo. The lines are checked as `record` checks them.
    On PostgreSQL one statement writes them all (the values travel as arrays, unnested):
    a group of confirmed pledges costs one round trip, not one each. Elsewhere each is
    written by `record`."""
    lines = [_lines(kind, posting["entries"]) for posting in postings]
    if not postings:
        return set()
    if db.session.get_bind().dialect.name != "postgresql":
        refs = ("campaign_id", "pledge_id", "fund_id", "memo")
        return {
            posting["idempotency_key"]
            for posting in postings
            if record(
                kind,
                posting["entries"],
                idempotency_key=posting["idempotency_key"],
                **{name: posting.get(name) for name in refs},
            )
            is not None
        }
    stamp = JournalTransaction.__table__.c.created_at.type.process_bind_param(clock.now(), None)
    params = {
        "created": [stamp] * len(postings),
        "kind": [kind] * len(postings),
        "key": [p["idempotency_key"] for p in postings],
        "campaign": [p.get("campaign_id") for p in postings],
        "pledge": [p.get("pledge_id") for p in postings],
        "fund": [p["fund_id"] for p in postings],
        "memo": [p.get("memo") for p in postings],
        "line_key": [p["idempotency_key"] for p, ls in zip(postings, lines, strict=True) for _l in ls],
        "account": [account for ls in lines for account, _a in ls],
        "amount": [amount for ls in lines for _acc, amount in ls],
    }
    return set(db.session.execute(_RECORD_MANY, params).scalars())


# The transactions and their lines as arrays; the lines join their transaction by its key.
_RECORD_MANY = text(
    """
    WITH tx AS (
        INSERT INTO journal_transactions
            (created_at, kind, idempotency_key, campaign_id, pledge_id, fund_id, memo)
        SELECT * FROM unnest(
            CAST(:created AS timestamp[]), CAST(:kind AS varchar[]), CAST(:key AS varchar[]),
            CAST(:campaign AS integer[]), CAST(:pledge AS integer[]), CAST(:fund AS integer[]),
            CAST(:memo AS text[]))
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id, idempotency_key
    ), lines AS (
        INSERT INTO journal_entries (transaction_id, account, amount_cents)
        SELECT tx.id, line.account, line.amount
        FROM unnest(CAST(:line_key AS varchar[]), CAST(:account AS varchar[]), CAST(:amount AS bigint[]))
             WITH ORDINALITY AS line(key, account, amount, n)
        JOIN tx ON tx.idempotency_key = line.key
        ORDER BY line.n
        RETURNING transaction_id
    )
    SELECT tx.idempotency_key FROM tx
    """
)


# Built once: the entries travel as parameters (one executemany, one round trip).
_INSERT_ENTRIES = insert(JournalEntry.__table__)


def post(
    kind: str,
    entries: Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    idempotency_key: str | None = None,
    **refs,
) -> JournalTransaction:
    """Write one balanced transaction (see `record`) and return it.

    With an `idempotency_key` already posted, returns the existing transaction and writes
    nothing. Callers that only need the id use `record`, which loads nothing back.
    """
    tx_id = record(kind, entries, idempotency_key=idempotency_key, **refs)
    if tx_id is None:
        return db.session.scalars(
            select(JournalTransaction).where(JournalTransaction.idempotency_key == idempotency_key)
        ).one()
    return db.session.get(JournalTransaction, tx_id)


def posted_id(idempotency_key: str) -> int | None:
    """The id of the transaction posted under ``idempotency_key``, or None."""
    return db.session.scalar(
        select(JournalTransaction.id).where(JournalTransaction.idempotency_key == idempotency_key)
    )


def next_key(prefix: str) -> str:
    """``prefix:<n>`` with n one past the last posted, for a booking that may recur for
    the same thing (booked, reversed, booked again) yet must post once per round."""
    last = db.session.scalar(
        select(func.count())
        .select_from(JournalTransaction)
        .where(JournalTransaction.idempotency_key.like(f"{prefix}:%"))
    )
    return f"{prefix}:{(last or 0) + 1}"


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
        fund_id=original.fund_id,
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
