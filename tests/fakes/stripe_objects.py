"""Stripe API objects for the fake server, shaped by Stripe's own published fixtures.

Each object starts as a deep copy of Stripe's example in ``fixtures3.json`` (from
Stripe's OpenAPI repository) and only the fields that matter are replaced, so what
the application sees has every field, nesting and type the real API has. The
fixture is read from ``<workspace>/shared/stripe/fixtures3.json`` (the ``shared``
folder beside the repository) or from the file named by ``STRIPE_FIXTURES``; its
text is never copied into this repository.

Also here: ``expand``. Request parameters are checked in :mod:`.stripe_params`.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .stripe_wire import FakeStripeError, new_id

FIXTURES_ENV = "STRIPE_FIXTURES"
DEFAULT_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "stripe" / "fixtures3.json"

# Fields the current API has but the (older) fixture lacks; they may be added.
_NEWER_THAN_FIXTURE = {
    "checkout.session": {"allowed_payment_method_types", "excluded_payment_method_types"},
}
_DAY = 24 * 3600


def load_fixtures(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Stripe's example objects by kind (``"charge"``, ``"checkout.session"``, ...)."""
    chosen = Path(path or os.environ.get(FIXTURES_ENV) or DEFAULT_FIXTURES)
    if not chosen.is_file():
        raise FileNotFoundError(
            f"Stripe fixtures not found at {chosen}; put fixtures3.json there or point {FIXTURES_ENV} at it"
        )
    return _read_fixtures(str(chosen.resolve()))


@functools.lru_cache(maxsize=4)
def _read_fixtures(path: str) -> dict[str, dict[str, Any]]:
    # Cached: every test starts a server, and the file never changes during a run.
    # Callers only deep-copy from it, so sharing the parsed dict is safe.
    return json.loads(Path(path).read_text(encoding="utf-8"))["resources"]


def from_fixture(fixtures: dict[str, Any], kind: str, **fields: Any) -> dict[str, Any]:
    """A deep copy of Stripe's example ``kind`` with ``fields`` replaced.

    Only fields the fixture has may be set (a typo or an invented field fails loudly),
    so the fake never drifts from Stripe's shape.
    """
    obj = copy.deepcopy(fixtures[kind])
    unknown = set(fields) - set(obj) - _NEWER_THAN_FIXTURE.get(kind, set())
    if unknown:
        raise KeyError(f"{kind} has no field(s) {sorted(unknown)} in Stripe's fixture")
    obj.update(copy.deepcopy(fields))
    return obj


# -- object builders ------------------------------------------------------------------


def checkout_session(fx: dict[str, Any], params: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A new open, unpaid Checkout Session; ``fields`` are the computed values."""
    base = fx["checkout.session"]
    return from_fixture(
        fx,
        "checkout.session",
        object="checkout.session",
        livemode=False,
        mode="payment",
        status="open",
        payment_status="unpaid",
        cancel_url=params.get("cancel_url") or None,
        success_url=params["success_url"],
        client_reference_id=params.get("client_reference_id") or None,
        customer_email=params.get("customer_email") or None,
        locale=params.get("locale") or None,
        allowed_payment_method_types=params.get("allowed_payment_method_types") or None,
        excluded_payment_method_types=params.get("excluded_payment_method_types") or None,
        # Nobody has paid yet, and the fixture's example values would mislead.
        customer=None,
        customer_details=None,
        collected_information=None,
        client_secret=None,
        after_expiration=None,
        currency_conversion=None,
        shipping_cost=None,
        shipping_address_collection=None,
        consent=None,
        consent_collection=None,
        payment_method_configuration_details=None,
        custom_text=dict.fromkeys(base["custom_text"]),
        automatic_tax={"enabled": False, "liability": None, "status": None, "provider": None},
        invoice_creation={**base["invoice_creation"], "enabled": False},
        adaptive_pricing={"enabled": False},
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        ui_mode="hosted",
        **fields,
    )


def payment_intent(fx: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A PaymentIntent waiting for the customer (``requires_payment_method``)."""
    pi_id = new_id("pi_")
    return from_fixture(
        fx,
        "payment_intent",
        id=pi_id,
        client_secret=f"{pi_id}_secret_{new_id('', 25)}",
        status="requires_payment_method",
        amount_capturable=0,
        amount_received=0,
        automatic_payment_methods=None,
        canceled_at=None,
        cancellation_reason=None,
        last_payment_error=None,
        latest_charge=None,
        livemode=False,
        next_action=None,
        payment_method=None,
        payment_method_configuration_details=None,
        payment_method_options={},
        processing=None,
        shipping=None,
        transfer_data=None,
        **fields,
    )


def _method_details(fx: dict[str, Any], kind: str, method: str) -> dict[str, Any]:
    # Card details come from the fixture; other methods get an empty detail hash
    # because the fixture only shows cards.
    example = fx[kind]["payment_method_details"]
    return {"type": method, method: copy.deepcopy(example.get(method, {}))}


def charge(
    fx: dict[str, Any], pi: dict[str, Any], method: str, now: int, email: str, **fields: Any
) -> dict[str, Any]:
    """The Charge by which ``email`` pays ``pi`` with ``method`` ("card", "bancontact", ...)."""
    ch_id = new_id("ch_")
    base = fx["charge"]
    return from_fixture(
        fx,
        "charge",
        id=ch_id,
        amount=pi["amount"],
        amount_captured=pi["amount"],
        amount_refunded=0,
        balance_transaction=new_id("txn_"),
        billing_details={**base["billing_details"], "email": email, "name": None},
        captured=True,
        created=now,
        currency=pi["currency"],
        description=pi["description"],
        disputed=False,
        livemode=False,
        metadata=pi["metadata"],  # Stripe copies the PaymentIntent's metadata
        outcome={
            **base["outcome"],
            "network_status": "approved_by_network",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        payment_intent=pi["id"],
        payment_method=pi["payment_method"],
        payment_method_details=_method_details(fx, "charge", method),
        receipt_email=pi["receipt_email"],
        receipt_url=f"https://pay.stripe.com/receipts/payment/{new_id('', 40)}",
        refunded=False,
        refunds={
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/charges/{ch_id}/refunds",
        },
        shipping=None,
        source=None,
        transfer_data=None,
        **fields,
    )


def refund(fx: dict[str, Any], ch: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A succeeded Refund of (part of) the charge ``ch``."""
    method = ch["payment_method_details"]["type"]
    destination = fx["refund"]["destination_details"]
    return from_fixture(
        fx,
        "refund",
        id=new_id("re_"),
        balance_transaction=new_id("txn_"),
        charge=ch["id"],
        currency=ch["currency"],
        destination_details={"type": method, method: copy.deepcopy(destination.get(method, {}))},
        payment_intent=ch["payment_intent"],
        payment_method=ch["payment_method"],
        status="succeeded",
        **fields,
    )


def dispute(fx: dict[str, Any], ch: dict[str, Any], now: int, **fields: Any) -> dict[str, Any]:
    """A Dispute (chargeback) on ``ch`` that needs the merchant's response."""
    details = _method_details(fx, "dispute", ch["payment_method_details"]["type"])
    if "card" in details:
        details["card"]["case_type"] = "chargeback"
    return from_fixture(
        fx,
        "dispute",
        id=new_id("dp_"),
        charge=ch["id"],
        payment_intent=ch["payment_intent"],
        currency=ch["currency"],
        created=now,
        evidence_details={
            **fx["dispute"]["evidence_details"],
            "due_by": now + 7 * _DAY,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        is_charge_refundable=False,
        livemode=False,
        metadata={},
        payment_method_details=details,
        status="needs_response",
        **fields,
    )


def event(fx: dict[str, Any], event_type: str, obj: dict[str, Any], **fields: Any):
    """An Event whose ``data.object`` is a snapshot of ``obj`` as it is now."""
    data: dict[str, Any] = {"object": copy.deepcopy(obj)}
    previous = fields.pop("previous_attributes", None)
    if previous is not None:
        data["previous_attributes"] = previous
    return from_fixture(
        fx,
        "event",
        id=new_id("evt_"),
        type=event_type,
        data=data,
        livemode=False,
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
