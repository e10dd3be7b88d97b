"""Receivers for the signals of accounts, calls and jury: each writes outbox rows, nothing else.

They run inside the transaction of the event (a rolled-back event leaves no mail) and build
their dedupe keys from the event, so a doubled signal writes nothing new.
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.accounts import events as accounts_events
from app.accounts.models import User
from app.calls import events as calls_events
from app.core import clock
from app.extensions import db
from app.jury import events as jury_events
from app.notifications.outbox import public_url, queue


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def name_of(user: User | None, fallback: str = "") -> str:
    if user is None:
        return fallback
    return user.display_name or user.email.split("@")[0]


def to_user(kind: str, user: User | None, dedupe_key: str, context: dict[str, Any], **kw) -> int | None:
    """Queue `kind` for a user account, in the user's language."""
    if user is None:
        return None
    return queue(
        kind,
        user.email,
        dedupe_key=dedupe_key,
        context={"name": name_of(user), **context},
        locale=user.locale,
        user_id=user.id,
        **kw,
    )


# --- accounts ------------------------------------------------------------------------------


def on_user_registered(user: User, confirm_url: str = "", **_kw) -> None:
    to_user(
        "account_confirm",
        user,
        f"account_confirm:{user.id}:{digest(confirm_url)}",
        {"confirm_url": confirm_url},
    )


def on_password_reset_requested(user: User, reset_url: str = "", **_kw) -> None:
    to_user("password_reset", user, f"password_reset:{user.id}:{digest(reset_url)}", {"reset_url": reset_url})


# --- calls ---------------------------------------------------------------------------------


def _application_context(app) -> dict[str, Any]:
    return {
        "application_title": app.title or "",
        "call_title": app.call.title,
        "application_url": public_url("calls.show_application", app_id=app.id),
    }


def _owner(app) -> User | None:
    return db.session.get(User, app.owner_id)


def on_application_submitted(app, **_kw) -> None:
    stamp = app.submitted_at.isoformat() if app.submitted_at else ""
    to_user(
        "application_received",
        _owner(app),
        f"application_received:{app.id}:{digest(stamp)}",
        _application_context(app),
    )


def on_application_screened(app, **_kw) -> None:
    to_user(
        "application_screened",
        _owner(app),
        f"application_screened:{app.id}",
        {
            **_application_context(app),
            "eligible": app.status == "eligible",
            "reason": app.screening_reason or "",
        },
    )


# --- jury ----------------------------------------------------------------------------------


def on_selection_confirmed(call, selected=(), not_selected=(), **_kw) -> None:
    """Every applicant of the call hears the result in the same transaction."""
    for chosen, apps in ((True, selected), (False, not_selected)):
        for app in apps:
            to_user(
                "selection_result",
                _owner(app),
                f"selection_result:{app.id}",
                {**_application_context(app), "selected": chosen},
            )


def on_juror_invited(call, user: User | None = None, email: str = "", invite_url: str = "", **_kw) -> None:
    address = user.email if user is not None else email
    queue(
        "juror_invited",
        address,
        dedupe_key=f"juror_invited:{call.id}:{digest(address.lower())}:{digest(invite_url)}",
        context={
            "name": name_of(user, address.split("@")[0]),
            "call_title": call.title,
            "invite_url": invite_url,
        },
        locale=user.locale if user is not None else "nl",
        user_id=user.id if user is not None else None,
    )


def on_juror_reminder_due(call, user: User | None = None, **_kw) -> None:
    # At most one reminder per juror, call and (Brussels) day, however often beat runs.
    day = clock.local(clock.now()).date().isoformat()
    to_user(
        "juror_reminder",
        user,
        f"juror_reminder:{call.id}:{user.id if user else 0}:{day}",
        {"call_title": call.title, "jury_url": public_url("jury.my_assignments")},
    )


def connect() -> None:
    """Connect the receivers of accounts', calls' and the jury's signals."""
    accounts_events.user_registered.connect(on_user_registered, weak=False)
    accounts_events.password_reset_requested.connect(on_password_reset_requested, weak=False)
    calls_events.application_submitted.connect(on_application_submitted, weak=False)
    calls_events.application_screened.connect(on_application_screened, weak=False)
    jury_events.selection_confirmed.connect(on_selection_confirmed, weak=False)
    jury_events.juror_invited.connect(on_juror_invited, weak=False)
    jury_events.juror_reminder_due.connect(on_juror_reminder_due, weak=False)
