"""Stripe API objects for the fake server, written here in our own code.

Each kind has a base shape below: the field names, types and nesting of Stripe's
published API objects (facts of the API we learned from Stripe's fixtures and
reference), limited to the fields our code and the ``stripe`` library read plus a
few that make the objects look like the real ones (``livemode``, ``receipt_url``,
card details, ``outcome``). Builders fill in the values of one request; they may
only set fields the base shape has, so an invented or misspelt field fails loudly
instead of drifting from Stripe's shape. Nothing is read from outside the
repository at run time.

Also here: ``expand``. Request parameters are checked in :mod:`.stripe_params`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .stripe_wire import FakeStripeError, new_id

_DAY = 24 * 3600


def _address() -> dict[str, Any]:
    return dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))


def _card_details() -> dict[str, Any]:
    # A Belgian test card, as a charge's payment_method_details.card shows it.
    return {
        "brand": "visa",
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": "BE",
        "exp_month": 12,
        "exp_year": 2030,
        "fingerprint": "fakeFingerprint01",
        "funding": "debit",
        "last4": "4242",
        "network": "visa",
        "three_d_secure": None,
        "wallet": None,
    }


def _bancontact_details() -> dict[str, Any]:
    return {
        "bank_code": "VAPE",
        "bank_name": "VAN DE PUT & CO",
        "bic": "VAPEBE22",
        "iban_last4": "7061",
        "preferred_language": "nl",
        "verified_name": None,
    }


def _method_details(method: str) -> dict[str, Any]:
    detail = {"card": _card_details, "bancontact": _bancontact_details}.get(method, dict)()
    return {"type": method, method: detail}


def _base_checkout_session() -> dict[str, Any]:
    return {
        "id": "",
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "allowed_payment_method_types": None,
        "amount_subtotal": None,
        "amount_total": None,
        "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
        "billing_address_collection": None,
        "cancel_url": None,
        "client_reference_id": None,
        "client_secret": None,
        "created": 0,
        "currency": None,
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": None,
        "excluded_payment_method_types": None,
        "expires_at": 0,
        "invoice": None,
        "livemode": False,
        "locale": None,
        "metadata": {},
        "mode": "payment",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_options": {},
        "payment_method_types": [],
        "payment_status": "unpaid",
        "phone_number_collection": {"enabled": False},
        "setup_intent": None,
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": "",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": None,
    }


def _base_payment_intent() -> dict[str, Any]:
    return {
        "id": "",
        "object": "payment_intent",
        "amount": 0,
        "amount_capturable": 0,
        "amount_received": 0,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": None,
        "confirmation_method": "automatic",
        "created": 0,
        "currency": "eur",
        "customer": None,
        "description": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": {},
        "next_action": None,
        "payment_method": None,
        "payment_method_options": {},
        "payment_method_types": [],
        "processing": None,
        "receipt_email": None,
        "statement_descriptor": None,
        "status": "requires_payment_method",
    }


def _base_charge() -> dict[str, Any]:
    return {
        "id": "",
        "object": "charge",
        "amount": 0,
        "amount_captured": 0,
        "amount_refunded": 0,
        "balance_transaction": None,
        "billing_details": {"address": _address(), "email": None, "name": None, "phone": None},
        "captured": False,
        "created": 0,
        "currency": "eur",
        "customer": None,
        "description": None,
        "disputed": False,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "livemode": False,
        "metadata": {},
        "outcome": None,
        "paid": False,
        "payment_intent": None,
        "payment_method": None,
        "payment_method_details": None,
        "receipt_email": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": None,
        "status": "pending",
    }


def _base_refund() -> dict[str, Any]:
    return {
        "id": "",
        "object": "refund",
        "amount": 0,
        "balance_transaction": None,
        "charge": None,
        "created": 0,
        "currency": "eur",
        "destination_details": None,
        "metadata": {},
        "payment_intent": None,
        "payment_method": None,
        "reason": None,
        "receipt_number": None,
        "status": "pending",
    }


def _base_dispute() -> dict[str, Any]:
    return {
        "id": "",
        "object": "dispute",
        "amount": 0,
        "balance_transactions": [],
        "charge": None,
        "created": 0,
        "currency": "eur",
        "evidence": {"customer_email_address": None, "customer_name": None, "uncategorized_text": None},
        "evidence_details": {"due_by": None, "has_evidence": False, "past_due": False, "submission_count": 0},
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": None,
        "payment_method_details": None,
        "reason": "general",
        "status": "needs_response",
    }


def _base_event() -> dict[str, Any]:
    return {
        "id": "",
        "object": "event",
        "api_version": None,
        "created": 0,
        "data": {"object": {}},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": "",
    }


#: Every kind the fake serves, with its base shape (a fresh copy per call).
SHAPES: dict[str, Callable[[], dict[str, Any]]] = {
    "checkout.session": _base_checkout_session,
    "payment_intent": _base_payment_intent,
    "charge": _base_charge,
    "refund": _base_refund,
    "dispute": _base_dispute,
    "event": _base_event,
}


def build(kind: str, **fields: Any) -> dict[str, Any]:
    """A new ``kind`` object: its base shape with ``fields`` set.

    Only fields of the base shape may be set (a typo or an invented field fails
    loudly), so the fake keeps to Stripe's shape.
    """
    obj = SHAPES[kind]()
    unknown = set(fields) - set(obj)
    if unknown:
        raise KeyError(f"{kind} has no field(s) {sorted(unknown)} in the fake's Stripe shape")
    obj.update(copy.deepcopy(fields))
    return obj


# -- object builders ------------------------------------------------------------------


def checkout_session(params: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A new open, unpaid Checkout Session; ``fields`` are the computed values."""
    return build(
        "checkout.session",
        cancel_url=params.get("cancel_url") or None,
        success_url=params["success_url"],
        client_reference_id=params.get("client_reference_id") or None,
        customer_email=params.get("customer_email") or None,
        locale=params.get("locale") or None,
        allowed_payment_method_types=params.get("allowed_payment_method_types") or None,
        excluded_payment_method_types=params.get("excluded_payment_method_types") or None,
        **fields,
    )


def customer_details(email: str) -> dict[str, Any]:
    """What Checkout collected from the customer who paid."""
    return {
        "address": _address(),
        "email": email,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def payment_intent(**fields: Any) -> dict[str, Any]:
    """A PaymentIntent waiting for the customer (``requires_payment_method``)."""
    pi_id = new_id("pi_")
    return build(
        "payment_intent",
        id=pi_id,
        client_secret=f"{pi_id}_secret_{new_id('', 25)}",
        **fields,
    )


def charge(pi: dict[str, Any], method: str, now: int, email: str, **fields: Any) -> dict[str, Any]:
    """The Charge by which ``email`` pays ``pi`` with ``method`` ("card", "bancontact", ...)."""
    ch_id = new_id("ch_")
    return build(
        "charge",
        id=ch_id,
        amount=pi["amount"],
        amount_captured=pi["amount"],
        balance_transaction=new_id("txn_"),
        billing_details={"address": _address(), "email": email, "name": None, "phone": None},
        captured=True,
        created=now,
        currency=pi["currency"],
        description=pi["description"],
        metadata=pi["metadata"],  # Stripe copies the PaymentIntent's metadata
        outcome={
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        payment_intent=pi["id"],
        payment_method=pi["payment_method"],
        payment_method_details=_method_details(method),
        receipt_email=pi["receipt_email"],
        receipt_url=f"https://pay.stripe.com/receipts/payment/{new_id('', 40)}",
        refunds={
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/charges/{ch_id}/refunds",
        },
        **fields,
    )


def refund(ch: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A succeeded Refund of (part of) the charge ``ch``."""
    method = ch["payment_method_details"]["type"]
    destination = {"type": method, method: {"reference": None, "reference_status": "pending"}}
    if method == "card":
        destination[method] = {"type": "refund"}
    return build(
        "refund",
        id=new_id("re_"),
        balance_transaction=new_id("txn_"),
        charge=ch["id"],
        currency=ch["currency"],
        destination_details=destination,
        payment_intent=ch["payment_intent"],
        payment_method=ch["payment_method"],
        status="succeeded",
        **fields,
    )


def dispute(ch: dict[str, Any], now: int, **fields: Any) -> dict[str, Any]:
    """A Dispute (chargeback) on ``ch`` that needs the merchant's response."""
    method = ch["payment_method_details"]["type"]
    details: dict[str, Any] = {"type": method, method: {}}
    if method == "card":
        details["card"] = {"brand": "visa", "case_type": "chargeback", "network_reason_code": "10.4"}
    return build(
        "dispute",
        id=new_id("dp_"),
        charge=ch["id"],
        payment_intent=ch["payment_intent"],
        currency=ch["currency"],
        created=now,
        evidence_details={
            "due_by": now + 7 * _DAY,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        payment_method_details=details,
        **fields,
    )


def event(event_type: str, obj: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An Event whose ``data.object`` is a snapshot of ``obj`` as it is now."""
    data: dict[str, Any] = {"object": copy.deepcopy(obj)}
    previous = fields.pop("previous_attributes", None)
    if previous is not None:
        data["previous_attributes"] = previous
    return build(
        "event",
        id=new_id("evt_"),
        type=event_type,
        data=data,
        pending_webhooks=1,
        **fields,
    )


def expand(obj: dict[str, Any], paths: list[str], lookup: Callable[[str], Any]) -> None:
    """Replace id fields named by ``expand`` paths (``"payment_intent.latest_charge"``)
    with copies of the objects, in place, as Stripe's ``expand[]`` does."""
    for path in paths:
        node = obj
        for field in path.split("."):
            if not isinstance(node, dict) or field not in node:
                raise FakeStripeError(f"This property cannot be expanded ({path}).", param="expand")
            value = node[field]
            if isinstance(value, str) and lookup(value) is not None:
                value = node[field] = copy.deepcopy(lookup(value))
            node = value
