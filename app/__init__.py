"""The application factory: config, extensions, domains. Nothing else happens on import."""

from __future__ import annotations

from flask import Flask

from app.config import Config

# Each domain package registers its blueprints, CLI groups and signal receivers in a
# `register(app)` function of its `setup` module; create_app calls them in this order.
DOMAINS = (
    "core",
    "ledger",
    "accounts",
    "calls",
    "jury",
    "payments",
    "campaigns",
    "matching",
    "payouts",
    "notifications",
    "transparency",
    "api",
    "demo",
)


def create_app(config: Config | dict | None = None) -> Flask:
    import importlib

    app = Flask(__name__, instance_relative_config=False)
    if isinstance(config, dict):
        config = Config(**config)
    config = config or Config()
    app.config.from_mapping(config.as_dict())
    app.instance_path = app.config["INSTANCE_PATH"]

    from app.core import setup as core_setup

    core_setup.init_extensions(app)
    for name in DOMAINS:
        try:
            module = importlib.import_module(f"app.{name}.setup")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{name}.setup":
                raise
            continue
        module.register(app)
    return app
