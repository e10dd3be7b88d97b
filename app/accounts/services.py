"""Accounts: registration, login, confirmation, password reset, roles and API tokens.

User administration (roles, deactivation) lives in `admin_services`, signed links in
`tokens`; both are re-exported here. Passwords are hashed with argon2; tokens and e-mail
links are signed or hashed, never stored in the clear.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, g
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import func, select

from app.accounts import events, passwords, sessions
from app.accounts.admin_services import (  # noqa: F401 - the admin's services, re-exported
    ADMINS,
    deactivate,
    grant_role,
    reactivate,
    require_admin,
    resend_invitation,
    revoke_role,
    set_roles,
    user_or_404,
    users_query,
)
from app.accounts.grants import fund_ids_for_grant, role_rows  # noqa: F401 - re-exported
from app.accounts.models import ROLES, ApiToken, User
from app.accounts.tokens import link, make_token, serializer  # noqa: F401 - make_token for links
from app.core import clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db

_hashers: dict[tuple, tuple[PasswordHasher, str]] = {}
MIN_PASSWORD = 10
CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
# last_used_at is written at most once a minute per token, not on every request.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    """Lower-case, trimmed, syntactically valid e-mail; ValidationFailed otherwise."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(
            _("Geen geldig e-mailadres."), details={"email": [_("Geen geldig e-mailadres.")]}
        ) from exc


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        msg = _("Een wachtwoord heeft minstens %(n)d tekens.", n=MIN_PASSWORD)
        raise ValidationFailed(msg, details={"password": [msg]})
    return _hasher().hash(password)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def create_user(
    email: str,
    password: str,
    roles: list[str] | tuple[str, ...] = ("applicant",),
    display_name: str = "",
    confirmed: bool = False,
    locale: str = "nl",
    funds: list[str] | tuple[str, ...] | None = None,
) -> User:
    """Create a user with these roles. Refuses a taken e-mail, a weak password, unknown roles.

    The roles of a fund (FUND_ROLES) are held in `funds` (slugs; `*` for every fund);
    without `funds`, in the installation's only fund (refused when there are several)."""
    email = normalise_email(email)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationFailed(
            _("Onbekende rol: %(r)s", r=", ".join(sorted(unknown))),
            details={"role": sorted(unknown)},
        )
    passwords.check(password, email, display_name)
    if find_user_by_email(email):
        raise Conflict(_("Er bestaat al een account met dit e-mailadres."), code="email_taken")
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name or email.split("@")[0],
        locale=locale if locale in ("nl", "en", "fr") else "nl",
        email_confirmed_at=clock.now() if confirmed else None,
    )
    user.role_rows = role_rows(list(dict.fromkeys(roles)), funds)
    db.session.add(user)
    db.session.flush()
    return user


def register(email: str, password: str, display_name: str = "", locale: str = "nl") -> User | None:
    """Self-registration: an applicant and backer who must confirm the e-mail address.

    An address that already has an account gets a mail saying so, and the caller None: the
    page answers the same either way, so nobody learns who has an account here."""
    passwords.check(password, normalise_email(email), display_name)
    existing = find_user_by_email(normalise_email(email))
    if existing is not None:
        events.registration_of_existing_address.send(existing)
        return None
    user = create_user(email, password, ("applicant", "backer"), display_name, locale=locale)
    events.user_registered.send(user, confirm_url=link("confirm", user))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None. Rehashes when argon2 parameters changed."""
    user = find_user_by_email(email or "")
    if user is None:
        # Spend the same time as a real check, so timing does not reveal who has an account.
        try:
            _hasher().verify(_dummy_hash(), password or "")
        except (VerificationError, InvalidHashError):
            pass
        return None
    try:
        _hasher().verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None  # a deactivated account: the same answer as a wrong password
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return user


def _entry() -> tuple[PasswordHasher, str]:
    # argon2 with the library's defaults, unless ARGON2_PARAMS says otherwise (the test suite
    # uses cheap ones: a default hash takes more than half a second on a small machine).
    params = tuple(sorted((current_app.config.get("ARGON2_PARAMS") or {}).items()))
    if params not in _hashers:
        hasher = PasswordHasher(**dict(params))
        # For unknown e-mails: spend the time of a real check (made once, not on import).
        _hashers[params] = (hasher, hasher.hash("not-a-real-password"))
    return _hashers[params]


def _hasher() -> PasswordHasher:
    return _entry()[0]


def _dummy_hash() -> str:
    return _entry()[1]


def _load(purpose: str, token: str, max_age: int) -> User:
    try:
        data = serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Conflict(_("Deze link is verlopen."), code="link_expired") from exc
    except BadSignature as exc:
        raise NotFound(_("Deze link is ongeldig."), code="link_invalid") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or user.security_stamp != data.get("s"):
        raise NotFound(_("Deze link is ongeldig."), code="link_invalid")
    return user


def confirm_email(token: str) -> User:
    """Mark the e-mail confirmed. Refuses a forged or expired link."""
    user = _load("confirm", token, CONFIRM_MAX_AGE)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; says nothing either way (no account probing)."""
    user = find_user_by_email(email or "")
    if user is not None:
        events.password_reset_requested.send(user, reset_url=link("reset", user))


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link (and old sessions) stop working."""
    user = _load("reset", token, RESET_MAX_AGE)
    change_password(user, new_password)
    return user


def change_password(user: User, new_password: str) -> int:
    """Set a new password. Every session ends (the stamp changes) and every API token is
    revoked: whoever knew the old password may have made one."""
    passwords.check(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    user.security_stamp += 1
    revoked = revoke_all_tokens(user)
    sessions.end_all(user)
    return revoked


def end_all_sessions(user: User) -> None:
    """End every log-in session of the user on the server (erasure, a locked account)."""
    sessions.end_all(user)


def revoke_all_tokens(user: User) -> int:
    """Revoke every live API token of the user; how many."""
    live = [t for t in list_tokens(user) if t.revoked_at is None]
    for token in live:
        token.revoked_at = clock.now()
    return len(live)


def create_api_token(user: User, name: str = "API", days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token; the clear text is returned once and stored only as its SHA-256.
    It expires after `days` (default API_TOKEN_DAYS; 0: never)."""
    clear = "sf_" + secrets.token_urlsafe(32)
    days = current_app.config.get("API_TOKEN_DAYS", 365) if days is None else days
    token = ApiToken(
        user_id=user.id,
        name=(name or "API")[:80],
        token_hash=hashlib.sha256(clear.encode()).hexdigest(),
        prefix=clear[:10],
        expires_at=clock.now() + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, clear


def revoke_api_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("Token niet gevonden."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()


def user_for_token(clear: str) -> User | None:
    """The user behind a live API token, or None."""
    if not clear:
        return None
    digest = hashlib.sha256(clear.encode()).hexdigest()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or token.revoked_at is not None:
        return None
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.user.erased_at is not None or not token.user.active:
        return None  # erased, or its user deactivated: it stops at once
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
        g.touched_token = token  # saved after the request (accounts.setup)
    return token.user


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: `id:stamp:key` of a live server-side session (accounts.sessions)."""
    return sessions.load(session_id)
