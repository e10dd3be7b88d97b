"""Stripe Checkout through the official library; STRIPE_API_BASE points it at another
server (the fake in tests/fakes). The only module that reads Stripe's objects: everything
it returns is one of our types (app.payments.protocol)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import stripe
from flask import current_app
from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.payments.protocol import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    GatewayUnavailable,
    PaymentState,
    PaymentUpdate,
)


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


# --- reading Stripe's objects ----------------------------------------------------------------


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


def _currency(obj: dict[str, Any]) -> str | None:
    return (obj.get("currency") or "").lower() or None


_SESSION_KINDS = {
    "checkout.session.async_payment_succeeded": "succeeded",
    "checkout.session.async_payment_failed": "failed",
    "checkout.session.expired": "expired",
}


def read_event(event: dict[str, Any], gateway: str = "stripe") -> PaymentUpdate:
    """A Stripe event body as a PaymentUpdate; kind `ignored` (with the reason) for an event
    type we do not handle. Refuses (422) a body that is no event at all."""
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if (
        not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(obj, dict)
    ):
        raise ValidationFailed(_("Dit is geen geldige gebeurtenis."), code="bad_event")
    etype = event["type"]
    base: dict[str, Any] = {
        "gateway": gateway,
        "event_id": event["id"],
        "event_type": etype,
        "object_id": obj.get("id") if isinstance(obj.get("id"), str) else None,
        "payload": event,
    }
    if etype == "checkout.session.completed" or etype in _SESSION_KINDS:
        if etype == "checkout.session.completed":
            kind = "succeeded" if obj.get("payment_status") == "paid" else "processing"
        else:
            kind = _SESSION_KINDS[etype]
        return PaymentUpdate(
            **base,
            kind=kind,
            pledge_id=_pledge_id(obj),
            amount_cents=_int(obj.get("amount_total")),
            currency=_currency(obj),
            session_id=obj.get("id"),
            payment_intent_id=_id(obj.get("payment_intent")),
        )
    if etype == "charge.refunded":
        refunds = {}
        for r in (obj.get("refunds") or {}).get("data") or []:
            ours = _int((r.get("metadata") or {}).get("refund_id"))
            if ours is not None:
                refunds[r["id"]] = str(ours)
        return PaymentUpdate(
            **base,
            kind="refunded",
            pledge_id=_pledge_id(obj),
            amount_cents=_int(obj.get("amount")),
            currency=_currency(obj),
            payment_intent_id=_id(obj.get("payment_intent")),
            charge_id=obj.get("id"),
            amount_refunded_cents=_int(obj.get("amount_refunded")),
            refund_ids=refunds,
        )
    if etype in ("charge.dispute.created", "charge.dispute.closed"):
        closed = etype == "charge.dispute.closed"
        status = obj.get("status")
        if closed and status not in ("won", "lost"):
            return PaymentUpdate(
                **base, kind="ignored", pledge_id=None, reason=f"dispute closed as {status}: nothing changes"
            )
        # A dispute names its charge; only an expanded charge carries our pledge id. For an
        # id alone, the event log asks the gateway (payment_state(charge_id=...)) once the
        # event is known to be new.
        charge = obj["charge"] if isinstance(obj.get("charge"), dict) else {}
        return PaymentUpdate(
            **base,
            kind="dispute_closed" if closed else "dispute_opened",
            pledge_id=_pledge_id(charge),
            amount_cents=_int(charge.get("amount")),
            currency=_currency(charge),
            payment_intent_id=_id(charge.get("payment_intent")) or _id(obj.get("payment_intent")),
            charge_id=_id(obj.get("charge")),
            amount_refunded_cents=_int(charge.get("amount_refunded")),
            dispute_id=obj.get("id"),
            dispute_amount_cents=_int(obj.get("amount")),
            dispute_won=(status == "won") if closed else None,
        )
    return PaymentUpdate(**base, kind="ignored", pledge_id=None, reason=f"event type {etype} is not handled")


def state_of(
    session: dict | None, pi: dict | None, charge: dict | None, session_id: str | None = None
) -> PaymentState:
    """Stripe's session, PaymentIntent and Charge (any may be missing) as one PaymentState."""
    session, pi, charge = session or {}, pi or {}, charge or {}
    if session.get("status") == "expired":
        status = "expired"
    elif pi.get("status") == "succeeded" or charge.get("status") == "succeeded":
        status = "succeeded"
    elif pi.get("status") == "processing" or charge.get("status") == "pending":
        status = "processing"
    elif charge.get("status") == "failed":
        status = "failed"
    elif pi.get("status") == "canceled":
        status = "expired"
    else:
        status = "open"
    return PaymentState(
        status=status,
        amount_cents=_int(pi.get("amount"))
        or _int(session.get("amount_total"))
        or _int(charge.get("amount"))
        or 0,
        currency=(pi.get("currency") or session.get("currency") or charge.get("currency") or "").lower(),
        pledge_id=_pledge_id(pi) or _pledge_id(session) or _pledge_id(charge),
        session_id=session.get("id") or session_id,
        payment_intent_id=pi.get("id") or _id(charge.get("payment_intent")),
        charge_id=charge.get("id"),
        amount_refunded_cents=_int(charge.get("amount_refunded")) or 0,
        disputed=bool(charge.get("disputed")),
    )


# --- the gateway -------------------------------------------------------------------------------


class StripeGateway:
    """Stripe through the official library."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str = "", webhook_secret: str = ""):
        kwargs: dict[str, Any] = {"max_network_retries": 2}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
        # Without a secret key the webhook still verifies and reads events; calls refuse.
        self._client = stripe.StripeClient(secret_key, **kwargs) if secret_key else None
        self.webhook_secret = webhook_secret

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            raise GatewayUnavailable(_("Online betalen is niet ingesteld (STRIPE_SECRET_KEY)."))
        return self._client

    def _call(self, fn, *args, **kwargs) -> dict[str, Any]:
        try:
            return fn(*args, **kwargs).to_dict()
        except stripe.StripeError as exc:
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

    def payment_state(
        self,
        *,
        payment_intent_id: str | None = None,
        session_id: str | None = None,
        charge_id: str | None = None,
    ) -> PaymentState | None:
        session = pi = charge = None
        if session_id:
            session = self._call(
                self.client.v1.checkout.sessions.retrieve,
                session_id,
                params={"expand": ["payment_intent.latest_charge"]},
            )
            pi = session.get("payment_intent")
            if isinstance(pi, str):
                pi = self._retrieve_payment_intent(pi)
        elif payment_intent_id:
            pi = self._retrieve_payment_intent(payment_intent_id)
        elif charge_id:
            charge = self._call(self.client.v1.charges.retrieve, charge_id)
            return state_of(None, None, charge)
        else:
            return None
        charge = pi.get("latest_charge") if isinstance(pi, dict) else None
        if isinstance(charge, str):
            charge = self._call(self.client.v1.charges.retrieve, charge)
        return state_of(session, pi, charge, session_id)

    def _retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._call(
            self.client.v1.payment_intents.retrieve, payment_intent_id, params={"expand": ["latest_charge"]}
        )

    def expire_checkout(self, session_id: str, pledge_id: int) -> None:
        self._call(
            self.client.v1.checkout.sessions.expire,
            session_id,
            options={"idempotency_key": f"expire:{pledge_id}"},
        )

    def parse_event(self, raw: bytes, headers: Mapping[str, str]) -> PaymentUpdate:
        """Check the Stripe-Signature of the raw body (default tolerance, 300 s) and read it.

        Refuses (BadSignature, 400) a missing, wrong or stale signature, an unparsable body,
        or a webhook secret that is not configured; nothing is recorded then."""
        return self.read_event(verify_event(raw, headers.get("Stripe-Signature"), self.webhook_secret))

    def read_event(self, event: dict[str, Any]) -> PaymentUpdate:
        return read_event(event, self.name)


def verify_event(payload: bytes, sig_header: str | None, secret: str) -> dict[str, Any]:
    """The event body once its signature and age are checked (see StripeGateway.parse_event)."""
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
