"""The gateways this app knows, by name, built from the settings.

Adding a gateway (docs/payments.md): its module next to `stripe_gateway.py` and `demo.py`,
one line in GATEWAYS below, one branch in `get_gateway`, its settings in app/config.py,
its fake under tests/fakes and its entry in tests/payments/test_gateway_conformance.py.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from app.payments.demo import DemoGateway
from app.payments.protocol import (  # noqa: F401 - the names other domains use
    Checkout,
    CheckoutRequest,
    Gateway,
    GatewayUnavailable,
    Outcome,
    PaymentState,
    PaymentUpdate,
)
from app.payments.stripe_gateway import StripeGateway, checkout_params  # noqa: F401

# Online gateways, by the name a pledge's `method` and the ledger account `gateway:<name>` use.
GATEWAYS = ("stripe", "demo")


def get_gateway(name: str | None = None) -> Gateway:
    """The gateway by name, or the configured one (PAYMENT_GATEWAY; demo without a key)."""
    cfg = current_app.config
    name = name or cfg.get("PAYMENT_GATEWAY") or "demo"
    if name == "stripe":
        return StripeGateway(
            cfg.get("STRIPE_SECRET_KEY", ""),
            cfg.get("STRIPE_API_BASE", ""),
            cfg.get("STRIPE_WEBHOOK_SECRET", "") or "",
        )
    if name == "demo":
        return DemoGateway(cfg.get("PUBLIC_BASE_URL", "").rstrip("/"))
    raise GatewayUnavailable(_("Onbekende betaaldienst."), code="gateway_unknown")
