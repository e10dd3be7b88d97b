"""The payment event log: every gateway event is recorded once, then applied once.

`handle(update, gateway)` is the one entry for gateway events: the Stripe webhook calls it
with the update its gateway parsed, the demo gateway's buttons with theirs. It records the
event id once (a redelivery changes nothing) and hands the update to the PaymentReceiver
provided at start-up (campaigns' `confirmation.apply_payment`), whose Outcome it keeps on
the log. Payments never writes pledges or ledger rows itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import select

from app.core import clock, ports
from app.core.errors import DomainError
from app.core.sql import insert_once
from app.extensions import db
from app.payments.models import PaymentEvent
from app.payments.protocol import Gateway, GatewayUnavailable, Outcome, PaymentUpdate


@ports.declare
class PaymentReceiver(Protocol):
    """Applies a new gateway update to our books, inside the caller's transaction, and says
    what it did. Provided by campaigns (`app.campaigns.confirmation.apply_payment`)."""

    def __call__(self, update: PaymentUpdate) -> Outcome: ...


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
    values = {
        "event_id": update.event_id[:255],
        "gateway": update.gateway,
        "type": update.event_type[:80],
        "object_id": (update.object_id or "")[:255] or None,
        "payload": update.payload,
        "pledge_id": expected[0],
        "outcome": expected[1],
        "reason": expected[2],
        "received_at": clock.now(),
    }
    # The unique event id records it once: a redelivery inserts nothing, and two deliveries
    # at once let one through while the other waits for it to commit and then inserts nothing.
    row_id = insert_once(db.session, table, values, ["event_id"], returning=table.c.id)
    if row_id is None:
        seen = db.session.execute(
            select(table.c.id, table.c.outcome).where(table.c.event_id == values["event_id"])
        ).one()
        return HandledEvent(seen.id, seen.outcome, True)
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
    if update.kind not in ("dispute_opened", "dispute_closed") or update.pledge_id or not update.charge_id:
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
