"""The payment event log: every gateway event is recorded once, then applied once.

Two ways in, one way through:

- `receive(update, gateway)`, the Stripe webhook's: record the event id once (a redelivery
  changes nothing) as `received` and answer at once; `apply_received()` (the task
  `payments.apply_received`, kicked after the commit, see `drain`) then applies the
  received events in groups of up to GROUP_SIZE, oldest first, in one transaction per
  group, through the PaymentGroupReceiver (campaigns' `confirm_groups.apply_payments`). Stripe
  asks for a quick 2xx; and confirmations that draw on the same commitment are cheaper
  together (the project and commitment rows are read and locked once per group).
- `handle(update, gateway)`, the demo gateway's buttons': record and apply in the caller's
  transaction through the PaymentReceiver (`confirmation.apply_payment`).

The outcome of each is kept on the log. Payments never writes pledges or ledger rows itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import bindparam, select

from app.core import clock, ports, tenancy
from app.core.errors import DomainError
from app.core.sql import insert_once
from app.extensions import db
from app.payments.models import PaymentEvent
from app.payments.protocol import Gateway, GatewayUnavailable, Outcome, PaymentUpdate

# Events applied in one transaction by `apply_received`: large enough that the group's
# shared reads and locks are paid once for many pledges, small enough that the shared
# commitment rows are not held long (they are locked from the first draw to the commit).
GROUP_SIZE = 50


@ports.declare
class PaymentReceiver(Protocol):
    """Applies a new gateway update to our books, inside the caller's transaction, and says
    what it did. Provided by campaigns (`app.campaigns.confirmation.apply_payment`)."""

    def __call__(self, update: PaymentUpdate) -> Outcome: ...


@ports.declare
class PaymentGroupReceiver(Protocol):
    """Applies new gateway updates, in their order, inside the caller's transaction, with
    the same effect as the PaymentReceiver on each in turn; returns their Outcomes in the
    same order, None for an update that must wait (the gateway did not answer). Provided by
    campaigns (`app.campaigns.confirm_groups.apply_payments`)."""

    def __call__(self, updates: list[PaymentUpdate]) -> list[Outcome | None]: ...


@dataclass(frozen=True)
class HandledEvent:
    """What became of one delivery: its row in the event log and that row's outcome."""

    row_id: int
    outcome: str
    duplicate: bool

    @property
    def event(self) -> PaymentEvent:
        return db.session.get(PaymentEvent, self.row_id)


def handle(update: PaymentUpdate, gateway: Gateway) -> HandledEvent:
    """Record a gateway event once and apply it.

    A second delivery of the same event id changes nothing (duplicate=True). Unknown or
    late events are kept as `ignored`; an unknown pledge or a mismatching amount or
    currency as `rejected` with the reason (shown to fund managers)."""
    table = PaymentEvent.__table__
    # The row is written with the outcome this update is expected to have (an update for a
    # pledge: "applied"), so the usual delivery needs no UPDATE of its row afterwards.
    expected = _first_guess(update)
    row_id = _record(update, *expected)
    if row_id is None:
        return _seen(update.event_id[:255])
    update = _completed(update, gateway)
    pledge_id = None
    if update.kind == "ignored":
        outcome = Outcome("ignored", update.reason)
    elif update.pledge_id is None:
        outcome = Outcome("rejected", "no pledge_id in the payment's metadata")
    else:
        pledge_id = update.pledge_id
        outcome = _apply(update)
    if (pledge_id, outcome.status, outcome.reason) != expected:
        db.session.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(pledge_id=pledge_id, outcome=outcome.status, reason=outcome.reason)
        )
    return HandledEvent(row_id, outcome.status, False)


def receive(update: PaymentUpdate) -> HandledEvent:
    """Record a gateway event once, to be applied with others by `apply_received`.

    An event about a payment is kept as `received` (the caller commits, then kicks the
    applier: `drain.kick`); one we will never apply is settled now: `ignored` (an event type
    we do not use) or `rejected` (no pledge named, and no dispute whose charge could name
    one). A redelivery changes nothing (duplicate=True) and returns the first one's state."""
    if update.kind == "ignored":
        outcome, reason = "ignored", update.reason
    elif update.pledge_id is None and not _needs_lookup(update):
        outcome, reason = "rejected", "no pledge_id in the payment's metadata"
    else:
        outcome, reason = "received", None
    row_id = _record(update, update.pledge_id if outcome != "ignored" else None, outcome, reason)
    if row_id is None:
        return _seen(update.event_id[:255])
    return HandledEvent(row_id, outcome, False)


def _record(update: PaymentUpdate, pledge_id: int | None, outcome: str, reason: str | None) -> int | None:
    """Write the event's row with this outcome; its id, or None when the event id was
    recorded before. The unique event id records it once: a redelivery inserts nothing, and
    two deliveries at once let one through while the other waits for it to commit and then
    inserts nothing."""
    table = PaymentEvent.__table__
    values = {
        "event_id": update.event_id[:255],
        "gateway": update.gateway,
        "type": update.event_type[:80],
        "object_id": (update.object_id or "")[:255] or None,
        "payload": update.payload,
        "pledge_id": pledge_id,
        "outcome": outcome,
        "reason": reason,
        "received_at": clock.now(),
    }
    return insert_once(db.session, table, values, ["event_id"], returning=table.c.id)


def apply_received(
    gateway_for: Callable[[str], Gateway],
    limit: int = GROUP_SIZE,
    waiting_for_gateway: set[int] | None = None,
) -> int:
    """Apply up to `limit` received events, oldest first, as one group in the caller's
    transaction; returns how many were taken (the caller commits). `gateway_for(name)`
    reads a stored event again (payments' `get_gateway`). The ids of events left waiting
    for their gateway are added to `waiting_for_gateway`, and events in it are not taken
    (so a run that loops does not take them again and again).

    The rows are claimed with FOR UPDATE SKIP LOCKED: two appliers at once take different
    events, and an event is applied by the transaction that settles its outcome. An event
    whose gateway must be asked and does not answer stays `received` for a later run.

    It looks across every fund (events name pledges of any fund); each pledge is then
    applied in its own fund's scope."""
    with tenancy.all_funds():
        return _apply_received(
            gateway_for, limit, set() if waiting_for_gateway is None else waiting_for_gateway
        )


def _apply_received(gateway_for: Callable[[str], Gateway], limit: int, waiting_for_gateway: set[int]) -> int:
    table = PaymentEvent.__table__
    query = select(table.c.id, table.c.gateway, table.c.payload).where(table.c.outcome == "received")
    if waiting_for_gateway:
        query = query.where(table.c.id.not_in(waiting_for_gateway))
    rows = db.session.execute(query.order_by(table.c.id).limit(limit).with_for_update(skip_locked=True)).all()
    if not rows:
        return 0
    gateways: dict[str, Gateway] = {}
    waiting: list[tuple[int, PaymentUpdate]] = []
    for row in rows:
        if row.gateway not in gateways:
            gateways[row.gateway] = gateway_for(row.gateway)
        gateway = gateways[row.gateway]
        try:
            update = _completed(gateway.read_event(row.payload), gateway)
        except GatewayUnavailable:
            waiting_for_gateway.add(row.id)  # a dispute whose charge it could not name yet
            continue
        except DomainError as exc:
            _settle([(row.id, None, Outcome("rejected", f"{exc.code}: {exc.message}"))])
            continue
        if update.pledge_id is None:
            _settle([(row.id, None, Outcome("rejected", "no pledge_id in the payment's metadata"))])
            continue
        waiting.append((row.id, update))
    if waiting:
        outcomes = ports.get(PaymentGroupReceiver)([update for _id, update in waiting])
        _settle(
            [
                (row_id, update.pledge_id, outcome)
                for (row_id, update), outcome in zip(waiting, outcomes, strict=True)
                if outcome is not None
            ]
        )
    return len(rows)


def _settle(done: list[tuple[int, int | None, Outcome]]) -> None:
    """Write the outcomes of applied events (one statement for all of them)."""
    if not done:
        return
    table = PaymentEvent.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values(pledge_id=bindparam("pledge"), outcome=bindparam("status"), reason=bindparam("why")),
        [
            {"row_id": row_id, "pledge": pledge_id, "status": outcome.status, "why": outcome.reason}
            for row_id, pledge_id, outcome in done
        ],
    )


def outcome_of(row_id: int) -> str:
    """The outcome recorded for an event now (after an applier ran in this process)."""
    table = PaymentEvent.__table__
    return db.session.scalar(select(table.c.outcome).where(table.c.id == row_id)) or "received"


def _seen(event_id: str) -> HandledEvent:
    table = PaymentEvent.__table__
    seen = db.session.execute(select(table.c.id, table.c.outcome).where(table.c.event_id == event_id)).one()
    return HandledEvent(seen.id, seen.outcome, True)


def _needs_lookup(update: PaymentUpdate) -> bool:
    """A dispute names only its charge: the gateway tells whose pledge it is (see _completed)."""
    return update.kind in ("dispute_opened", "dispute_closed") and bool(update.charge_id)


def _first_guess(update: PaymentUpdate) -> tuple[int | None, str, str | None]:
    """(pledge id, outcome, reason) as recorded before the update is applied: "applied"
    when it names a pledge (it is written in the same transaction as the change, so no
    one sees it before the outcome is known; a different outcome replaces it)."""
    if update.kind != "ignored" and update.pledge_id is not None:
        return update.pledge_id, "applied", None
    return None, "received", None


def _completed(update: PaymentUpdate, gateway: Gateway) -> PaymentUpdate:
    """A dispute names only its charge; the charge carries our pledge id: ask the gateway
    (only now, so a redelivered event costs no call)."""
    if update.pledge_id or not _needs_lookup(update):
        return update
    state = gateway.payment_state(charge_id=update.charge_id)
    if state is None:
        return update
    return replace(
        update,
        pledge_id=state.pledge_id,
        amount_cents=state.amount_cents,
        currency=state.currency or None,
        payment_intent_id=update.payment_intent_id or state.payment_intent_id,
        amount_refunded_cents=state.amount_refunded_cents,
    )


def _apply(update: PaymentUpdate) -> Outcome:
    receiver = ports.get(PaymentReceiver)
    try:
        with db.session.begin_nested():
            return receiver(update)
    except GatewayUnavailable:
        raise  # the gateway must answer before we can decide: let the sender retry
    except DomainError as exc:
        return Outcome("ignored", f"{exc.code}: {exc.message}")
