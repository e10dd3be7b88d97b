"""The payment gateways behind one interface: Stripe Checkout, and a local demo gateway.

Every call that creates something carries an idempotency key derived from our own ids
(`checkout:<pledge id>`, `refund:<refund id>`, `expire:<pledge id>`), so a retried request
never creates two sessions or two refunds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.extensions import db

GATEWAYS = ("stripe", "demo")


class GatewayUnavailable(DomainError):
    """The payment provider did not answer or refused; nothing was changed here."""

    status = 502
    code = "gateway_error"


@dataclass(frozen=True)
class CheckoutRequest:
    pledge_id: int
    campaign_id: int
    amount_cents: int
    email: str
    description: str
    success_url: str
    cancel_url: str
    currency: str = "eur"


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str
    payment_intent_id: str | None


@dataclass
class PaymentUpdate:
    """What a gateway event says about one payment, in our terms."""

    gateway: str
    event_id: str
    event_type: str
    pledge_id: int | None
    amount_cents: int | None = None
    currency: str | None = None
    session_id: str | None = None
    payment_intent_id: str | None = None
    charge_id: str | None = None
    amount_refunded_cents: int | None = None
    refund_ids: dict[str, str] = field(default_factory=dict)  # gateway refund id → our refund id
    dispute_id: str | None = None
    dispute_amount_cents: int | None = None
    dispute_won: bool | None = None


@dataclass(frozen=True)
class Outcome:
    status: str  # applied | ignored | rejected
    reason: str | None = None


class Gateway(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def refund(self, payment_intent_id: str, amount_cents: int, refund_id: int) -> str: ...

    def retrieve_session(self, session_id: str) -> dict[str, Any]: ...

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]: ...

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]: ...

    def expire_session(self, session_id: str, pledge_id: int) -> dict[str, Any]: ...


def checkout_params(request: CheckoutRequest) -> dict[str, Any]:
    """The Checkout Session we ask for: one line, Bancontact and cards, our ids in metadata."""
    meta = {"pledge_id": str(request.pledge_id), "campaign_id": str(request.campaign_id)}
    return {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": request.currency,
                    "unit_amount": request.amount_cents,
                    "product_data": {"name": request.description[:250]},
                },
                "quantity": 1,
            }
        ],
        "allowed_payment_method_types": ["bancontact", "card"],
        "customer_email": request.email,
        "client_reference_id": str(request.pledge_id),
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "locale": "nl",
        "metadata": meta,
        "payment_intent_data": {"metadata": meta, "description": request.description[:250]},
    }


class StripeGateway:
    """Stripe through the official library; STRIPE_API_BASE points it at another server."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str = ""):
        import stripe

        if not secret_key:
            raise GatewayUnavailable(_("Online betalen is niet ingesteld (STRIPE_SECRET_KEY)."))
        kwargs: dict[str, Any] = {"max_network_retries": 2}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
        self._stripe = stripe
        self.client = stripe.StripeClient(secret_key, **kwargs)

    def _call(self, fn, *args, **kwargs) -> dict[str, Any]:
        try:
            return fn(*args, **kwargs).to_dict()
        except self._stripe.StripeError as exc:
            current_app.logger.warning("stripe refused: %s", exc)
            raise GatewayUnavailable(
                _("De betaaldienst weigerde of antwoordde niet. Probeer later opnieuw."),
                details={"gateway": str(getattr(exc, "user_message", None) or exc)[:300]},
            ) from exc

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params=checkout_params(request),
            options={"idempotency_key": f"checkout:{request.pledge_id}"},
        )
        pi = session.get("payment_intent")
        return Checkout(session["id"], session["url"], pi if isinstance(pi, str) else None)

    def refund(self, payment_intent_id: str, amount_cents: int, refund_id: int) -> str:
        refund = self._call(
            self.client.v1.refunds.create,
            params={
                "payment_intent": payment_intent_id,
                "amount": amount_cents,
                "metadata": {"refund_id": str(refund_id)},
            },
            options={"idempotency_key": f"refund:{refund_id}"},
        )
        return refund["id"]

    def retrieve_session(self, session_id: str) -> dict[str, Any]:
        return self._call(
            self.client.v1.checkout.sessions.retrieve,
            session_id,
            params={"expand": ["payment_intent.latest_charge"]},
        )

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._call(
            self.client.v1.payment_intents.retrieve, payment_intent_id, params={"expand": ["latest_charge"]}
        )

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        return self._call(self.client.v1.charges.retrieve, charge_id)

    def expire_session(self, session_id: str, pledge_id: int) -> dict[str, Any]:
        return self._call(
            self.client.v1.checkout.sessions.expire,
            session_id,
            options={"idempotency_key": f"expire:{pledge_id}"},
        )


class DemoGateway:
    """A local stand-in for Stripe: its checkout page has Pay and Fail buttons whose events
    go through the same handler as Stripe's webhook. No money moves."""

    name = "demo"

    def __init__(self, base_url: str):
        self.base_url = base_url

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        from app.payments.models import DemoPayment

        ref = str(request.pledge_id)
        existing = db.session.query(DemoPayment).filter_by(pledge_ref=ref).first()
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

    def _payment(self, **by):
        from app.payments.models import DemoPayment

        payment = db.session.query(DemoPayment).filter_by(**by).first()
        if payment is None:
            raise GatewayUnavailable(_("Onbekende demobetaling."), code="gateway_not_found")
        return payment

    def refund(self, payment_intent_id: str, amount_cents: int, refund_id: int) -> str:
        from app.payments import demo

        return demo.refund(self._payment(payment_intent_id=payment_intent_id), amount_cents, refund_id)

    def retrieve_session(self, session_id: str) -> dict[str, Any]:
        from app.payments import demo

        return demo.session_object(self._payment(session_id=session_id), expand=True)

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        from app.payments import demo

        return demo.payment_intent_object(self._payment(payment_intent_id=payment_intent_id), expand=True)

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        from app.payments import demo

        return demo.charge_object(self._payment(charge_id=charge_id))

    def expire_session(self, session_id: str, pledge_id: int) -> dict[str, Any]:
        from app.payments import demo

        return demo.expire(self._payment(session_id=session_id))


def get_gateway(name: str | None = None) -> Gateway:
    """The gateway by name, or the configured one (PAYMENT_GATEWAY; demo without a key)."""
    cfg = current_app.config
    name = name or cfg.get("PAYMENT_GATEWAY") or "demo"
    if name == "stripe":
        return StripeGateway(cfg.get("STRIPE_SECRET_KEY", ""), cfg.get("STRIPE_API_BASE", ""))
    if name == "demo":
        return DemoGateway(cfg.get("PUBLIC_BASE_URL", "").rstrip("/"))
    raise GatewayUnavailable(_("Onbekende betaaldienst."), code="gateway_unknown")
