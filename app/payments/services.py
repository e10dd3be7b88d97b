"""Payments: webhook verification, the event log, and what an event means for a payment.

The one entry point for gateway events is `handle_event`: the Stripe webhook calls it after
checking the signature, the demo gateway's buttons call it directly. It records the event id
once (a redelivery changes nothing), turns the event into a `PaymentUpdate` and sends the
matching signal; campaigns applies it and answers with an `Outcome` that is kept on the log.
Payments never writes pledges or ledger rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError, ValidationFailed
from app.core.sql import insert_once
from app.extensions import db
from app.payments import events
from app.payments.gateways import (
    GATEWAYS,
    Checkout,
    CheckoutRequest,
    GatewayUnavailable,
    Outcome,
    PaymentUpdate,
    get_gateway,
)
from app.payments.models import DemoPayment, PaymentEvent

__all__ = [
    "GATEWAYS",
    "Checkout",
    "CheckoutRequest",
    "GatewayUnavailable",
    "Outcome",
    "PaymentState",
    "PaymentUpdate",
    "get_gateway",
    "handle_event",
    "payment_state",
    "verify_stripe_event",
]


class BadSignature(DomainError):
    status = 400
    code = "bad_signature"


@dataclass(frozen=True)
class HandledEvent:
    """What became of one delivery: its row in the event log and that row's outcome."""

    row_id: int
    outcome: str
    duplicate: bool

    @property
    def event(self) -> PaymentEvent:
        return db.session.get(PaymentEvent, self.row_id)


@dataclass(frozen=True)
class PaymentState:
    """The current state of a payment as the gateway tells it now."""

    state: str  # open | processing | succeeded | failed | expired
    amount_cents: int
    currency: str
    session_id: str | None
    payment_intent_id: str | None
    charge_id: str | None
    amount_refunded_cents: int
    disputed: bool


def verify_stripe_event(payload: bytes, sig_header: str | None) -> dict[str, Any]:
    """Check the Stripe-Signature of the raw body (default tolerance, 300 s) and parse it.

    Refuses (BadSignature, 400) a missing, wrong or stale signature, an unparsable body, or
    a webhook secret that is not configured; nothing is recorded then.
    """
    import stripe

    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        raise BadSignature(_("De webhook is niet ingesteld (STRIPE_WEBHOOK_SECRET)."), code="not_configured")
    try:
        # The signature and its age only; Webhook.construct_event would also build a
        # StripeObject tree of the whole event that nobody reads (and parse the JSON twice).
        stripe.WebhookSignature.verify_header(
            payload, sig_header or "", secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(_("Ongeldige of verlopen handtekening.")) from exc
    if not isinstance(event, dict) or event.get("object") == "v2.core.event":
        raise BadSignature(_("Ongeldige gebeurtenis."), code="bad_event")
    return event


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def _id(value: Any) -> str | None:
    """An id field that may be expanded into an object."""
    if isinstance(value, dict):
        return value.get("id")
    return value if isinstance(value, str) else None


def _pledge_id(obj: dict[str, Any]) -> int | None:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return _int(meta.get("pledge_id"))


_SESSION_SIGNALS = {
    "checkout.session.async_payment_succeeded": events.payment_succeeded,
    "checkout.session.async_payment_failed": events.payment_failed,
    "checkout.session.expired": events.payment_expired,
}


def _update(gateway: str, event: dict[str, Any]):
    """(signal, PaymentUpdate) for an event we handle, or (None, reason) for one we ignore."""
    etype, obj = event["type"], event["data"]["object"]
    base = {"gateway": gateway, "event_id": event["id"], "event_type": etype}
    if etype.startswith("checkout.session."):
        if etype == "checkout.session.completed":
            signal = (
                events.payment_succeeded if obj.get("payment_status") == "paid" else events.payment_processing
            )
        elif etype in _SESSION_SIGNALS:
            signal = _SESSION_SIGNALS[etype]
        else:
            return None, f"event type {etype} is not handled"
        return signal, PaymentUpdate(
            **base,
            pledge_id=_pledge_id(obj),
            amount_cents=_int(obj.get("amount_total")),
            currency=(obj.get("currency") or "").lower() or None,
            session_id=obj.get("id"),
            payment_intent_id=_id(obj.get("payment_intent")),
        )
    if etype == "charge.refunded":
        refunds = {}
        for r in (obj.get("refunds") or {}).get("data") or []:
            ours = _int((r.get("metadata") or {}).get("refund_id"))
            if ours is not None:
                refunds[r["id"]] = str(ours)
        return events.payment_refunded, PaymentUpdate(
            **base,
            pledge_id=_pledge_id(obj),
            amount_cents=_int(obj.get("amount")),
            currency=(obj.get("currency") or "").lower() or None,
            payment_intent_id=_id(obj.get("payment_intent")),
            charge_id=obj.get("id"),
            amount_refunded_cents=_int(obj.get("amount_refunded")),
            refund_ids=refunds,
        )
    if etype in ("charge.dispute.created", "charge.dispute.closed"):
        # A dispute names its charge only; the charge carries our pledge id (ask the gateway).
        charge_id = _id(obj.get("charge"))
        charge = obj["charge"] if isinstance(obj.get("charge"), dict) else None
        if charge is None and charge_id:
            charge = get_gateway(gateway).retrieve_charge(charge_id)
        charge = charge or {}
        closed = etype == "charge.dispute.closed"
        status = obj.get("status")
        if closed and status not in ("won", "lost"):
            return None, f"dispute closed as {status}: nothing changes"
        return (events.payment_dispute_closed if closed else events.payment_dispute_opened), PaymentUpdate(
            **base,
            pledge_id=_pledge_id(charge),
            amount_cents=_int(charge.get("amount")),
            currency=(charge.get("currency") or "").lower() or None,
            payment_intent_id=_id(charge.get("payment_intent")) or _id(obj.get("payment_intent")),
            charge_id=charge_id,
            amount_refunded_cents=_int(charge.get("amount_refunded")),
            dispute_id=obj.get("id"),
            dispute_amount_cents=_int(obj.get("amount")),
            dispute_won=(status == "won") if closed else None,
        )
    return None, f"event type {etype} is not handled"


def handle_event(event: dict[str, Any], gateway: str) -> HandledEvent:
    """Record a gateway event once and apply it through the payments signals.

    A second delivery of the same event id changes nothing (duplicate=True). Unknown or
    late events are kept as `ignored`; an unknown pledge or a mismatching amount or
    currency as `rejected` with the reason (shown to fund managers). Refuses (422) a body
    that is no event at all.
    """
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if (
        not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(obj, dict)
    ):
        raise ValidationFailed(_("Dit is geen geldige gebeurtenis."), code="bad_event")
    table = PaymentEvent.__table__
    values = {
        "event_id": event["id"][:255],
        "gateway": gateway,
        "type": event["type"][:80],
        "object_id": (obj.get("id") or "")[:255] or None,
        "payload": event,
        "outcome": "received",
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
    signal, update = _update(gateway, event)
    pledge_id = None
    if signal is None:
        outcome = Outcome("ignored", update)
    elif update.pledge_id is None:
        outcome = Outcome("rejected", "no pledge_id in the payment's metadata")
    else:
        pledge_id = update.pledge_id
        outcome = _send(signal, gateway, update)
    db.session.execute(
        table.update()
        .where(table.c.id == row_id)
        .values(pledge_id=pledge_id, outcome=outcome.status, reason=outcome.reason)
    )
    return HandledEvent(row_id, outcome.status, False)


def _send(signal, gateway: str, update: PaymentUpdate) -> Outcome:
    try:
        with db.session.begin_nested():
            results = signal.send(gateway, update=update)
    except GatewayUnavailable:
        raise  # the gateway must answer before we can decide: let the sender retry
    except DomainError as exc:
        return Outcome("ignored", f"{exc.code}: {exc.message}")
    for _receiver, result in results:
        if isinstance(result, Outcome):
            return result
    return Outcome("ignored", "nobody handles this event")


def payment_state(gateway: str, *, payment_intent_id: str | None = None, session_id: str | None = None):
    """Ask the gateway for a payment's current state (for events that arrive before the
    payment was seen). Returns a PaymentState, or None when the gateway knows no payment
    yet. Raises GatewayUnavailable when it does not answer."""
    gw = get_gateway(gateway)
    session = None
    if session_id:
        session = gw.retrieve_session(session_id)
        pi = session.get("payment_intent")
        if isinstance(pi, str):
            pi = gw.retrieve_payment_intent(pi)
    elif payment_intent_id:
        pi = gw.retrieve_payment_intent(payment_intent_id)
    else:
        return None
    charge = pi.get("latest_charge") if isinstance(pi, dict) else None
    if isinstance(charge, str):
        charge = gw.retrieve_charge(charge)
    charge = charge or {}
    pi = pi or {}
    if session is not None and session.get("status") == "expired":
        state = "expired"
    elif pi.get("status") == "succeeded" or charge.get("status") == "succeeded":
        state = "succeeded"
    elif pi.get("status") == "processing" or charge.get("status") == "pending":
        state = "processing"
    elif charge.get("status") == "failed":
        state = "failed"
    elif pi.get("status") == "canceled":
        state = "expired"
    else:
        state = "open"
    amount = _int(pi.get("amount")) or _int((session or {}).get("amount_total")) or 0
    return PaymentState(
        state=state,
        amount_cents=amount,
        currency=(pi.get("currency") or (session or {}).get("currency") or "").lower(),
        session_id=(session or {}).get("id") or session_id,
        payment_intent_id=pi.get("id"),
        charge_id=charge.get("id"),
        amount_refunded_cents=_int(charge.get("amount_refunded")) or 0,
        disputed=bool(charge.get("disputed")),
    )


def events_query(outcome: str | None = None):
    """Recorded events, newest first; fund managers look at the `rejected` ones."""
    q = select(PaymentEvent).order_by(PaymentEvent.id.desc())
    if outcome:
        q = q.where(PaymentEvent.outcome == outcome)
    return q


def demo_payment(session_id: str) -> DemoPayment | None:
    return db.session.scalar(select(DemoPayment).where(DemoPayment.session_id == session_id))
