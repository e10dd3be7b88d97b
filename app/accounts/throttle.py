"""Brute-force brakes on the account pages, on top of app.core.ratelimit.

Per client address every attempt counts; per account only failed log-ins count, so an
attacker cannot lock a person out by guessing from many addresses faster than the owner
types. The first time an account's limit is reached in a window its owner is mailed.
"""

from __future__ import annotations

from app.accounts import events
from app.accounts.services import find_user_by_email
from app.core import ratelimit


def _account(email: str | None) -> str:
    return (email or "").strip().lower()


def before_login(email: str | None) -> None:
    """429 when this address or this account has tried too often."""
    ratelimit.hit("RATELIMIT_LOGIN", ratelimit.client_address())
    if not ratelimit.allowed("RATELIMIT_LOGIN_ACCOUNT", _account(email)):
        ratelimit.refuse("RATELIMIT_LOGIN_ACCOUNT", _account(email))


def after_failed_login(email: str | None) -> None:
    """Count the failure against the account; mail its owner when the limit is reached."""
    key = _account(email)
    if not key:
        return
    ratelimit.hit("RATELIMIT_LOGIN_ACCOUNT", key, raise_when_over=False)
    if not ratelimit.allowed("RATELIMIT_LOGIN_ACCOUNT", key):
        user = find_user_by_email(key)
        # Once per window: the mail's dedupe key names the window's end.
        if user is not None and ratelimit.hit("RATELIMIT_LOGIN_ACCOUNT_MAIL", key, raise_when_over=False):
            events.login_throttled.send(user, address=ratelimit.client_address())


def before_register() -> None:
    ratelimit.hit("RATELIMIT_REGISTER", ratelimit.client_address())


def before_reset_request(email: str | None) -> bool:
    """429 past the address limit; False (send nothing, answer the same) past the account's."""
    ratelimit.hit("RATELIMIT_RESET", ratelimit.client_address())
    return ratelimit.hit("RATELIMIT_RESET_ACCOUNT", _account(email), raise_when_over=False)


def before_token(user_id: int) -> None:
    ratelimit.hit("RATELIMIT_TOKEN", f"user:{user_id}")
