"""Fixtures and helpers shared by the campaigns and payments tests (star-imported by their
conftest files)."""

from __future__ import annotations

import pytest

from app.campaigns import services
from app.campaigns.models import Campaign
from app.extensions import db
from tests import factories
from tests.fakes.stripe_server import FakeStripe

GOOD_PLEDGE = {"amount_cents": 2500, "email": "Backer@Example.org ", "display_name": "Bea Backer"}


def make_campaign(goal: int = 100_000, open_now: bool = True, the_call=None, **call_values) -> Campaign:
    """A campaign of a selected application (goal = its target), opened unless told not."""
    the_call = the_call or factories.call(**call_values)
    application = factories.application(the_call, status="selected", target_cents=goal)
    campaign = services.create_campaign(application)
    if open_now:
        services.open_campaign(campaign, None)
    return campaign


def pledge(campaign: Campaign, **values):
    """A pending pledge through the configured gateway: (pledge, receipt token)."""
    return services.create_pledge(campaign, {**GOOD_PLEDGE, **values})


def assert_cache_matches_ledger() -> None:
    """The cached raised figure of every campaign equals the one derived from the ledger."""
    assert services.cache_mismatches() == []
    from app.ledger import services as ledger

    assert ledger.unbalanced_transactions() == []


@pytest.fixture
def fake_stripe(app, monkeypatch):
    """The fake Stripe server, and the app configured to use it as its gateway."""
    with FakeStripe() as fake:
        monkeypatch.setitem(app.config, "PAYMENT_GATEWAY", "stripe")
        monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_fake")
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake.url)
        monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", fake.webhook_secret)
        yield fake


def deliver(client, fake, event, timestamp=None):
    """POST the event to our webhook, signed as Stripe signs it."""
    payload, header = fake.signed(event, timestamp)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


@pytest.fixture
def encryption_key(app, monkeypatch):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", key)
    return key


def reload(obj):
    db.session.refresh(obj)
    return obj


def login(client, user) -> None:
    r = client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 302, r.status_code
