"""The fake Stripe server, driven by the real ``stripe`` library (no mocks).

If these pass, the library accepts the fake's answers, its events verify like Stripe's,
and the fake keeps Stripe's rules on idempotency, refunds, expiry and disputes.
"""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import stripe

from .stripe_server import FakeStripe, FakeStripeError, sign_payload

KEY = "sk_test_fake"


@pytest.fixture
def fake():
    with FakeStripe() as server:
        yield server


@pytest.fixture
def client(fake):
    return stripe.StripeClient(KEY, base_addresses={"api": fake.url})


def session_params(**overrides):
    params = {
        "mode": "payment",
        "success_url": "https://app.test/pledges/7/thanks?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://app.test/pledges/7",
        "customer_email": "donor@example.org",
        "allowed_payment_method_types": ["bancontact", "card"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {"currency": "eur", "unit_amount": 2500, "product_data": {"name": "Pledge"}},
            },
            {
                "quantity": 2,
                "price_data": {"currency": "eur", "unit_amount": 250, "product_data": {"name": "Tip"}},
            },
        ],
        "metadata": {"pledge_id": "7", "campaign_id": "3"},
        "payment_intent_data": {"metadata": {"pledge_id": "7"}},
    }
    params.update(overrides)
    return params


def paid_session(client, fake, **overrides):
    session = client.v1.checkout.sessions.create(params=session_params(**overrides))
    fake.complete_checkout(session.id)
    return client.v1.checkout.sessions.retrieve(session.id)


def raw(fake, method, path, body="", headers=None):
    """One plain HTTP request (no library, no redirects): (status, headers, body)."""
    connection = http.client.HTTPConnection(urlsplit(fake.url).netloc, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return answer


def test_signature_is_accepted_by_stripe_and_checked_for_age_and_secret(fake):
    payload, header = fake.signed({"id": "evt_1", "object": "event", "type": "ping", "data": {"object": {}}})
    assert stripe.Webhook.construct_event(payload, header, fake.webhook_secret).id == "evt_1"
    assert header == sign_payload(payload, fake.webhook_secret, int(header[2:].split(",")[0]))
    stale = sign_payload(payload, fake.webhook_secret, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(payload, stale, fake.webhook_secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other")


# -- checkout sessions -----------------------------------------------------------------


def test_create_and_retrieve_a_checkout_session(client, fake):
    session = client.v1.checkout.sessions.create(params=session_params())
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (3000, "eur")
    assert session.url == f"{fake.url}/pay/{session.id}"
    assert session.payment_method_types == ["bancontact", "card"]
    assert session.metadata.to_dict() == {"pledge_id": "7", "campaign_id": "3"}
    assert session.customer_email == "donor@example.org"
    assert session.success_url.endswith("{CHECKOUT_SESSION_ID}")
    assert 0 < session.expires_at - time.time() <= 24 * 3600

    again = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert again.payment_intent.id == session.payment_intent
    assert again.payment_intent.metadata.to_dict() == {"pledge_id": "7"}
    assert (again.payment_intent.amount, again.payment_intent.status) == (3000, "requires_payment_method")
    method, path, headers, params = fake.requests[0]
    assert (method, path, headers["Authorization"]) == ("POST", "/v1/checkout/sessions", f"Bearer {KEY}")
    assert params["line_items"][1]["price_data"]["unit_amount"] == "250"
    assert [len(fake.created[kind]) for kind in ("checkout.session", "payment_intent")] == [1, 1]


def test_the_module_level_api_works_through_api_base(fake, monkeypatch):
    monkeypatch.setattr(stripe, "api_key", KEY)
    monkeypatch.setattr(stripe, "api_base", fake.url)
    session = stripe.checkout.Session.create(**session_params())
    assert stripe.checkout.Session.retrieve(session.id).amount_total == 3000


def test_payment_method_types_follow_the_api_version(client):
    # The installed library pins 2026-10-28.endive, which no longer takes this param.
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=session_params(payment_method_types=["bancontact", "card"]))
    assert refused.value.param == "payment_method_types"
    old = {"stripe_version": "2025-06-30.basil"}
    session = client.v1.checkout.sessions.create(
        params=session_params(payment_method_types=["bancontact"]), options=old
    )
    assert session.payment_method_types == ["bancontact"]
    dollars = session_params(
        line_items=[
            {
                "quantity": 1,
                "price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "x"}},
            }
        ]
    )
    # allowed_payment_method_types filters what cannot take the currency...
    assert client.v1.checkout.sessions.create(params=dollars).payment_method_types == ["card"]
    # ...while an explicit list is refused for it.
    del dollars["allowed_payment_method_types"]
    dollars["payment_method_types"] = ["bancontact"]
    with pytest.raises(stripe.InvalidRequestError, match="currency"):
        client.v1.checkout.sessions.create(params=dollars, options=old)


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"line_items": None}, "line_items"),
        ({"success_url": None}, "success_url"),
        ({"metadata": {"pledge_id": "x" * 501}}, "metadata[pledge_id]"),
        ({"expires_at": 1}, "expires_at"),
    ],
)
def test_invalid_sessions_are_refused(client, fake, overrides, param):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=session_params(**overrides))
    assert (refused.value.http_status, refused.value.param) == (400, param)
    assert not fake.created["checkout.session"]


def test_payment_intent_can_appear_only_when_paying(fake):
    fake.eager_payment_intent = False
    client = stripe.StripeClient(KEY, base_addresses={"api": fake.url})
    session = client.v1.checkout.sessions.create(params=session_params())
    assert session.payment_intent is None
    fake.complete_checkout(session.id)
    pi = client.v1.payment_intents.retrieve(client.v1.checkout.sessions.retrieve(session.id).payment_intent)
    assert (pi.status, pi.metadata.to_dict()) == ("succeeded", {"pledge_id": "7"})


def test_completing_a_checkout_pays_and_sends_a_verifiable_event(client, fake):
    session = client.v1.checkout.sessions.create(params=session_params())
    event = fake.complete_checkout(session.id)
    payload, header = fake.signed(event)
    received = stripe.Webhook.construct_event(payload, header, fake.webhook_secret)
    assert received.type == "checkout.session.completed" and received.id.startswith("evt_")
    assert received.livemode is False and received.api_version == "2026-10-28.endive"
    assert received.data.object.id == session.id
    assert received.data.object.payment_status == "paid"
    assert fake.events == [event]
    assert client.v1.events.retrieve(event["id"]).type == "checkout.session.completed"

    pi = client.v1.payment_intents.retrieve(session.payment_intent)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (pi.status, pi.amount_received) == ("succeeded", 3000)
    assert (charge.amount, charge.payment_intent, charge.paid) == (3000, pi.id, True)
    assert charge.payment_method_details.type == "bancontact"
    assert charge.metadata.to_dict() == {"pledge_id": "7"}
    assert charge.billing_details.email == "donor@example.org"
    with pytest.raises(FakeStripeError):
        fake.complete_checkout(session.id)  # a session is paid once


def test_delayed_payments_settle_or_bounce(client, fake):
    first = client.v1.checkout.sessions.create(params=session_params())
    completed = fake.complete_checkout(first.id, async_payment=True)
    assert (completed["data"]["object"]["status"], completed["data"]["object"]["payment_status"]) == (
        "complete",
        "unpaid",
    )
    settled = fake.async_payment_succeeded(first.id)
    assert settled["type"] == "checkout.session.async_payment_succeeded"
    assert settled["data"]["object"]["payment_status"] == "paid"
    assert client.v1.payment_intents.retrieve(first.payment_intent).status == "succeeded"

    second = client.v1.checkout.sessions.create(params=session_params())
    fake.complete_checkout(second.id, async_payment=True, payment_method="card")
    bounced = fake.async_payment_failed(second.id)
    assert bounced["type"] == "checkout.session.async_payment_failed"
    assert bounced["data"]["object"]["payment_status"] == "unpaid"
    pi = client.v1.payment_intents.retrieve(second.payment_intent, params={"expand": ["latest_charge"]})
    assert (pi.status, pi.latest_charge.status) == ("requires_payment_method", "failed")
    with pytest.raises(FakeStripeError):
        fake.async_payment_succeeded(second.id)


def test_sessions_expire_once(client, fake):
    session = client.v1.checkout.sessions.create(params=session_params())
    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    assert fake.events[-1]["type"] == "checkout.session.expired"
    assert client.v1.payment_intents.retrieve(session.payment_intent).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(FakeStripeError):
        fake.complete_checkout(session.id)
    other = client.v1.checkout.sessions.create(params=session_params())
    event = fake.expire_checkout(other.id)
    assert (event["type"], event["data"]["object"]["status"]) == ("checkout.session.expired", "expired")


# -- refunds and disputes --------------------------------------------------------------


def test_partial_refunds_are_idempotent_and_bounded(client, fake):
    session = paid_session(client, fake)
    first = client.v1.refunds.create(
        params={"payment_intent": session.payment_intent, "amount": 1000}, options={"idempotency_key": "r1"}
    )
    retried = client.v1.refunds.create(
        params={"payment_intent": session.payment_intent, "amount": 1000}, options={"idempotency_key": "r1"}
    )
    second = client.v1.refunds.create(
        params={"charge": first.charge, "amount": 500}, options={"idempotency_key": "r2"}
    )
    assert retried.id == first.id != second.id
    assert len(fake.created["refund"]) == 2
    assert [e["request"]["idempotency_key"] for e in fake.events if e["type"] == "charge.refunded"] == [
        "r1",
        "r2",
    ]

    charge = client.v1.charges.retrieve(first.charge)
    assert (charge.amount_refunded, charge.refunded) == (1500, False)
    assert [r.id for r in charge.refunds.data] == [second.id, first.id]
    assert client.v1.refunds.retrieve(first.id).amount == 1000

    with pytest.raises(stripe.IdempotencyError):  # same key, other request
        client.v1.refunds.create(
            params={"charge": first.charge, "amount": 1}, options={"idempotency_key": "r1"}
        )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"charge": first.charge, "amount": 1501})
    assert (too_much.value.http_status, too_much.value.code) == (400, "amount_too_large")
    rest = client.v1.refunds.create(params={"charge": first.charge})
    assert rest.amount == 1500
    assert fake.events[-1]["data"]["object"]["refunded"] is True
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"charge": first.charge, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    assert len(fake.created["refund"]) == 3


def test_an_unpaid_session_cannot_be_refunded(client):
    session = client.v1.checkout.sessions.create(params=session_params())
    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create(params={"payment_intent": session.payment_intent})


def test_dispute_flow(client, fake):
    session = paid_session(client, fake)
    charge_id = client.v1.payment_intents.retrieve(session.payment_intent).latest_charge
    created = fake.dispute(charge_id)
    dispute = created["data"]["object"]
    assert (created["type"], dispute["status"], dispute["amount"]) == (
        "charge.dispute.created",
        "needs_response",
        3000,
    )
    assert client.v1.charges.retrieve(charge_id).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"charge": charge_id})
    assert refused.value.code == "charge_disputed"
    closed = fake.close_dispute(dispute["id"], won=False)
    assert (closed["type"], closed["data"]["object"]["status"]) == ("charge.dispute.closed", "lost")
    payload, header = fake.signed(closed)
    assert (
        stripe.Webhook.construct_event(payload, header, fake.webhook_secret).data.object.id == dispute["id"]
    )
    with pytest.raises(FakeStripeError):
        fake.close_dispute(dispute["id"], won=True)

    other = paid_session(client, fake)
    other_charge = client.v1.payment_intents.retrieve(other.payment_intent).latest_charge
    won = fake.close_dispute(fake.dispute(other_charge)["data"]["object"]["id"], won=True)
    assert won["data"]["object"]["status"] == "won"


# -- errors, concurrency, the pay page -------------------------------------------------


@pytest.mark.parametrize("key", ["", "sk_live_real", "pk_test_fake", "sk_test"])
def test_bad_api_keys_are_refused(fake, key):
    client = stripe.StripeClient(key, base_addresses={"api": fake.url})
    with pytest.raises(stripe.AuthenticationError):
        client.v1.checkout.sessions.create(params=session_params())
    assert not fake.created


def test_errors_have_stripes_shape(fake, client):
    status, _, body = raw(fake, "GET", "/v1/checkout/sessions/cs_test_x")
    assert status == 401 and "API key" in json.loads(body)["error"]["message"]
    auth = {"Authorization": f"Bearer {KEY}"}
    status, headers, body = raw(fake, "GET", "/v1/customers/cus_1", headers=auth)
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["type"] == "invalid_request_error"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.charges.retrieve("ch_missing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    assert fake.errors == []


def test_fifty_threads_at_once(client, fake):
    session = paid_session(client, fake)  # 3000 cents
    charge = client.v1.payment_intents.retrieve(session.payment_intent).latest_charge

    def refund(index, key=None):
        try:
            return client.v1.refunds.create(
                params={"charge": charge, "amount": 100}, options={"idempotency_key": key or f"k{index}"}
            ).id
        except stripe.InvalidRequestError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=50) as pool:
        same_key = list(pool.map(lambda i: refund(i, "one-key"), range(50)))
        many_keys = list(pool.map(refund, range(50)))
        sessions = list(
            pool.map(lambda _: client.v1.checkout.sessions.create(params=session_params()).id, range(50))
        )
    assert len(set(same_key)) == 1
    assert sum(r.startswith("re_") for r in many_keys) == 29  # 2900 cents were left
    assert set(r for r in many_keys if not r.startswith("re_")) <= {
        "amount_too_large",
        "charge_already_refunded",
    }
    assert len(fake.created["refund"]) == 30
    assert fake.get(charge)["amount_refunded"] == 3000
    assert len(set(sessions)) == 50 and fake.errors == []


def test_the_hosted_page_pays_and_redirects(client, fake):
    delivered = []
    fake.on_event = delivered.append
    session = client.v1.checkout.sessions.create(params=session_params())
    path = urlsplit(session.url).path
    status, _, page = raw(fake, "GET", path)
    assert status == 200 and b"30.00 EUR" in page
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = raw(fake, "POST", path, "action=pay", form)
    assert status == 303
    assert headers["Location"] == f"https://app.test/pledges/7/thanks?session={session.id}"
    assert [e["type"] for e in delivered] == ["checkout.session.completed"]
    assert raw(fake, "POST", path, "action=cancel", form)[1]["Location"] == session.cancel_url


def test_stop_frees_the_port():
    server = FakeStripe().start()
    url = server.url
    server.stop()
    server.stop()  # harmless twice
    with pytest.raises(stripe.APIConnectionError):
        stripe.StripeClient(KEY, base_addresses={"api": url}, max_network_retries=0).v1.charges.retrieve(
            "ch_1"
        )


# The fields of each kind that app/payments reads (besides id and object).
FIELDS_WE_READ = {
    "checkout.session": {
        "url",
        "payment_intent",
        "payment_status",
        "status",
        "amount_total",
        "currency",
        "metadata",
    },
    "payment_intent": {"status", "amount", "currency", "metadata", "latest_charge"},
    "charge": {"status", "amount", "currency", "amount_refunded", "payment_intent", "refunds", "metadata"},
    "refund": {"amount", "charge", "payment_intent", "metadata", "status"},
    "dispute": {"status", "amount", "charge", "payment_intent"},
    "event": {"type", "data", "created", "api_version"},
}
STRIPE_CLASSES = {
    "checkout.session": stripe.checkout.Session,
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "dispute": stripe.Dispute,
    "event": stripe.Event,
}


def test_every_object_served_parses_with_the_stripe_library_and_has_our_fields(client, fake):
    session = paid_session(client, fake)
    pi = client.v1.payment_intents.retrieve(session.payment_intent, params={"expand": ["latest_charge"]})
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 100})
    fake.dispute(pi.latest_charge.id)
    other = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(other.id)

    served = {kind: list(objs) for kind, objs in fake.created.items()}
    served["event"] = fake.events
    assert set(served) == set(STRIPE_CLASSES)
    for kind, objects in served.items():
        for obj in objects:
            parsed = STRIPE_CLASSES[kind].construct_from(json.loads(json.dumps(obj)), KEY)
            assert isinstance(parsed, STRIPE_CLASSES[kind])
            assert parsed.id == obj["id"] and parsed.object == kind
            missing = {f for f in FIELDS_WE_READ[kind] if f not in parsed}
            assert not missing, f"{kind} {obj['id']} lacks {sorted(missing)}"
    # A webhook event's object is typed by the library like the one it snapshots.
    event = stripe.Event.construct_from(json.loads(json.dumps(fake.events[0])), KEY)
    assert isinstance(event.data.object, stripe.checkout.Session)
    # What the library fetched over HTTP is typed the same way.
    assert isinstance(pi, stripe.PaymentIntent) and isinstance(pi.latest_charge, stripe.Charge)


def test_the_fake_refuses_fields_stripe_objects_do_not_have():
    from . import stripe_objects

    with pytest.raises(KeyError, match="invented_field"):
        stripe_objects.build("charge", invented_field=1)
