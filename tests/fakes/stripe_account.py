"""The state of the fake Stripe account and what can happen to it.

:class:`StripeAccount` keeps every object the fake has made, performs the API
operations (create a Checkout Session, refund, expire) and the things only the
outside world does to a payment (the customer pays, a bank settles or bounces a
delayed payment, a cardholder disputes), each producing the webhook event Stripe
would send. The HTTP side lives in :mod:`.stripe_server`.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from . import stripe_objects as objects
from . import stripe_params as params_
from .stripe_wire import DEFAULT_API_VERSION, FakeStripeError, new_id, sign_payload


class StripeAccount:
    """Objects, events and test-control helpers of one fake Stripe account.

    One lock guards all state, so tests may drive it from many threads at once.
    ``created`` (kind → objects, live) and ``events`` (in order) are meant to be read
    by the test once the calls it made have returned.
    """

    url = ""  # set by the server; the hosted checkout page lives under it

    def __init__(
        self,
        *,
        webhook_secret: str = "whsec_test_fake",  # noqa: S107 - a test secret, not a real one
        api_version: str | None = None,
        eager_payment_intent: bool = True,
    ) -> None:
        self.webhook_secret = webhook_secret
        self.api_version = api_version
        self.eager_payment_intent = eager_payment_intent
        self.created: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.events: list[dict[str, Any]] = []
        #: Called with each new event, outside the lock (e.g. to post it to the app).
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        self._objects: dict[str, dict[str, Any]] = {}
        self._undelivered: list[dict[str, Any]] = []
        # PaymentIntent fields of sessions whose PaymentIntent is not created yet.
        self._pending_pi: dict[str, dict[str, Any]] = {}
        self._seen_version: str | None = None
        self._lock = threading.RLock()

    # -- inspection ---------------------------------------------------------------------

    @property
    def effective_api_version(self) -> str:
        """The API version objects follow: ``api_version`` if set, else the last
        ``Stripe-Version`` a client sent (the library always sends its pinned one)."""
        return self.api_version or self._seen_version or DEFAULT_API_VERSION

    def get(self, object_id: str) -> dict[str, Any]:
        """A copy of the object's current state (any kind); KeyError if unknown."""
        with self._lock:
            return copy.deepcopy(self._objects[object_id])

    def signed(self, event: dict[str, Any], timestamp: int | None = None) -> tuple[bytes, str]:
        """The webhook body and ``Stripe-Signature`` header Stripe would send for ``event``."""
        payload = json.dumps(event, indent=2).encode()
        return payload, sign_payload(payload, self.webhook_secret, timestamp)

    # -- test-control helpers: what the customer, the bank or time would do -----------

    def complete_checkout(
        self, session_id: str, async_payment: bool = False, payment_method: str | None = None
    ) -> dict[str, Any]:
        """The customer pays; returns ``checkout.session.completed``.

        ``payment_method`` defaults to the session's first type. With
        ``async_payment`` (SEPA-like) the session completes still ``unpaid`` with a
        pending charge; settle it with :meth:`async_payment_succeeded`/``_failed``.
        """
        with self._lock:
            session = self._open_session(session_id)
            pi = self._ensure_payment_intent(session)
            method = payment_method or session["payment_method_types"][0]
            if method not in session["payment_method_types"]:
                raise FakeStripeError(f"{session_id} does not offer {method!r}.")
            pi["payment_method"] = new_id("pm_")
            status = "pending" if async_payment else "succeeded"
            email = session["customer_email"] or "customer@example.com"
            ch = self._store(
                objects.charge(pi, method, self._now(), email, status=status, paid=not async_payment)
            )
            pi.update(
                latest_charge=ch["id"],
                status="processing" if async_payment else "succeeded",
                amount_received=0 if async_payment else pi["amount"],
            )
            session.update(
                status="complete",
                payment_status="unpaid" if async_payment else "paid",
                url=None,
                customer_details=objects.customer_details(email),
            )
            event = self._emit("checkout.session.completed", session)
        self._deliver()
        return event

    def async_payment_succeeded(self, session_id: str) -> dict[str, Any]:
        """The delayed payment arrives: ``checkout.session.async_payment_succeeded``."""
        with self._lock:
            session, pi, ch = self._processing(session_id)
            ch.update(status="succeeded", paid=True)
            pi.update(status="succeeded", amount_received=pi["amount"])
            session["payment_status"] = "paid"
            event = self._emit("checkout.session.async_payment_succeeded", session)
        self._deliver()
        return event

    def async_payment_failed(self, session_id: str) -> dict[str, Any]:
        """The delayed payment bounces: ``checkout.session.async_payment_failed``."""
        with self._lock:
            session, pi, ch = self._processing(session_id)
            ch.update(
                status="failed",
                paid=False,
                failure_code="insufficient_funds",
                failure_message="The account has insufficient funds.",
            )
            pi.update(
                status="requires_payment_method",
                last_payment_error={"type": "card_error", "code": "insufficient_funds"},
            )
            event = self._emit("checkout.session.async_payment_failed", session)
        self._deliver()
        return event

    def expire_checkout(self, session_id: str) -> dict[str, Any]:
        """The session times out unpaid: ``checkout.session.expired``."""
        with self._lock:
            event = self.expire(self._find("checkout.session", session_id), None)[1]
        self._deliver()
        return event

    def dispute(
        self, charge_id: str, amount: int | None = None, reason: str = "fraudulent"
    ) -> dict[str, Any]:
        """The cardholder disputes the charge: ``charge.dispute.created``."""
        with self._lock:
            ch = self._find("charge", charge_id)
            if ch["status"] != "succeeded" or ch["disputed"]:
                raise FakeStripeError(f"Charge {charge_id} cannot be disputed (now).")
            dp = self._store(
                objects.dispute(
                    ch,
                    self._now(),
                    reason=reason,
                    amount=ch["amount"] if amount is None else amount,
                )
            )
            ch["disputed"] = True
            event = self._emit("charge.dispute.created", dp)
        self._deliver()
        return event

    def close_dispute(self, dispute_id: str, won: bool) -> dict[str, Any]:
        """The bank decides: ``charge.dispute.closed`` with status ``won`` or ``lost``."""
        with self._lock:
            dp = self._find("dispute", dispute_id)
            if dp["status"] in ("won", "lost"):
                raise FakeStripeError(f"Dispute {dispute_id} is already closed.")
            dp["status"] = "won" if won else "lost"
            event = self._emit("charge.dispute.closed", dp)
        self._deliver()
        return event

    # -- API operations (callers hold the lock) ------------------------------------------

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = params_.required(params, "mode")
        if mode != "payment":
            raise FakeStripeError(f"The fake supports mode=payment only, not {mode!r}.", param="mode")
        params_.required(params, "success_url")
        amount, currency = params_.line_items_total(params)
        types = params_.payment_method_types(params, currency, self.effective_api_version)
        pi_data = params.get("payment_intent_data") or {}
        if not isinstance(pi_data, dict):
            raise FakeStripeError("Invalid object: payment_intent_data", param="payment_intent_data")
        session_id, now = new_id("cs_test_", 58), self._now()
        session = objects.checkout_session(
            params,
            id=session_id,
            created=now,
            currency=currency,
            amount_subtotal=amount,
            amount_total=amount,
            payment_method_types=types,
            metadata=params_.metadata(params),
            expires_at=params_.expires_at(params, now),
            url=f"{self.url}/pay/{session_id}",
            payment_intent=None,
        )
        pi_fields = {
            "amount": amount,
            "currency": currency,
            "created": now,
            "metadata": params_.metadata(pi_data, where="payment_intent_data"),
            "description": pi_data.get("description") or None,
            "receipt_email": pi_data.get("receipt_email") or None,
            "payment_method_types": types,
        }
        self._pending_pi[session_id] = pi_fields
        self._store(session)
        if self.eager_payment_intent:
            self._ensure_payment_intent(session)
        return session

    def create_refund(self, params: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        if params.get("payment_intent"):
            pi = self._find("payment_intent", params["payment_intent"])
            if not pi["latest_charge"]:
                raise FakeStripeError(
                    f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                    param="payment_intent",
                )
            ch = self._objects[pi["latest_charge"]]
        elif params.get("charge"):
            ch = self._find("charge", params["charge"])
        else:
            raise FakeStripeError(
                "One of the following params should be provided for this request: payment_intent or charge.",
                param="charge",
            )
        if ch["status"] != "succeeded":
            raise FakeStripeError(f"Charge {ch['id']} has not succeeded, so it cannot be refunded.")
        if ch["disputed"]:
            raise FakeStripeError(
                f"Charge {ch['id']} has been charged back; cannot issue a refund.", code="charge_disputed"
            )
        left = ch["amount"] - ch["amount_refunded"]
        if left == 0:
            raise FakeStripeError(
                f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = params_.integer(params, "amount", minimum=1)
        amount = left if amount is None else amount
        if amount > left:
            raise FakeStripeError(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
                param="amount",
            )
        reason = params.get("reason") or None
        if reason not in (None, "duplicate", "fraudulent", "requested_by_customer"):
            raise FakeStripeError(f"Invalid reason: {reason}", param="reason")
        re_obj = self._store(
            objects.refund(
                ch,
                amount=amount,
                created=self._now(),
                reason=reason,
                metadata=params_.metadata(params),
            )
        )
        previous = {
            "amount_refunded": ch["amount_refunded"],
            "refunded": ch["refunded"],
            "refunds": copy.deepcopy(ch["refunds"]),
        }
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] == ch["amount"]
        ch["refunds"]["data"].insert(0, re_obj)  # Stripe lists newest first
        ch["refunds"]["total_count"] += 1
        self._emit("charge.refunded", ch, request, previous_attributes=previous)
        return re_obj

    def expire(self, session: dict[str, Any], request: dict[str, Any] | None):
        if session["status"] != "open":
            raise FakeStripeError(
                f'Only Checkout Sessions with a status in ["open"] can be expired; '
                f"{session['id']} is {session['status']}."
            )
        session.update(status="expired", url=None)
        if session["payment_intent"]:
            self._objects[session["payment_intent"]].update(
                status="canceled", canceled_at=self._now(), cancellation_reason="abandoned"
            )
        return session, self._emit("checkout.session.expired", session, request)

    # -- state plumbing (callers hold the lock) -----------------------------------------

    def _now(self) -> int:
        return int(time.time())

    def _store(self, obj: dict[str, Any]) -> dict[str, Any]:
        self._objects[obj["id"]] = obj
        # Objects in ``created`` stay live, so tests see their current state.
        self.created[obj["object"]].append(obj)
        return obj

    def _find(self, kind: str, object_id: str) -> dict[str, Any]:
        obj = self._objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise FakeStripeError(
                f"No such {kind}: '{object_id}'", status=404, code="resource_missing", param="id"
            )
        return obj

    def _open_session(self, session_id: str) -> dict[str, Any]:
        session = self._find("checkout.session", session_id)
        if session["status"] != "open":
            raise FakeStripeError(
                f"Checkout Session {session_id} is {session['status']}, not open; it cannot be paid."
            )
        return session

    def _ensure_payment_intent(self, session: dict[str, Any]) -> dict[str, Any]:
        if not session["payment_intent"]:
            fields = self._pending_pi.pop(session["id"])
            pi = self._store(objects.payment_intent(**fields))
            session["payment_intent"] = pi["id"]
        return self._objects[session["payment_intent"]]

    def _processing(self, session_id: str):
        session = self._find("checkout.session", session_id)
        pi = self._objects.get(session["payment_intent"] or "")
        if session["status"] != "complete" or not pi or pi["status"] != "processing":
            raise FakeStripeError(
                f"Checkout Session {session_id} has no payment in progress; "
                "use complete_checkout(..., async_payment=True) first."
            )
        return session, pi, self._objects[pi["latest_charge"]]

    def _emit(
        self, event_type: str, obj: dict[str, Any], request: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        event = objects.event(
            event_type,
            obj,
            created=self._now(),
            api_version=self.effective_api_version,
            request=request or {"id": None, "idempotency_key": None},
            **fields,
        )
        self._objects[event["id"]] = event
        self.events.append(event)
        self._undelivered.append(event)
        return event

    def _deliver(self) -> None:
        # Outside the lock: the hook may post to the app, which may call back into us.
        with self._lock:
            pending, self._undelivered = self._undelivered, []
        if self.on_event is not None:
            for event in pending:
                self.on_event(event)
