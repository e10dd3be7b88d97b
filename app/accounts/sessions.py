"""Log-in sessions the server knows about, with idle and absolute timeouts.

Flask-Login keeps `id:stamp:key` in the signed session cookie (and, with remember-me, in
the remember cookie). The key names a LoginSession row; logging out ends that row, so a
copy of the cookie taken before is refused afterwards. A password change bumps the stamp
and so ends every session at once.

Timeouts: a session without a request for SESSION_IDLE_MINUTES (SESSION_IDLE_MINUTES_STAFF
for staff roles) or older than SESSION_ABSOLUTE_HOURS ends. The times travel in the signed
session cookie: a client can replay an older cookie, never make a fresher one. A
remember-me log-in (never for staff) lasts REMEMBER_COOKIE_DURATION instead.

Session time is the wall clock (`wall_now`), not app.core.clock: the demo and the tests move
the app's clock by days to walk a call's calendar, and nobody should be logged out by that.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from app.accounts.models import STAFF_ROLES, LoginSession, User
from app.extensions import db

STARTED, SEEN = "_sf_started", "_sf_seen"


def wall_now() -> datetime:
    return datetime.now(UTC)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_staff(user: User) -> bool:
    return user.has_role(*STAFF_ROLES)


def sign_in(user: User, remember: bool = False) -> None:
    """Log `user` in with a new server-side session (remember-me refused for staff)."""
    remember = bool(remember) and not is_staff(user)
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(user_id=user.id, key_hash=_hash(key), remember=remember, created_at=wall_now())
    )
    db.session.flush()
    login_user(user, remember=remember)
    # Flask-Login writes this value into the session and the remember cookie.
    session["_user_id"] = f"{user.id}:{user.security_stamp}:{key}"
    now = wall_now().timestamp()
    session[STARTED], session[SEEN] = now, now


def sign_out() -> None:
    """End this session on the server, then in the browser."""
    row = _row(session.get("_user_id") or "")
    if row is not None and row.ended_at is None:
        row.ended_at = wall_now()
    logout_user()
    session.pop(STARTED, None)
    session.pop(SEEN, None)


def end_all(user: User) -> None:
    """End every session of the user (password change or reset, erasure)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=wall_now())
    )


def _parse(value: str) -> tuple[int, int, str] | None:
    try:
        uid, stamp, key = value.split(":", 2)
        return int(uid), int(stamp), key
    except ValueError:
        return None


def _row(value: str) -> LoginSession | None:
    parsed = _parse(value)
    if parsed is None:
        return None
    row = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == _hash(parsed[2])))
    return row if row is not None and row.user_id == parsed[0] else None


def _expired(user: User, row: LoginSession) -> bool:
    cfg = current_app.config
    now = wall_now()
    if row.remember:
        return now - row.created_at > cfg["REMEMBER_COOKIE_DURATION"]
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        return True  # a cookie from before server-side sessions, or a forged one
    idle = cfg["SESSION_IDLE_MINUTES_STAFF"] if is_staff(user) else cfg["SESSION_IDLE_MINUTES"]
    too_old = now.timestamp() - started > timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]).total_seconds()
    too_idle = now.timestamp() - seen > idle * 60
    return too_old or too_idle


def load(value: str) -> User | None:
    """Flask-Login's user loader: the user of a live, unexpired session, else None."""
    parsed = _parse(value)
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    if user is None or user.security_stamp != parsed[1] or user.erased_at is not None or not user.active:
        return None  # a deactivated user's sessions stop at once
    row = _row(value)
    if row is None or row.ended_at is not None or _expired(user, row):
        return None
    session[SEEN] = wall_now().timestamp()
    return user
