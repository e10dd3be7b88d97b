"""Sealing: give committed journal transactions and audit events their place in a hash chain.

Journal transactions are written concurrently, so their ids do not give a stable commit
order. The sealer, one at a time (a PostgreSQL advisory lock; SQLite's single writer),
takes every committed transaction that has no seal yet, in id order, and appends seals
with seq = last seq + 1, 2, ... A transaction committed late simply gets a later seq.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, insert, select, text

from app.campaigns import services as campaigns
from app.core import clock, tenancy
from app.core.audit import AuditEvent, scrubbed_by_erasures
from app.extensions import db
from app.funds import services as funds
from app.ledger.models import JournalEntry, JournalTransaction
from app.transparency.chain import CURRENT_VERSION, GENESIS_HASH, canonical_json, chain_hash
from app.transparency.models import AuditSeal, LedgerSeal

# Any constant: the key of the advisory lock the sealers share (xact-scoped, freed on commit).
LEDGER_LOCK_KEY = 0x5EA1_1ED6
AUDIT_LOCK_KEY = 0x5EA1_A0D1
BATCH = 2000


def iso_utc(moment: datetime) -> str:
    """`2027-03-01T09:30:00.000000Z`: fixed width, so string order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _lock(key: int) -> None:
    """Serialise sealers until the end of the caller's transaction."""
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        # SQLite: a write as the first statement takes the single writer lock (waiting for
        # busy_timeout), so a second sealer reads the seals only after the first committed.
        db.session.execute(text("DELETE FROM ledger_seals WHERE 1 = 0"))


def pseudonym(backer_key: str) -> str:
    """A stable pseudonym for a backer key (e-mail or `offline:<id>`): 16 hex digits of an
    HMAC keyed with PSEUDONYM_KEY (a key of its own, not the session key), so that nobody
    without the key can test a guessed e-mail. TRANSPARENCY_PSEUDONYM_KEY is its old name."""
    cfg = current_app.config
    secret = cfg.get("TRANSPARENCY_PSEUDONYM_KEY") or cfg.get("PSEUDONYM_KEY")
    if not secret:
        raise RuntimeError("PSEUDONYM_KEY is not set")
    key = hmac.new(secret.encode(), b"streekfonds-backer-pseudonym", hashlib.sha256).digest()
    return hmac.new(key, backer_key.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def pledges_for(txs) -> dict:
    """{pledge id: pledge} for the pledges these transactions name, in one query."""
    ids = [tx.pledge_id for tx in txs if tx.pledge_id is not None]
    if not ids:
        return {}
    return campaigns.pledges_by_id(ids)


def shown_name(pledge) -> str | None:
    """The name a backer chose to be shown by, or None: anonymous, a hidden amount (the ledger
    publishes the amount for ever, so name and amount together would undo what the backer
    asked for), an address typed as a name, or erased (erasure empties the name)."""
    if pledge is None:
        return None
    name = (pledge.display_name or "").strip()
    if name and not pledge.anonymous and not pledge.hide_amount and "@" not in name:
        return name[:120]
    return None


def backer_of(pledge) -> dict | None:
    """How the backer of a pledge appears in the sealed record: {"pseudonym": ...} only, never
    a name (the name is published beside the chain, see `backer_names`); None without a pledge.

    A backer shown by name gets a pseudonym of that one pledge, not of their e-mail: the name
    beside it would otherwise tie every anonymous gift of theirs to it."""
    if pledge is None:
        return None
    if shown_name(pledge) is not None:
        return {"pseudonym": pseudonym(f"pledge:{pledge.id}")}
    return {"pseudonym": pseudonym(campaigns.backer_key(pledge))}


def ledger_record(tx: JournalTransaction, seq: int, prev_hash: str, pledge=None) -> dict:
    """The public record of one transaction as sealed (without `hash`); `pledge` is the one it
    names. Record version 2: no personal data, only a pseudonym (docs/transparency.md)."""
    return {
        "v": CURRENT_VERSION,
        "seq": seq,
        "transaction_id": tx.id,
        "created_at": iso_utc(tx.created_at),
        "kind": tx.kind,
        "entries": [{"account": e.account, "amount_cents": int(e.amount_cents)} for e in tx.entries],
        "reverses": tx.reverses_id,
        "backer": backer_of(pledge),
        "prev_hash": prev_hash,
    }


def backer_names(transaction_ids) -> dict[int, str]:
    """{transaction id: name} for the transactions whose backer chose to be shown by name,
    read now from the pledges (beside the chain): an erased backer's name is gone from here."""
    ids = list(transaction_ids)
    if not ids:
        return {}
    pledge_of = dict(
        db.session.execute(
            select(JournalTransaction.id, JournalTransaction.pledge_id).where(
                JournalTransaction.id.in_(ids), JournalTransaction.pledge_id.is_not(None)
            )
        ).all()
    )
    pledges = campaigns.pledges_by_id(pledge_of.values()) if pledge_of else {}
    names = {tx_id: shown_name(pledges.get(pledge_id)) for tx_id, pledge_id in pledge_of.items()}
    return {tx_id: name for tx_id, name in names.items() if name}


def chain_of(fund_id: int | None = None) -> int:
    """Whose public ledger is meant: `fund_id`, else the fund of the request's site (or of
    `?fund=`), else the default fund. Each fund has its own chain."""
    return fund_id or tenancy.single_fund_id() or funds.default_fund().id


def ledger_head(fund_id: int | None = None) -> tuple[int, str]:
    """(seq, hash) of the fund's last seal; (0, 64 zeros) for an empty ledger."""
    row = db.session.execute(
        select(LedgerSeal.seq, LedgerSeal.hash)
        .where(LedgerSeal.fund_id == chain_of(fund_id))
        .order_by(LedgerSeal.seq.desc())
        .limit(1)
    ).first()
    return (int(row.seq), row.hash) if row else (0, GENESIS_HASH)


@dataclass
class _Entry:
    account: str
    amount_cents: int


@dataclass
class _Tx:
    """The columns of a journal transaction a record is made of (read without the ORM)."""

    id: int
    created_at: datetime
    kind: str
    reverses_id: int | None
    pledge_id: int | None
    entries: list = field(default_factory=list)


def _unsealed_ids(limit: int | None) -> list[tuple[int, int]]:
    """(id, fund id) of committed transactions without a seal, in id order (one anti-join)."""
    query = (
        select(JournalTransaction.id, JournalTransaction.fund_id)
        .outerjoin(LedgerSeal, LedgerSeal.transaction_id == JournalTransaction.id)
        .where(LedgerSeal.seq.is_(None))
        .order_by(JournalTransaction.id)
    )
    return [tuple(row) for row in db.session.execute(query.limit(limit) if limit is not None else query)]


def _transactions(ids: list[int]) -> list[_Tx]:
    """These transactions with their entries, in id order."""
    rows = db.session.execute(
        select(
            JournalTransaction.id,
            JournalTransaction.created_at,
            JournalTransaction.kind,
            JournalTransaction.reverses_id,
            JournalTransaction.pledge_id,
        )
        .where(JournalTransaction.id.in_(ids))
        .order_by(JournalTransaction.id)
    ).all()
    txs = {r.id: _Tx(r.id, r.created_at, r.kind, r.reverses_id, r.pledge_id) for r in rows}
    entries = db.session.execute(
        select(JournalEntry.transaction_id, JournalEntry.account, JournalEntry.amount_cents)
        .where(JournalEntry.transaction_id.in_(ids))
        .order_by(JournalEntry.id)
    )
    for tx_id, account, amount in entries:
        txs[tx_id].entries.append(_Entry(account, amount))
    return list(txs.values())


def seal_ledger(limit: int | None = None) -> int:
    """Append seals for committed, unsealed transactions (all, or at most `limit`); flush.
    Each transaction joins the chain of its own fund.

    Returns how many were sealed. Call it first in a transaction and commit right after:
    the lock is held until the commit. Running it twice seals nothing twice.
    """
    _lock(LEDGER_LOCK_KEY)
    unsealed = _unsealed_ids(limit)
    by_fund: dict[int, list[int]] = {}
    for tx_id, fund_id in unsealed:
        by_fund.setdefault(fund_id, []).append(tx_id)
    for fund_id, ids in by_fund.items():
        _seal_chain(fund_id, ids)
    return len(unsealed)


def _seal_chain(fund_id: int, ids: list[int]) -> None:
    seq, prev = ledger_head(fund_id)
    for start in range(0, len(ids), BATCH):
        txs = _transactions(ids[start : start + BATCH])
        pledges = pledges_for(txs)
        rows, now = [], clock.now()
        for tx in txs:
            seq += 1
            body = ledger_record(tx, seq, prev, pledges.get(tx.pledge_id))
            digest = chain_hash(prev, body)
            rows.append(
                {
                    "fund_id": fund_id,
                    "seq": seq,
                    "transaction_id": tx.id,
                    "prev_hash": prev,
                    "hash": digest,
                    "record": canonical_json(body),
                    "sealed_at": now,
                }
            )
            prev = digest
        db.session.execute(insert(LedgerSeal), rows)


# --- the audit trail ---------------------------------------------------------------------


def audit_record(event: AuditEvent) -> dict:
    """An audit event as hashed (the row is hashed as it is; no copy is kept)."""
    return {
        "id": event.id,
        "created_at": iso_utc(event.created_at),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


def audit_head() -> tuple[int, str]:
    row = db.session.execute(
        select(AuditSeal.seq, AuditSeal.hash).order_by(AuditSeal.seq.desc()).limit(1)
    ).first()
    return (int(row.seq), row.hash) if row else (0, GENESIS_HASH)


def seal_audit_trail() -> int:
    """Append seals for committed, unsealed audit events, in id order; flush. Returns the count.
    The audit trail is one chain for the installation (its events carry their fund), so it
    is sealed and verified looking at every fund, whatever page asks."""
    with tenancy.all_funds():
        return _seal_audit_trail()


def _seal_audit_trail() -> int:
    _lock(AUDIT_LOCK_KEY)
    seq, prev = audit_head()
    events = db.session.scalars(
        select(AuditEvent)
        .outerjoin(AuditSeal, AuditSeal.audit_event_id == AuditEvent.id)
        .where(AuditSeal.seq.is_(None))
        .order_by(AuditEvent.id)
    ).all()
    for event in events:
        seq += 1
        digest = chain_hash(prev, audit_record(event))
        db.session.add(AuditSeal(seq=seq, audit_event_id=event.id, prev_hash=prev, hash=digest))
        prev = digest
    db.session.flush()
    return len(events)


def verify_audit_trail() -> list[str]:
    """Recompute the audit chain from the events: one line per event changed, removed or
    inserted out of order. Empty when the trail is intact.

    An event scrubbed by an erasure (issue 12) no longer hashes as sealed: its personal data
    is gone on purpose. It passes when it is marked scrubbed and a later erasure event names
    it (`audit_scrubbed`); the chain around it is still checked. Any other change fails."""
    with tenancy.all_funds():
        return _verify_audit_trail()


def _verify_audit_trail() -> list[str]:
    failures: list[str] = []
    allowed = scrubbed_by_erasures(db.session)
    prev, expected = GENESIS_HASH, 1
    rows = db.session.execute(
        select(AuditSeal, AuditEvent)
        .outerjoin(AuditEvent, AuditEvent.id == AuditSeal.audit_event_id)
        .order_by(AuditSeal.seq)
    )
    for seal, event in rows:
        if seal.seq != expected:
            failures.append(f"audit seq {seal.seq}: expected {expected}")
        if seal.prev_hash != prev:
            failures.append(f"audit seq {seal.seq}: prev_hash breaks the chain")
        if event is None:
            failures.append(f"audit seq {seal.seq}: event {seal.audit_event_id} was removed")
        elif chain_hash(seal.prev_hash, audit_record(event)) != seal.hash and not (
            event.scrubbed_at is not None and allowed.get(event.id, 0) > event.id
        ):
            failures.append(f"audit seq {seal.seq}: event {event.id} was changed")
        prev, expected = seal.hash, seal.seq + 1
    return failures
