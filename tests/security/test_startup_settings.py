"""Item 1 of issue 12: the app refuses unsafe secrets, the demo is explicit, pseudonyms
have their own key."""

from __future__ import annotations

import tempfile

import pytest

from app import create_app
from app.config import Config
from app.core.startup_checks import UnsafeSettings

STRONG = "s" * 48
OTHER = "p" * 48


def _production(**overrides) -> Config:
    values = {
        "instance_path": tempfile.mkdtemp(prefix="sf-startup-"),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "TESTING": False,
        "DEMO_MODE": False,
        "REDIS_URL": "",
        "SECRET_KEY": STRONG,
        "PSEUDONYM_KEY": OTHER,
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    values.update(overrides)
    return Config(**values)


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY is a known default"),
        ({"SECRET_KEY": "x" * 31}, "SECRET_KEY is shorter than 32 bytes"),
        ({"PSEUDONYM_KEY": ""}, "PSEUDONYM_KEY is not set"),
        ({"PSEUDONYM_KEY": STRONG}, "PSEUDONYM_KEY must differ from SECRET_KEY"),
        ({"PAYMENT_GATEWAY": ""}, "PAYMENT_GATEWAY must be 'stripe' or 'demo'"),
        ({"PAYMENT_GATEWAY": "demo"}, "only with DEMO_MODE=1"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(overrides, complaint):
    with pytest.raises(UnsafeSettings, match=complaint):
        create_app(_production(**overrides))


def test_a_default_config_from_an_empty_environment_refuses_to_start(monkeypatch):
    for name in (
        "SECRET_KEY",
        "PSEUDONYM_KEY",
        "PAYMENT_GATEWAY",
        "DEMO_MODE",
        "TESTING",
        "STRIPE_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    config = Config(instance_path=tempfile.mkdtemp(prefix="sf-startup-"), SQLALCHEMY_DATABASE_URI="sqlite://")
    with pytest.raises(UnsafeSettings, match="SECRET_KEY is not set"):
        create_app(config)


def test_production_with_strong_keys_starts_without_demo_pages():
    app = create_app(_production())
    client = app.test_client()
    assert client.get("/demo/checkout/cs_demo_x").status_code == 404
    assert client.get("/demo/mails").status_code == 404
    assert "site-demo-banner" not in client.get("/account/login").get_data(as_text=True)


def test_demo_mode_generates_its_keys_once_and_says_so_on_every_page():
    instance = tempfile.mkdtemp(prefix="sf-demo-")
    config = dict(
        instance_path=instance,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        TESTING=False,
        DEMO_MODE=True,
        SECRET_KEY="",
        PSEUDONYM_KEY="",
        PAYMENT_GATEWAY="",
        REDIS_URL="",
    )
    first = create_app(Config(**config))
    second = create_app(Config(**config))
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["PSEUDONYM_KEY"] not in ("", first.config["SECRET_KEY"])
    assert first.config["PAYMENT_GATEWAY"] == "demo"
    page = first.test_client().get("/account/login").get_data(as_text=True)
    assert 'class="site-demo-banner"' in page


def test_pseudonyms_use_their_own_key_not_the_session_key(app):
    from app.transparency.sealing import pseudonym

    one = pseudonym("jan@example.org")
    app.config["SECRET_KEY"], saved = "another session key entirely", app.config["SECRET_KEY"]
    try:
        assert pseudonym("jan@example.org") == one
    finally:
        app.config["SECRET_KEY"] = saved
    app.config["PSEUDONYM_KEY"], saved = "another pseudonym key", app.config["PSEUDONYM_KEY"]
    try:
        assert pseudonym("jan@example.org") != one
    finally:
        app.config["PSEUDONYM_KEY"] = saved
