"""Every gateway keeps the promises of app.payments.protocol.Gateway: the same cases run
against each one (the demo gateway, and Stripe through the fake Stripe server over HTTP).
A new gateway adds its harness to HARNESSES (docs/payments.md)."""

from __future__ import annotations

import inspect
import itertools

import pytest

from app.core.errors import ValidationFailed
from app.extensions import db
from app.payments import demo
from app.payments.gateways import GATEWAYS, get_gateway
from app.payments.protocol import BadSignature, CheckoutRequest, Gateway, PaymentState, PaymentUpdate
from tests.fakes.stripe_server import FakeStripe

_pledge_ids = itertools.count(900_001)


class DemoHarness:
    """Drives the demo gateway as its checkout page's buttons would."""

    name = "demo"

    def __init__(self, app, monkeypatch):
        monkeypatch.setitem(app.config, "PAYMENT_GATEWAY", "demo")

    def pay(self, session_id: str) -> dict:
        p = demo.demo_payment(session_id)
        p.status = "complete"
        db.session.flush()
        return demo.event("checkout.session.completed", demo.session_object(p))

    def signed(self, event: dict) -> tuple[bytes, dict]:
        return b"{}", {}  # the demo's events never travel over HTTP: none is authentic


class StripeHarness:
    """Drives the fake Stripe server as the customer and Stripe would."""

    name = "stripe"

    def __init__(self, app, monkeypatch):
        self.fake = FakeStripe().start()
        monkeypatch.setitem(app.config, "PAYMENT_GATEWAY", "stripe")
        monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_fake")
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", self.fake.url)
        monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", self.fake.webhook_secret)

    def pay(self, session_id: str) -> dict:
        return self.fake.complete_checkout(session_id)

    def signed(self, event: dict) -> tuple[bytes, dict]:
        payload, header = self.fake.signed(event)
        return payload, {"Stripe-Signature": header}

    def stop(self):
        self.fake.stop()


HARNESSES = {"demo": DemoHarness, "stripe": StripeHarness}


def test_every_configured_gateway_has_a_harness():
    assert set(HARNESSES) == set(GATEWAYS)


@pytest.fixture(params=sorted(HARNESSES))
def harness(request, app, monkeypatch):
    h = HARNESSES[request.param](app, monkeypatch)
    yield h
    if hasattr(h, "stop"):
        h.stop()


def _checkout(gateway: Gateway, amount: int = 2_500):
    pledge_id = next(_pledge_ids)
    request = CheckoutRequest(
        pledge_id=pledge_id,
        campaign_id=7,
        amount_cents=amount,
        email="backer@example.org",
        description="Steun voor het buurtproject",
        success_url="http://localhost/ok",
        cancel_url="http://localhost/cancel",
    )
    return pledge_id, request, gateway.create_checkout(request)


def test_the_gateway_implements_the_protocol(harness):
    gateway = get_gateway(harness.name)
    assert isinstance(gateway, Gateway)
    assert gateway.name == harness.name
    # Every method of the protocol, with the same parameters (names, kinds and defaults).
    for name, promised in vars(Gateway).items():
        if name.startswith("_") or not callable(promised):
            continue
        given = inspect.signature(getattr(type(gateway), name))
        expected = inspect.signature(promised)
        assert [(p.name, p.kind, p.default) for p in given.parameters.values()] == [
            (p.name, p.kind, p.default) for p in expected.parameters.values()
        ], name


def test_a_checkout_is_created_once_per_pledge_and_starts_open(harness):
    gateway = get_gateway(harness.name)
    pledge_id, request, checkout = _checkout(gateway)
    assert checkout.session_id and checkout.url.startswith("http")
    assert gateway.create_checkout(request).session_id == checkout.session_id
    state = gateway.payment_state(session_id=checkout.session_id)
    assert isinstance(state, PaymentState)
    assert (state.status, state.amount_cents, state.currency, state.pledge_id) == (
        "open",
        2_500,
        "eur",
        pledge_id,
    )
    assert state.amount_refunded_cents == 0 and state.disputed is False


def test_a_paid_checkout_reads_as_succeeded_in_our_terms(harness):
    gateway = get_gateway(harness.name)
    pledge_id, _request, checkout = _checkout(gateway)
    event = harness.pay(checkout.session_id)
    update = gateway.read_event(event)
    assert isinstance(update, PaymentUpdate)
    assert (update.kind, update.gateway, update.pledge_id) == ("succeeded", harness.name, pledge_id)
    assert (update.amount_cents, update.currency, update.session_id) == (2_500, "eur", checkout.session_id)
    assert update.event_id == event["id"] and update.payload == event
    by_session = gateway.payment_state(session_id=checkout.session_id)
    assert by_session.status == "succeeded" and by_session.payment_intent_id and by_session.charge_id
    by_intent = gateway.payment_state(payment_intent_id=by_session.payment_intent_id)
    by_charge = gateway.payment_state(charge_id=by_session.charge_id)
    for state in (by_intent, by_charge):
        assert (state.status, state.amount_cents, state.pledge_id) == ("succeeded", 2_500, pledge_id)


def test_a_refund_is_made_once_per_refund_id(harness):
    gateway = get_gateway(harness.name)
    _pledge_id, _request, checkout = _checkout(gateway)
    harness.pay(checkout.session_id)
    intent = gateway.payment_state(session_id=checkout.session_id).payment_intent_id
    first = gateway.refund(intent, 1_000, 31)
    assert gateway.refund(intent, 1_000, 31) == first
    gateway.refund(intent, 500, 32)
    assert gateway.payment_state(payment_intent_id=intent).amount_refunded_cents == 1_500


def test_an_open_checkout_can_be_expired(harness):
    gateway = get_gateway(harness.name)
    pledge_id, _request, checkout = _checkout(gateway)
    gateway.expire_checkout(checkout.session_id, pledge_id)
    assert gateway.payment_state(session_id=checkout.session_id).status == "expired"


def test_no_id_no_state_and_an_unknown_event_type_is_ignored(harness):
    gateway = get_gateway(harness.name)
    assert gateway.payment_state() is None
    update = gateway.read_event(
        {"id": "evt_x", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    )
    assert update.kind == "ignored" and update.reason and update.pledge_id is None


def test_a_body_that_is_no_event_is_refused(harness):
    gateway = get_gateway(harness.name)
    with pytest.raises(ValidationFailed):
        gateway.read_event({"type": "checkout.session.completed"})


def test_an_unauthentic_delivery_is_refused(harness):
    gateway = get_gateway(harness.name)
    _pledge_id, _request, checkout = _checkout(gateway)
    event = harness.pay(checkout.session_id)
    payload, headers = harness.signed(event)
    tampered = payload.replace(b"2500", b"2600") if payload != b"{}" else payload
    with pytest.raises(BadSignature):
        gateway.parse_event(tampered, headers)
    if harness.name == "stripe":
        assert gateway.parse_event(payload, headers).kind == "succeeded"  # the authentic one reads
