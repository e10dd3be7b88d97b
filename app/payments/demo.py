"""The demo gateway's payments as Stripe-shaped objects, and the events its buttons produce.

Pay, Fail, a refund or an expiry each build the event Stripe would send and hand it to
`services.handle_event`, the very function the Stripe webhook calls after checking the
signature. So the demo exercises the same code path as real payments.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _

from app.core import clock
from app.core.errors import Conflict
from app.payments.models import DemoPayment


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


def payment_intent_object(p: DemoPayment, expand: bool = False) -> dict[str, Any]:
    status = {
        "complete": "succeeded",
        "failed": "requires_payment_method",
        "expired": "canceled",
    }.get(p.status, "requires_payment_method")
    has_charge = p.status in ("complete", "failed")
    charge: Any = None
    if has_charge:
        charge = charge_object(p) if expand else p.charge_id
    return {
        "id": p.payment_intent_id,
        "object": "payment_intent",
        "amount": p.amount_cents,
        "currency": p.currency,
        "metadata": _metadata(p),
        "status": status,
        "latest_charge": charge,
    }


def session_object(p: DemoPayment, expand: bool = False) -> dict[str, Any]:
    return {
        "id": p.session_id,
        "object": "checkout.session",
        "amount_total": p.amount_cents,
        "currency": p.currency,
        "metadata": _metadata(p),
        "client_reference_id": p.pledge_ref,
        "payment_intent": payment_intent_object(p, expand=True) if expand else p.payment_intent_id,
        "payment_status": "paid" if p.status == "complete" else "unpaid",
        "status": {"open": "open", "expired": "expired"}.get(p.status, "complete"),
        "success_url": p.success_url,
        "cancel_url": p.cancel_url,
    }


def _event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_demo_{secrets.token_hex(12)}",
        "object": "event",
        "type": event_type,
        "created": int(clock.now().timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }


def _handle(event: dict[str, Any]):
    from app.payments import services

    return services.handle_event(event, gateway="demo")


def pay(p: DemoPayment):
    """The demo backer presses Pay: checkout.session.completed, paid."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is al afgehandeld."), code="checkout_closed")
    p.status = "complete"
    return _handle(_event("checkout.session.completed", session_object(p)))


def fail(p: DemoPayment):
    """The demo backer presses Fail: the payment bounces (async_payment_failed)."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is al afgehandeld."), code="checkout_closed")
    p.status = "failed"
    return _handle(_event("checkout.session.async_payment_failed", session_object(p)))


def expire(p: DemoPayment) -> dict[str, Any]:
    """The session times out unpaid: checkout.session.expired. Returns the session."""
    if p.status != "open":
        raise Conflict(_("Deze demobetaling is niet meer open."), code="checkout_closed")
    p.status = "expired"
    _handle(_event("checkout.session.expired", session_object(p)))
    return session_object(p)


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
    _handle(_event("charge.refunded", charge_object(p)))
    return entry["id"]
