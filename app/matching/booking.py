"""Booking matching money: one journal transaction and one allocation row per movement.

The ledger accounts (documented in docs/ledger.md), debits positive:

- `sponsor:<id>:committed`      credit: what the fund holds for the sponsor, not yet matched
- `commitment:<id>:available`   debit: money of the commitment free to reserve or draw
- `commitment:<id>:reserved`    debit: money set aside for a selected project
- `commitment:<id>:matched`     debit: money matched to a project
- `campaign:<id>:match`         credit: the campaign's match (matched = −balance)

available + reserved + matched of a commitment always equals its amount. The cached
`Commitment.available_cents` moves in the same transaction as the posting; a decrease is a
conditional UPDATE, so concurrent draws can never take it below zero.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update

from app.core import clock
from app.core.errors import Conflict
from app.extensions import db
from app.ledger import services as ledger
from app.matching.models import Allocation, Commitment, ProjectMatch


def acc_available(cid: int) -> str:
    return f"commitment:{cid}:available"


def acc_reserved(cid: int) -> str:
    return f"commitment:{cid}:reserved"


def acc_matched(cid: int) -> str:
    return f"commitment:{cid}:matched"


def acc_sponsor(sid: int) -> str:
    return f"sponsor:{sid}:committed"


def acc_campaign(campaign_id: int) -> str:
    return f"campaign:{campaign_id}:match"


TX_KINDS = {
    "reserve": "match_reserved",
    "release": "match_released",
    "match": "match_settled",
    "reverse": "match_reversed",
    "draw": "match_drawn",
    "draw_reverse": "match_draw_reversed",
}


def _entries(kind: str, c: Commitment, pm: ProjectMatch, x: int) -> dict[str, int]:
    a, r, m, s = acc_available(c.id), acc_reserved(c.id), acc_matched(c.id), acc_sponsor(c.sponsor_id)
    if kind == "reserve":
        return {a: -x, r: x}
    if kind == "release":
        return {r: -x, a: x}
    if pm.campaign_id is None:
        raise Conflict("a match needs the campaign", code="campaign_unknown")
    k = acc_campaign(pm.campaign_id)
    if kind == "match":
        return {r: -x, m: x, s: x, k: -x}
    if kind == "draw":
        return {a: -x, m: x, s: x, k: -x}
    if kind in ("reverse", "draw_reverse"):
        return {m: -x, a: x, s: -x, k: x}
    raise ValueError(kind)


def take_available(commitment_id: int, cents: int) -> bool:
    """Lower the cached available money by `cents` only if that much is there (one
    conditional UPDATE: under concurrency exactly the callers that fit succeed)."""
    result = db.session.execute(
        update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.available_cents >= cents)
        .values(available_cents=Commitment.available_cents - cents)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


_GAVE_BACK = "matching_gave_back"


def gave_back() -> int:
    """How many times money went back to available through this session so far (a drawing
    group reads the commitments again only after it changed)."""
    return db.session.info.get(_GAVE_BACK, 0)


def give_available(commitment_id: int, cents: int) -> None:
    db.session.info[_GAVE_BACK] = gave_back() + 1
    db.session.execute(
        update(Commitment)
        .where(Commitment.id == commitment_id)
        .values(available_cents=Commitment.available_cents + cents)
        .execution_options(synchronize_session=False)
    )


def available_of(commitment_ids: list[int]) -> dict[int, int]:
    """The cached available money of these commitments as committed now (one query)."""
    if not commitment_ids:
        return {}
    rows = db.session.execute(
        select(Commitment.id, Commitment.available_cents).where(Commitment.id.in_(commitment_ids))
    )
    return {key: int(cents) for key, cents in rows}


def lock_in_draw_order(commitment_ids: list[int]) -> None:
    """Take the row locks of these commitments in draw order before giving money back in
    reverse order. Draw order is one global order (specificity, then age, belongs to the
    commitment, not to the project), so every transaction locks commitments in the same
    order and returns never deadlock with concurrent draws."""
    for commitment_id in commitment_ids:
        db.session.execute(select(Commitment.id).where(Commitment.id == commitment_id).with_for_update())


def current_available(commitment_id: int) -> int:
    return available_of([commitment_id]).get(commitment_id, 0)


def book(
    kind: str,
    commitment: Commitment,
    pm: ProjectMatch,
    cents: int,
    *,
    position: int = 0,
    pledge_id: int | None = None,
    key: str | None = None,
) -> int:
    """Post one movement of `cents` of `commitment` for project `pm` and index it; returns
    the allocation's id. A `key` posted before is refused (Conflict duplicate_posting).

    The caller has already taken the money from the cache when the movement lowers
    `available` (reserve, draw); movements back to available raise the cache here. Plain
    INSERTs, no ORM objects: a live draw books while it holds the shared commitment's row
    lock, so this must be short.
    """
    if not isinstance(cents, int) or cents <= 0:
        raise ValueError("an allocation moves a positive number of cents")
    if commitment.fund_id != pm.fund_id:  # a second wall: one fund's sponsors never pay another's
        raise Conflict("a commitment only matches projects of its own fund", code="other_fund")
    tx_id = ledger.record(
        TX_KINDS[kind],
        _entries(kind, commitment, pm, cents),
        idempotency_key=key,
        campaign_id=pm.campaign_id,
        pledge_id=pledge_id,
        commitment_id=commitment.id,
        sponsor_id=commitment.sponsor_id,
        memo=f"application {pm.application_id}",
        fund_id=pm.fund_id,
    )
    if tx_id is None:
        raise Conflict("transaction already posted", code="duplicate_posting")
    if kind in ("release", "reverse", "draw_reverse"):
        give_available(commitment.id, cents)
    return db.session.execute(
        _INSERT_ALLOCATION,
        {
            "project_match_id": pm.id,
            "commitment_id": commitment.id,
            "sponsor_id": commitment.sponsor_id,
            "pledge_id": pledge_id,
            "kind": kind,
            "cents": cents,
            "transaction_id": tx_id,
            "position": position,
            "created_at": clock.now(),
            "fund_id": pm.fund_id,
        },
    ).scalar_one()


# Built once; the values travel as parameters.
_INSERT_ALLOCATION = insert(Allocation.__table__).returning(Allocation.__table__.c.id)


def holdings(pm: ProjectMatch, pledge_id: int | None = None) -> list[dict]:
    """Per commitment, in draw order: what is reserved, matched and released for `pm` now
    (optionally only the movements of one pledge)."""
    query = select(Allocation).where(Allocation.project_match_id == pm.id)
    if pledge_id is not None:
        query = query.where(Allocation.pledge_id == pledge_id)
    rows: dict[int, dict] = {}
    for a in db.session.scalars(query.order_by(Allocation.id)):
        h = rows.setdefault(
            a.commitment_id,
            {
                "commitment_id": a.commitment_id,
                "sponsor_id": a.sponsor_id,
                "position": a.position,
                "reserved": 0,
                "matched": 0,
                "released": 0,
            },
        )
        if a.kind == "reserve":
            h["reserved"] += a.cents
        elif a.kind == "release":
            h["reserved"] -= a.cents
            h["released"] += a.cents
        elif a.kind == "match":
            h["reserved"] -= a.cents
            h["matched"] += a.cents
        elif a.kind == "draw":
            h["matched"] += a.cents
        elif a.kind in ("reverse", "draw_reverse"):
            h["matched"] -= a.cents
            h["released"] += a.cents
    return sorted(rows.values(), key=lambda h: (h["position"], h["commitment_id"]))
