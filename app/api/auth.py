"""Bearer-token authentication for the API. Session cookies are not accepted here, so the
API needs no CSRF token and a browser session can never be ridden into it."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _

from app.accounts import services as accounts
from app.accounts.models import FUND_ROLES
from app.core import tenancy
from app.core.errors import Forbidden, Unauthorized
from app.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def current_api_user():
    """The user of the Bearer token of this request, or None (cached on g).

    Without `?fund=` (or a fund's host) a person who holds roles in some funds sees those
    funds (app.funds.site); a backer or applicant keeps every fund's public objects."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        g.api_user = accounts.user_for_token(token) if token else None
        if g.api_user is not None and tenancy.current_scope() is None:
            held = g.api_user.fund_ids_for(*FUND_ROLES)
            if held:
                tenancy.set_scope(held)
    return g.api_user


def _narrow_to(user, roles: tuple[str, ...]) -> None:
    """Look only at the funds where `user` holds one of `roles` (403 when none is left):
    a manager of fund A who is auditor of B acts on A's objects and sees B's as 404."""
    held = user.fund_ids_for(*roles)
    if held is None:
        return
    scope = tenancy.current_scope()
    narrowed = set(held) if scope is None else set(scope) & set(held)
    if not narrowed:
        raise Forbidden(_("Je rol laat dit niet toe."))
    tenancy.set_scope(narrowed)


def require_user(*roles: str):
    """Demand a valid token (401) and, when given, one of `roles` (403). The auditor reads
    but every write by an auditor-only user is refused with 403."""

    def decorator(fn):
        @wraps(fn)
        def wrapped(*args, **kwargs):
            user = current_api_user()
            if user is None:
                raise Unauthorized(_("Een geldige API-token is nodig."))
            if request.method in WRITE_METHODS and user.is_auditor_only:
                raise Forbidden(_("De toezichthouder kan lezen maar niets wijzigen."))
            if roles:
                if not user.holds_anywhere(*roles):
                    raise Forbidden(_("Je rol laat dit niet toe."))
                _narrow_to(user, roles)
                if not user.has_role(*roles):
                    raise Forbidden(_("Je rol laat dit niet toe."))
            return fn(*args, **kwargs)

        return wrapped

    return decorator


def commit() -> None:
    """Handlers commit once, at the end, after the service did its work."""
    db.session.commit()
