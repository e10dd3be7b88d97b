"""The signed links of accounts: e-mail confirmation and password reset. A token carries the
user's id and security stamp, so moving the stamp (a new password, a deactivation) voids
every link already sent. Below `services` and `admin_services`, which both mail links."""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from app.accounts.models import User
from app.core import tenancy
from app.funds import services as funds

PATHS = {"confirm": "/account/confirm/", "reset": "/account/reset/"}


def serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"accounts-{purpose}")


def make_token(purpose: str, user: User) -> str:
    return serializer(purpose).dumps({"u": user.id, "s": user.security_stamp})


def link(purpose: str, user: User) -> str:
    """The public URL that carries a fresh token for `purpose` (confirm or reset)."""
    base = funds.base_url(tenancy.single_fund_id())  # the site the person is on
    return f"{base}{PATHS[purpose]}{make_token(purpose, user)}"
