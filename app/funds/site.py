"""Whose site a request is on, and which funds' rows it may read.

A fund's site is reached by one of its host names (at `/`) or under `/f/<slug>/` on the
platform's own host; the prefix becomes part of the script root, so every `url_for` of
that request stays on the fund's site. Unprefixed paths on the platform's host belong to
the default fund (so a one-fund installation works as before); only its `/` lists the
funds when there are several.

The scope (app.core.tenancy): a page sees its site's fund. The API sees the fund of
`?fund=` or of its host; without either, a person who holds fund roles sees the funds they
hold them in, and everybody else every fund's public objects (each route still checks
roles and ownership; app.api.auth narrows the scope to the funds where the required role is
held). Webhooks see every fund: Stripe does not know our funds.
"""

from __future__ import annotations

import re

from flask import abort, g, has_request_context, request
from flask_babel import gettext as _

from app.core import tenancy
from app.core.errors import NotFound
from app.funds import services
from app.funds.services import FundSite

PREFIX = re.compile(r"^/f/([a-z0-9][a-z0-9-]{1,38}[a-z0-9])(/.*)?$")
ENVIRON_KEY = "streekfonds.fund_slug"


class FundPrefix:
    """WSGI middleware: `/f/<slug>/rest` is `rest` with `/f/<slug>` in the script root."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        match = PREFIX.match(environ.get("PATH_INFO", ""))
        if match:
            environ[ENVIRON_KEY] = match.group(1)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/f/{match.group(1)}"
            environ["PATH_INFO"] = match.group(2) or "/"
        return self.wsgi_app(environ, start_response)


def current() -> FundSite:
    """The fund whose site this request is on (the default fund outside a request)."""
    site = g.get("fund") if has_request_context() else None
    return site or services.default_fund()


def on_platform_host() -> bool:
    """True when neither a host name nor a /f/ prefix named the fund."""
    return bool(g.get("fund_is_platform", True))


def resolve() -> None:
    """before_request: find the site's fund and set the request's scope."""
    slug = request.environ.get(ENVIRON_KEY)
    site = services.directory().by_slug.get(slug) if slug else services.by_host(request.host)
    if slug and site is None:
        abort(404)
    g.fund_is_platform = site is None
    g.fund = site or services.default_fund()
    path = request.path
    if path.startswith("/api/"):
        wanted = request.args.get("fund") or _body_fund()
        if wanted:
            chosen = services.directory().by_slug.get(wanted.strip().lower())
            if chosen is None:
                raise NotFound(_("Fonds niet gevonden."), code="fund_not_found")
            tenancy.set_scope({chosen.id})
            g.fund = chosen
        elif not g.fund_is_platform:
            tenancy.set_scope({g.fund.id})
        else:
            tenancy.set_scope(None)
        return
    if path.startswith("/webhooks"):
        tenancy.set_scope(None)
        return
    tenancy.set_scope({g.fund.id} if g.fund.id is not None else None)


def _body_fund() -> str | None:
    """A JSON body's `fund` (creating a call or a sponsor names its fund that way)."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return None
    body = request.get_json(silent=True)
    value = body.get("fund") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def end() -> None:
    """teardown: a request leaves no scope behind for the next code on this thread."""
    tenancy.set_scope(None)
