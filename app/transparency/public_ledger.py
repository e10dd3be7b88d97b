"""Reading the sealed public ledger: pages, the head, the JSON Lines export, a self-check.

A record is published as sealed plus its `hash` and, for a version-2 record whose backer
chose to be shown by name, `backer_name` beside the hashed part: read from the pledge at the
moment of publication, so an erased backer's name is no longer published anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import func, select

from app.extensions import db
from app.funds import services as funds
from app.ledger.models import JournalTransaction
from app.transparency.chain import GENESIS_HASH, canonical_json, chain_hash, version_of
from app.transparency.models import LedgerSeal
from app.transparency.sealing import backer_names, chain_of, ledger_head, ledger_record

EXPORT_BATCH = 5000


def published(seal, names: dict[int, str] | None = None) -> dict:
    """The record as published: the sealed body plus its `hash`, and the backer's name beside
    it when `names` (from `backer_names`) has one for a version-2 record."""
    record = {**json.loads(seal.record), "hash": seal.hash}
    name = (names or {}).get(seal.transaction_id)
    if name and version_of(record) >= 2 and record.get("backer"):
        record["backer_name"] = name
    return record


def ledger_page(after: int = 0, limit: int = 100, fund_id: int | None = None) -> dict:
    """Records of the fund's chain with seq > after, at most `limit`, and the next cursor."""
    seals = db.session.scalars(
        select(LedgerSeal)
        .where(LedgerSeal.fund_id == chain_of(fund_id), LedgerSeal.seq > after)
        .order_by(LedgerSeal.seq)
        .limit(limit + 1)
    ).all()
    more = len(seals) > limit
    seals = seals[:limit]
    names = backer_names(s.transaction_id for s in seals)
    return {
        "items": [published(s, names) for s in seals],
        "next": str(seals[-1].seq) if more and seals else None,
    }


def head(fund_id: int | None = None) -> dict:
    """{seq, hash, count, fund} of the fund's sealed ledger (seq 0 and 64 zeros when empty)."""
    chain = chain_of(fund_id)
    seq, digest = ledger_head(chain)
    return {"seq": seq, "hash": digest, "count": seq, "fund": funds.slug_of(chain)}


def iter_jsonl(upto: int | None = None, fund_id: int | None = None) -> Iterator[str]:
    """The fund's export, one canonical JSON line per record, seq 1 upwards (up to `upto`)."""
    chain = chain_of(fund_id)
    after = 0
    while True:
        query = select(LedgerSeal.seq, LedgerSeal.transaction_id, LedgerSeal.record, LedgerSeal.hash).where(
            LedgerSeal.fund_id == chain, LedgerSeal.seq > after
        )
        if upto is not None:
            query = query.where(LedgerSeal.seq <= upto)
        rows = db.session.execute(query.order_by(LedgerSeal.seq).limit(EXPORT_BATCH)).all()
        if not rows:
            return
        names = backer_names(row.transaction_id for row in rows)
        for row in rows:
            yield canonical_json(published(row, names)) + "\n"
        after = rows[-1].seq


def unsealed_count() -> int:
    """Committed transactions still waiting for the sealer."""
    sealed = select(LedgerSeal.transaction_id)
    return int(
        db.session.scalar(
            select(func.count(JournalTransaction.id)).where(JournalTransaction.id.not_in(sealed))
        )
        or 0
    )


def check_seals() -> list[str]:
    """Compare every seal with the journal it was made from and re-walk each fund's chain:
    one line per transaction changed or removed after sealing, or per broken link. Empty when
    intact."""
    failures: list[str] = []
    chains = db.session.scalars(select(LedgerSeal.fund_id).distinct().order_by(LedgerSeal.fund_id)).all()
    for fund_id in chains:
        prefix = "" if len(chains) == 1 else f"{funds.slug_of(fund_id)} "
        failures.extend(prefix + line for line in _check_chain(fund_id))
    return failures


def _check_chain(fund_id: int) -> list[str]:
    failures: list[str] = []
    prev, expected = GENESIS_HASH, 1
    after = 0
    while True:
        seals = db.session.scalars(
            select(LedgerSeal)
            .where(LedgerSeal.fund_id == fund_id, LedgerSeal.seq > after)
            .order_by(LedgerSeal.seq)
            .limit(EXPORT_BATCH)
        ).all()
        if not seals:
            return failures
        txs = {
            tx.id: tx
            for tx in db.session.scalars(
                select(JournalTransaction).where(JournalTransaction.id.in_([s.transaction_id for s in seals]))
            )
        }
        for seal in seals:
            body = json.loads(seal.record)
            if seal.seq != expected or seal.prev_hash != prev or body.get("prev_hash") != prev:
                failures.append(f"seq {seal.seq}: the chain is broken here")
            if chain_hash(seal.prev_hash, body) != seal.hash:
                failures.append(f"seq {seal.seq}: the sealed record was changed")
            tx = txs.get(seal.transaction_id)
            if tx is None:
                failures.append(f"seq {seal.seq}: transaction {seal.transaction_id} was removed")
            else:
                if tx.fund_id != fund_id:
                    failures.append(f"seq {seal.seq}: transaction {tx.id} belongs to another fund")
                now = ledger_record(tx, seal.seq, seal.prev_hash)
                for key in ("transaction_id", "created_at", "kind", "entries", "reverses"):
                    if now[key] != body.get(key):
                        failures.append(f"seq {seal.seq}: transaction {tx.id} {key} differs from its seal")
            prev, expected = seal.hash, seal.seq + 1
        after = seals[-1].seq
