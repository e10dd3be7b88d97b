"""Payments: the module other domains import. Gateways by name, a payment's current state,
and the one entry for gateway events (`handle_event`, recorded once by `inbox.handle`).
Payments never writes pledges or ledger rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.payments import demo, inbox
from app.payments.gateways import GATEWAYS, get_gateway
from app.payments.inbox import HandledEvent, PaymentGroupReceiver, PaymentReceiver
from app.payments.models import PaymentEvent
from app.payments.protocol import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    Gateway,
    GatewayUnavailable,
    Outcome,
    PaymentState,
    PaymentUpdate,
)

__all__ = [
    "GATEWAYS",
    "BadSignature",
    "Checkout",
    "CheckoutRequest",
    "Gateway",
    "GatewayUnavailable",
    "HandledEvent",
    "Outcome",
    "PaymentGroupReceiver",
    "PaymentReceiver",
    "PaymentState",
    "PaymentUpdate",
    "demo_fail",
    "demo_pay",
    "demo_payment",
    "events_query",
    "get_gateway",
    "handle_event",
    "payment_state",
]


def handle_event(event: dict[str, Any], gateway: str) -> HandledEvent:
    """Record an authentic event body of the named gateway once and apply it (see
    inbox.handle). Refuses (422) a body that is no event at all."""
    gw = get_gateway(gateway)
    return inbox.handle(gw.read_event(event), gw)


def payment_state(
    gateway: str, *, payment_intent_id: str | None = None, session_id: str | None = None
) -> PaymentState | None:
    """Ask the gateway how a payment stands now (for events that arrive before the payment
    was seen). None when no id is given. Raises GatewayUnavailable when it does not answer."""
    return get_gateway(gateway).payment_state(payment_intent_id=payment_intent_id, session_id=session_id)


def events_query(outcome: str | None = None):
    """Recorded events, newest first; fund managers look at the `rejected` ones."""
    q = select(PaymentEvent).order_by(PaymentEvent.id.desc())
    if outcome:
        q = q.where(PaymentEvent.outcome == outcome)
    return q


# The demo gateway's buttons, for the demo data and the tests (app/payments/demo.py).
demo_payment = demo.demo_payment
demo_pay = demo.pay
demo_fail = demo.fail
