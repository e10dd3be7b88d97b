"""What every payment gateway promises, in our own terms.

A gateway module (`stripe_gateway.py`, `demo.py`) turns its provider's objects into the types below;
nothing outside that module reads a provider's dicts. `tests/payments/test_gateway_conformance.py`
runs the same cases against every gateway; docs/payments.md says how to add one.

Every call that creates something carries an idempotency key derived from our own ids
(`checkout:<pledge id>`, `refund:<refund id>`, `expire:<pledge id>`), so a retried request
never creates two sessions or two refunds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from app.core.errors import DomainError

# What a payment event means for a pledge (PaymentUpdate.kind). `ignored` events are kept on
# the event log with their reason and change nothing.
UPDATE_KINDS = (
    "succeeded",  # the money arrived
    "processing",  # checkout completed, a delayed method is still on its way
    "failed",
    "expired",
    "refunded",  # amount_refunded_cents is the payment's cumulative refunded amount
    "dispute_opened",
    "dispute_closed",  # dispute_won tells the bank's decision
    "ignored",
)
# The states PaymentState.status takes.
PAYMENT_STATUSES = ("open", "processing", "succeeded", "failed", "expired")


class GatewayUnavailable(DomainError):
    """The payment provider did not answer or refused; nothing was changed here."""

    status = 502
    code = "gateway_error"


class BadSignature(DomainError):
    """A webhook body whose signature is missing, wrong or stale: nothing is recorded."""

    status = 400
    code = "bad_signature"


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
    """What one gateway event says about one payment, in our terms (see UPDATE_KINDS)."""

    gateway: str
    event_id: str
    event_type: str
    kind: str
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
    reason: str | None = None  # why an `ignored` update changes nothing
    object_id: str | None = None  # the provider's object the event is about (for the log)
    payload: dict[str, Any] = field(default_factory=dict)  # the event as received (for the log)


@dataclass(frozen=True)
class PaymentState:
    """A payment as the gateway tells it now (asked for when an event arrives before the
    payment was seen to succeed, and by the sweep of stale pending pledges)."""

    status: str  # one of PAYMENT_STATUSES
    amount_cents: int
    currency: str
    pledge_id: int | None
    session_id: str | None
    payment_intent_id: str | None
    charge_id: str | None
    amount_refunded_cents: int
    disputed: bool

    @property
    def state(self) -> str:
        """The former name of `status`."""
        return self.status


@dataclass(frozen=True)
class Outcome:
    """What applying an update did; kept on the payment event log."""

    status: str  # applied | ignored | rejected
    reason: str | None = None


@runtime_checkable
class Gateway(Protocol):
    """A payment provider. `name` is also the pledge's `method` and the ledger account
    `gateway:<name>`. Methods raise GatewayUnavailable when the provider does not answer."""

    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """A hosted checkout for one pledge (idempotency key `checkout:<pledge id>`)."""

    def refund(self, payment_intent_id: str, amount_cents: int, refund_id: int) -> str:
        """Refund part of a payment once per refund id; returns the provider's refund id."""

    def payment_state(
        self,
        *,
        payment_intent_id: str | None = None,
        session_id: str | None = None,
        charge_id: str | None = None,
    ) -> PaymentState | None:
        """How the payment stands now, found by any of its ids; None when none is given."""

    def expire_checkout(self, session_id: str, pledge_id: int) -> None:
        """Close an unpaid checkout (idempotency key `expire:<pledge id>`)."""

    def parse_event(self, raw: bytes, headers: Mapping[str, str]) -> PaymentUpdate:
        """Check a webhook delivery (BadSignature when it is not authentic) and read it."""

    def read_event(self, event: dict[str, Any]) -> PaymentUpdate:
        """Read an authentic event body (ValidationFailed when it is no event at all)."""
