"""Checks of request parameters, with Stripe's error codes and messages.

The stripe library sends every value as text in a bracket-encoded form; these
helpers read them back (integers, metadata, line items, payment method types) and
answer bad input the way Stripe does, so the application's handling of Stripe's
refusals can be tested too.
"""

from __future__ import annotations

import re
from typing import Any

from .stripe_wire import FakeStripeError

# Payment methods that only take some currencies; Stripe refuses (explicit list) or
# silently drops (allowed_payment_method_types filter) them for other currencies.
_CURRENCIES = {
    "bancontact": {"eur"},
    "ideal": {"eur"},
    "eps": {"eur"},
    "sepa_debit": {"eur"},
    "p24": {"eur", "pln"},
}
# Stripe removed ``payment_method_types`` from Checkout Session creation in this version.
_PAYMENT_METHOD_TYPES_REMOVED = "2026-09-30"
_DAY = 24 * 3600


def _label(name: str, where: str) -> str:
    return f"{where}[{name}]" if where else name


def required(params: dict[str, Any], name: str, where: str = "") -> Any:
    value = params.get(name)
    if value is None or value == "":
        label = _label(name, where)
        raise FakeStripeError(f"Missing required param: {label}.", code="parameter_missing", param=label)
    return value


def integer(params: dict[str, Any], name: str, where: str = "", *, minimum: int | None = None) -> int | None:
    """The integer param ``name`` (sent as text by the library), or None if absent."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    label = _label(name, where)
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        raise FakeStripeError(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=label)
    value = int(raw)
    if minimum is not None and value < minimum:
        raise FakeStripeError(
            f"Invalid {label}: must be at least {minimum}",
            code="parameter_invalid_integer",
            param=label,
        )
    return value


def metadata(params: dict[str, Any], name: str = "metadata", where: str = "") -> dict[str, str]:
    """Validated metadata: Stripe allows 50 keys of <= 40 chars with values <= 500 chars."""
    value = params.get(name)
    label = _label(name, where)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise FakeStripeError(f"Invalid object: {label} must be a hash", param=label)
    if len(value) > 50:
        raise FakeStripeError(f"Invalid {label}: at most 50 keys", param=label)
    for key, item in value.items():
        if len(key) > 40 or not isinstance(item, str) or len(item) > 500:
            raise FakeStripeError(
                f"Invalid {label}[{key}]: keys are at most 40 characters and values "
                "plain strings of at most 500 characters",
                param=f"{label}[{key}]",
            )
    return dict(value)


def _string_list(params: dict[str, Any], name: str) -> list[str] | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FakeStripeError(f"Invalid array: {name}", param=name)
    return value


def line_items_total(params: dict[str, Any]) -> tuple[int, str]:
    """Sum and currency of ``line_items`` given with inline ``price_data``."""
    items = params.get("line_items")
    if not isinstance(items, list) or not items:
        raise FakeStripeError(
            "Missing required param: line_items.", code="parameter_missing", param="line_items"
        )
    total, currencies = 0, set()
    for index, item in enumerate(items):
        where = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise FakeStripeError(f"Invalid object: {where}", param=where)
        if "price" in item:
            # The fake keeps no Price objects, like an account where none were created.
            raise FakeStripeError(
                f"No such price: '{item['price']}'",
                code="resource_missing",
                param=f"{where}[price]",
            )
        price = required(item, "price_data", where)
        price_where = f"{where}[price_data]"
        if not isinstance(price, dict):
            raise FakeStripeError(f"Invalid object: {price_where}", param=price_where)
        currencies.add(str(required(price, "currency", price_where)).lower())
        unit_amount = integer(price, "unit_amount", price_where, minimum=0)
        if unit_amount is None:
            required(price, "unit_amount", price_where)
        if "product" not in price:
            product = required(price, "product_data", price_where)
            product_where = f"{price_where}[product_data]"
            required(product if isinstance(product, dict) else {}, "name", product_where)
        quantity = integer(item, "quantity", where, minimum=1)
        if quantity is None:
            required(item, "quantity", where)
        total += unit_amount * quantity
    if len(currencies) > 1:
        raise FakeStripeError(
            "Checkout does not support line items in more than one currency.", param="line_items"
        )
    return total, currencies.pop()


def payment_method_types(params: dict[str, Any], currency: str, api_version: str) -> list[str]:
    """The payment method types a new session offers, as Stripe works them out.

    Since API version 2026-09-30.endive (the installed library's) Stripe refuses
    ``payment_method_types`` and takes ``allowed_payment_method_types`` instead, a
    filter that drops methods unfit for the currency. Older versions take the explicit
    list and refuse unfit methods. Without either, the dashboard's dynamic methods
    apply; the fake's "dashboard" offers card only.
    """
    explicit = _string_list(params, "payment_method_types")
    if explicit is not None:
        if api_version[:10] >= _PAYMENT_METHOD_TYPES_REMOVED:
            raise FakeStripeError(
                "Received unknown parameter: payment_method_types (removed in API version "
                "2026-09-30.endive; use allowed_payment_method_types)",
                code="parameter_unknown",
                param="payment_method_types",
            )
        unfit = [t for t in explicit if currency not in _CURRENCIES.get(t, {currency})]
        if unfit:
            raise FakeStripeError(
                f"The currency provided ({currency}) is invalid for one or more payment "
                f"method types: {', '.join(unfit)}.",
                param="payment_method_types",
            )
        return list(explicit)
    allowed = _string_list(params, "allowed_payment_method_types") or ["card"]
    excluded = set(_string_list(params, "excluded_payment_method_types") or [])
    offered = [t for t in allowed if t not in excluded and currency in _CURRENCIES.get(t, {currency})]
    if not offered:
        raise FakeStripeError(
            f"No valid payment method types for this Checkout Session in {currency}.",
            param="allowed_payment_method_types",
        )
    return offered


def expires_at(params: dict[str, Any], now: int) -> int:
    """``expires_at``: 30 minutes to 24 hours ahead, 24 hours when not given."""
    value = integer(params, "expires_at")
    if value is None:
        return now + _DAY
    if not now + 1800 <= value <= now + _DAY:
        raise FakeStripeError(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
            "Checkout Session creation.",
            param="expires_at",
        )
    return value
