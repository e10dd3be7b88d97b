"""The demo gateway: a local stand-in for Stripe whose checkout page has Pay and Fail
buttons. No money moves.

Its payments live in `demo_payments`; it answers `payment_state` from that row in our own
types. Its events (Pay, Fail, a refund, an expiry) are written in Stripe's webhook dialect
on purpose, read by the same reader as Stripe's (`stripe_gateway.read_event`) and handed to
`inbox.handle`, the function the Stripe webhook calls after checking the signature: so the
demo exercises the very path real payments take.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import Conflict
from app.extensions import db
from app.payments import inbox, stripe_gateway
from app.payments.models import DemoPayment
from app.payments.protocol import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    GatewayUnavailable,
    PaymentState,
    PaymentUpdate,
)

# DemoPayment.status → PaymentState.status
_STATUS = {"open": "open", "complete": "succeeded", "failed": "failed", "expired": "expired"}


class DemoGateway:
    name = "demo"

    def __init__(self, base_url: str = ""):
        self.base_url = base_url

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        ref = str(request.pledge_id)
        existing = db.session.scalar(select(DemoPayment).where(DemoPayment.pledge_ref == ref))
        if existing is None:
            existing = DemoPayment(
                session_id=f"cs_demo_{secrets.token_hex(12)}",
                payment_intent_id=f"pi_demo_{secrets.token_hex(12)}",
                charge_id=f"ch_demo_{secrets.token_hex(12)}",
                amount_cents=request.amount_cents,
                currency=request.currency,
                pledge_ref=ref,
                description=request.description[:300],
                success_url=request.success_url,
                cancel_url=request.cancel_url,
                refunds=[],
            )
            db.session.add(existing)
            db.session.flush()
        url = f"{self.base_url}/demo/checkout/{existing.session_id}"
        return Checkout(existing.session_id, url, existing.payment_intent_id)

    def refund(self, payment_intent_id: str, amount_cents: int, refund_id: int) -> str:
        return refund(_payment(payment_intent_id=payment_intent_id), amount_cents, refund_id)

    def payment_state(
        self,
        *,
        payment_intent_id: str | None = None,
        session_id: str | None = None,
        charge_id: str | None = None,
    ) -> PaymentState | None:
        if session_id:
            p = _payment(session_id=session_id)
        elif payment_intent_id:
            p = _payment(payment_intent_id=payment_intent_id)
        elif charge_id:
            p = _payment(charge_id=charge_id)
        else:
            return None
        return state_of(p)

    def expire_checkout(self, session_id: str, pledge_id: int) -> None:
        expire(_payment(session_id=session_id))

    def parse_event(self, raw: bytes, headers: Mapping[str, str]) -> PaymentUpdate:
        # The demo's events never travel over HTTP: there is nothing to authenticate.
        raise BadSignature(_("Ongeldige gebeurtenis."), code="not_configured")

    def read_event(self, event: dict[str, Any]) -> PaymentUpdate:
        return stripe_gateway.read_event(event, self.name)


def _payment(**by) -> DemoPayment:
    payment = db.session.scalar(select(DemoPayment).filter_by(**by))
    if payment is None:
        raise GatewayUnavailable(_("Onbekende demobetaling."), code="gateway_not_found")
    return payment


def state_of(p: DemoPayment) -> PaymentState:
    paid_or_failed = p.status in ("complete", "failed")
    return PaymentState(
        status=_STATUS.get(p.status, "open"),
        amount_cents=p.amount_cents,
        currency=p.currency,
        pledge_id=int(p.pledge_ref) if p.pledge_ref.isdigit() else None,
        session_id=p.session_id,
        payment_intent_id=p.payment_intent_id,
        charge_id=p.charge_id if paid_or_failed else None,
        amount_refunded_cents=p.amount_refunded_cents,
        disputed=False,
    )


def demo_payment(session_id: str) -> DemoPayment | None:
    return db.session.scalar(select(DemoPayment).where(DemoPayment.session_id == session_id))


# --- the events, in Stripe's webhook dialect ------------------------------------------------


def _metadata(p: DemoPayment) -> dict[str, str]:
    return {"pledge_id": p.pledge_ref}


def charge_object(p: DemoPayment) -> dict[str, Any]:
    paid = p.status == "complete"
    return {
        "id": p.charge_id,
        "object": "charge",
        "amount": p.amount_cents,
        "currency": p.currency,
        "metadata": _metadata(p),
        "payment_intent": p.payment_intent_id,
        "status": "succeeded" if paid else ("failed" if p.status == "failed" else "pending"),
        "paid": paid,
        "amount_refunded": p.amount_refunded_cents,
        "refunded": paid and p.amount_refunded_cents == p.amount_cents,
        "disputed": False,
        "refunds": {"object": "list", "data": list(reversed(p.refunds or []))},
    }


def session_object(p: DemoPayment) -> dict[str, Any]:
    return {
        "id": p.session_id,
        "object": "checkout.session",
        "amount_total": p.amount_cents,
        "currency": p.currency,
        "metadata": _metadata(p),
        "client_reference_id": p.pledge_ref,
        "payment_intent": p.payment_intent_id,
        "payment_status": "paid" if p.status == "complete" else "unpaid",
        "status": {"open": "open", "expired": "expired"}.get(p.status, "complete"),
        "success_url": p.success_url,
        "cancel_url": p.cancel_url,
    }


def event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The event Stripe would send about `obj`."""
    return {
        "id": f"evt_demo_{secrets.token_hex(12)}",
        "object": "event",
        "type": event_type,
        "created": int(clock.now().timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }


def _deliver(event_type: str, obj: dict[str, Any]) -> inbox.HandledEvent:
    gateway = DemoGateway()
    return inbox.handle(gateway.read_event(event(event_type, obj)), gateway)


def pay(p: DemoPayment) -> inbox.HandledEvent:
    """The demo backer presses Pay: checkout.session.completed, paid."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is al afgehandeld."), code="checkout_closed")
    p.status = "complete"
    return _deliver("checkout.session.completed", session_object(p))


def fail(p: DemoPayment) -> inbox.HandledEvent:
    """The demo backer presses Fail: the payment bounces (async_payment_failed)."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is al afgehandeld."), code="checkout_closed")
    p.status = "failed"
    return _deliver("checkout.session.async_payment_failed", session_object(p))


def expire(p: DemoPayment) -> None:
    """The session times out unpaid: checkout.session.expired."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is niet meer open."), code="checkout_closed")
    p.status = "expired"
    _deliver("checkout.session.expired", session_object(p))


def refund(p: DemoPayment, amount_cents: int, refund_id: int) -> str:
    """Refund part of a paid demo payment once per refund id; charge.refunded follows."""
    for existing in p.refunds or []:
        if existing["metadata"].get("refund_id") == str(refund_id):
            return existing["id"]  # the same key: the same refund, as Stripe answers
    if p.status != "complete" or amount_cents > p.amount_cents - p.amount_refunded_cents:
        raise Conflict(_("Dit bedrag kan niet terugbetaald worden."), code="refund_exceeds")
    entry = {
        "id": f"re_demo_{secrets.token_hex(12)}",
        "object": "refund",
        "amount": amount_cents,
        "metadata": {"refund_id": str(refund_id)},
        "status": "succeeded",
    }
    p.refunds = [*(p.refunds or []), entry]
    p.amount_refunded_cents += amount_cents
    _deliver("charge.refunded", charge_object(p))
    return entry["id"]
