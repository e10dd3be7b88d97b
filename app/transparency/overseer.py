"""The overseer changes nothing: one guard for every write of the whole app.

Pages and API handlers check roles themselves (`roles_required`, `require_user`), but a page
that any logged-in user may use (apply to a call, edit "my" campaign) would let an auditor
write as a citizen. This guard refuses every write by an auditor-only user, page or API,
before any view runs, except on their own account. Routes added later are covered too;
tests/transparency/test_auditor_walk.py walks every route to prove it.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_login import current_user

from app.accounts import services as accounts

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The auditor's own account: log in and out, profile and password, API tokens, language.
OWN_ACCOUNT_ENDPOINTS = frozenset(
    {"accounts.login", "accounts.logout", "accounts.profile", "accounts.revoke_token", "core.set_language"}
)


def _writer():
    """The user making this request: the API's Bearer token, or the page's session."""
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return accounts.user_for_token(token) if token else None
    return current_user if current_user.is_authenticated else None


def refuse_overseer_writes():
    if request.method not in WRITE_METHODS or request.endpoint in OWN_ACCOUNT_ENDPOINTS:
        return None
    user = _writer()
    if user is not None and user.is_auditor_only:
        abort(403)
    return None


def install(app: Flask) -> None:
    app.before_request(refuse_overseer_writes)
