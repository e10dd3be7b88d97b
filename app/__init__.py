"""The application factory: config, extensions, domains. Nothing else happens on import."""

from __future__ import annotations

from flask import Flask

from app.accounts import setup as accounts_setup
from app.api import setup as api_setup
from app.banking import setup as banking_setup
from app.calls import setup as calls_setup
from app.campaigns import setup as campaigns_setup
from app.config import Config
from app.core import ports, startup_checks
from app.core import setup as core_setup
from app.demo import setup as demo_setup
from app.funds import setup as funds_setup
from app.jury import setup as jury_setup
from app.ledger import setup as ledger_setup
from app.matching import setup as matching_setup
from app.notifications import setup as notifications_setup
from app.payments import setup as payments_setup
from app.payouts import setup as payouts_setup
from app.privacy import setup as privacy_setup
from app.transparency import setup as transparency_setup

# The domains, in layer order, lowest first (pyproject.toml checks the imports).
DOMAINS = (
    "core",
    "funds",
    "ledger",
    "accounts",
    "calls",
    "jury",
    "payments",
    "campaigns",
    "matching",
    "payouts",
    "banking",
    "notifications",
    "transparency",
    "privacy",
    "api",
    "demo",
)
# Each registers its blueprints, CLI groups, signal receivers and the ports it provides in
# `setup.register(app)`; create_app calls them in the order above.
SETUPS = (
    core_setup,
    funds_setup,
    ledger_setup,
    accounts_setup,
    calls_setup,
    jury_setup,
    payments_setup,
    campaigns_setup,
    matching_setup,
    payouts_setup,
    banking_setup,
    notifications_setup,
    transparency_setup,
    privacy_setup,
    api_setup,
    demo_setup,
)


def create_app(config: Config | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    if isinstance(config, dict):
        config = Config(**config)
    config = config or Config()
    app.config.from_mapping(config.as_dict())
    app.instance_path = app.config["INSTANCE_PATH"]
    startup_checks.apply(app)

    core_setup.init_extensions(app)
    for setup in SETUPS:
        setup.register(app)
    ports.check_all_provided(app)  # a lower layer's port without its provider fails here
    return app
