"""Binds flask-smorest and registers every domain's API blueprint under /api/v1."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api

from app.api import (
    applications,
    banking,
    calls,
    campaign_admin,
    campaigns,
    fund_admin,
    funds,
    jury,
    ledger,
    matching,
    municipalities,
    notifications,
    oversight,
    owner,
    payouts,
    pledges,
    privacy,
    sponsor_contacts,
    transparency,
    users,
)
from app.extensions import csrf

# Modules of app.api holding a `blp` each, registered in this order.
API_MODULES = (
    calls,
    applications,
    jury,
    campaigns,
    pledges,
    matching,
    ledger,
    transparency,
    notifications,
    payouts,
    banking,
    # issue 15: every manager action in the API
    campaign_admin,
    owner,
    fund_admin,
    oversight,
    users,
    municipalities,
    sponsor_contacts,
    privacy,
    # issue 14: the funds
    funds,
)


class StreekfondsApi(Api):
    """flask-smorest, minus its own error handler: app.core.setup renders every error in the
    `{"error": {code, message, details}}` shape, for the API and the webhooks alike."""

    def _register_error_handlers(self):
        return None


def _schema_name(schema) -> str | None:
    """Partial or trimmed variants are inlined, so each named schema appears once."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    if not isinstance(schema, type) and (schema.partial or schema.only or schema.exclude):
        return None
    name = resolve_schema_cls(schema).__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


api = StreekfondsApi(spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name)})


def register(app: Flask) -> None:
    api.init_app(app)
    for module in API_MODULES:
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
