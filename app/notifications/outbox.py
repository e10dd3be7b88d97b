"""Writing to the outbox: one row per mail and recipient, in the caller's transaction.

Receivers of other domains' signals call `queue`; the delivery task is queued only after the
transaction commits, so a rolled-back event sends nothing and a committed one is never lost
(the sweep picks up a row whose task did not make it to the broker).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.routing import BuildError

from app.core import clock, sql, tenancy
from app.core.tasks import enqueue_after_commit
from app.extensions import db
from app.funds import services as funds
from app.notifications.catalogue import CATALOGUE, LOCALES
from app.notifications.models import OptOut, OutboxMessage

log = logging.getLogger(__name__)


_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def normalise(email: str | None) -> str | None:
    """The address lower-case and trimmed, or None if it cannot be one (and so no header
    can be smuggled in through it)."""
    email = (email or "").strip().lower()
    return email if len(email) <= 254 and _ADDRESS.match(email) else None


def is_opted_out(email: str, scope: str | None) -> bool:
    """True when `email` asked for no more mail of this scope (or of any non-transactional)."""
    scopes = ["all"] + ([scope] if scope else [])
    return (
        db.session.scalar(select(OptOut.id).where(OptOut.email == email, OptOut.scope.in_(scopes)))
        is not None
    )


def queue(
    kind: str,
    recipient: str | None,
    *,
    dedupe_key: str,
    context: dict[str, Any],
    locale: str | None = "nl",
    user_id: int | None = None,
    unsubscribe_scope: str | None = None,
    fund_id: int | None = None,
) -> int | None:
    """Write one outbox row and queue its delivery for after the commit.

    Returns the new row's id. Writes nothing and returns None when a row with `dedupe_key`
    already exists (a doubled signal or task), when the address is missing or malformed, or
    when a non-transactional mail goes to an address that opted out.
    """
    spec = CATALOGUE[kind]
    email = normalise(recipient)
    if email is None:
        log.info("no address for %s (%s); nothing queued", kind, dedupe_key)
        return None
    if not spec.transactional and is_opted_out(email, unsubscribe_scope):
        return None
    now = clock.now()
    values = {
        "dedupe_key": dedupe_key[:200],
        "kind": kind,
        "recipient": email,
        "user_id": user_id,
        "locale": locale if locale in LOCALES else "nl",
        "context": context,
        "transactional": spec.transactional,
        "unsubscribe_scope": None if spec.transactional else (unsubscribe_scope or "all"),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "queued_at": now,
        "created_at": now,
    }
    if fund_id is not None:  # else the one-fund scope's fund, or the default fund
        values["fund_id"] = fund_id
    # On the table, not the mapped class: a plain INSERT skips the ORM's bulk-insert machinery
    # (this runs in the request of every confirmed pledge).
    table = OutboxMessage.__table__
    new_id = sql.insert_once(db.session, table, values, ["dedupe_key"], returning=table.c.id)
    if new_id is None:
        return None
    enqueue_after_commit(db.session, "notifications.deliver", new_id)
    return new_id


def insert_ignoring_duplicates(model, values: dict[str, Any], unique: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING: a concurrent duplicate neither fails the caller's
    transaction nor writes a second row (a SELECT-then-INSERT would race). See
    `app.core.sql.insert_ignoring_duplicates`."""
    return sql.insert_ignoring_duplicates(db.session, model, values, unique)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link under PUBLIC_BASE_URL (works in tasks, without a request).

    Falls back to the site's root when the endpoint does not exist (a domain not installed).
    """
    # The site of the fund the mail is about (the request's or task's one-fund scope).
    base = funds.base_url(tenancy.single_fund_id())
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return base + "/"
    return base + path


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications-unsubscribe")


def unsubscribe_token(email: str, scope: str) -> str:
    """A signed token for one address and scope; it does not expire (old mails keep working)."""
    return _unsubscribe_serializer().dumps({"e": email, "s": scope})


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """(email, scope) of a genuine token, else None."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("s"), str):
        return None
    return data["e"], data["s"]
