from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core import tenancy
from app.core.setup import add_nav
from app.funds import cli, services, site, views


def _template_globals():
    return {"fund": site.current(), "fund_count": len(services.directory().by_id)}


def register(app: Flask) -> None:
    tenancy.install()
    tenancy.provide_directory(services.default_fund_id, lambda: list(services.directory().by_id))
    app.wsgi_app = site.FundPrefix(app.wsgi_app)
    # First of the request hooks that read fund-owned rows: the scope is set before them.
    app.before_request_funcs.setdefault(None, []).insert(0, site.resolve)
    app.teardown_request(lambda _exc: site.end())
    app.context_processor(_template_globals)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.funds_cli)
    add_nav(app, "funds.admin_list", _l("Fondsen"), ("admin",))
