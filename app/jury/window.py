"""The scoring window of a call: open, close, reveal; progress and reminders."""

from __future__ import annotations

import secrets
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.calls import services as calls
from app.calls.models import Application, Call
from app.core import audit, clock
from app.core.errors import Conflict, Forbidden
from app.extensions import db
from app.jury import events
from app.jury.models import Assignment, Juror, Reminder, ScoringWindow


def require_manager(actor: User) -> None:
    """Refuse (403) anyone but a fund manager or admin: the auditor reads, never writes."""
    if not actor.has_role("fund_manager", "admin"):
        raise Forbidden(_("Alleen het fonds beheert de jury."))


def lock_call(call: Call) -> None:
    """Serialise the jury's decisions on one call (row lock on PostgreSQL; SQLite takes a
    database-wide write lock anyway)."""
    db.session.execute(select(Call.id).where(Call.id == call.id).with_for_update())


def window_of(call: Call, lock: bool = False) -> ScoringWindow:
    """The call's scoring window row (created, unopened, on first use). With `lock`, the call
    is locked first, so two requests never create or change it at the same time."""
    if lock:
        lock_call(call)
    window = find_window(call)
    if window is None:
        window = ScoringWindow(call_id=call.id)
        db.session.add(window)
        db.session.flush()
    return window


def find_window(call: Call) -> ScoringWindow | None:
    """The call's scoring window row, or None before anyone touched it (writes nothing)."""
    return db.session.scalar(select(ScoringWindow).where(ScoringWindow.call_id == call.id))


def window_state(call: Call) -> str:
    """'not_opened', 'open' or 'closed' (without writing anything)."""
    window = find_window(call)
    return window.state if window else "not_opened"


def _snapshot(w: ScoringWindow) -> dict:
    return {"state": w.state, "reveal_scores": w.reveal_scores}


def open_scoring(call: Call, actor: User) -> ScoringWindow:
    """Open the scoring window and move every eligible application to `in_review`.

    Refuses (409) while the call still takes submissions (`submissions_open`), and a window
    that was opened before (`window_opened`); nothing changes then.
    """
    require_manager(actor)
    if call.status == "draft" or call.closes_at is None or clock.now() < call.closes_at:
        raise Conflict(_("De jury kan pas beginnen als de indiening gesloten is."), code="submissions_open")
    window = window_of(call, lock=True)
    if window.opened_at is not None:
        raise Conflict(_("Het jurytermijn werd al geopend."), code="window_opened")
    before = _snapshot(window)
    calls.close_call(call)
    eligible = db.session.scalars(calls.applications_of_call(call, "eligible").order_by(Application.id)).all()
    for app in eligible:
        calls.set_application_status(app, "in_review", actor.id, note="jury")
    window.opened_at = clock.now()
    window.opened_by_id = actor.id
    db.session.flush()
    audit.record(db.session, actor.id, "jury.window_opened", "call", call.id, before, _snapshot(window))
    return window


def close_scoring(call: Call, actor: User) -> ScoringWindow:
    """Close the open scoring window. With `tie_lottery`, draws and stores the call's public
    `lottery_seed`. Refuses (409 `window_not_open`) a window that is not open."""
    require_manager(actor)
    window = window_of(call, lock=True)
    if not window.is_open:
        raise Conflict(_("Het jurytermijn is niet open."), code="window_not_open")
    before = _snapshot(window)
    window.closed_at = clock.now()
    window.closed_by_id = actor.id
    if call.tie_lottery and not call.lottery_seed:
        call.lottery_seed = secrets.token_hex(32)
    db.session.flush()
    after = _snapshot(window) | {"lottery_seed": call.lottery_seed}
    audit.record(db.session, actor.id, "jury.window_closed", "call", call.id, before, after)
    return window


def set_reveal(call: Call, reveal: bool, actor: User) -> ScoringWindow:
    """Let jurors see each other's scores after the window closed (or hide them again)."""
    require_manager(actor)
    window = window_of(call, lock=True)
    if window.reveal_scores != bool(reveal):
        before = _snapshot(window)
        window.reveal_scores = bool(reveal)
        db.session.flush()
        audit.record(db.session, actor.id, "jury.reveal_changed", "call", call.id, before, _snapshot(window))
    return window


def require_open(call: Call) -> ScoringWindow:
    """The window, or 409 `window_not_open` when jurors cannot declare or score now."""
    window = find_window(call)
    if window is None or not window.is_open:
        raise Conflict(_("Het jurytermijn is niet open."), code="window_not_open")
    return window


def progress(call: Call) -> dict:
    """Counts per juror and per application: assigned, pending, conflicts, saved, submitted."""

    def blank():
        return {"assigned": 0, "pending": 0, "conflicts": 0, "in_progress": 0, "submitted": 0}

    per_juror: dict[int, dict] = defaultdict(blank)
    per_app: dict[int, dict] = defaultdict(blank)
    for a in db.session.scalars(select(Assignment).where(Assignment.call_id == call.id)):
        for bucket in (per_juror[a.user_id], per_app[a.application_id]):
            bucket["assigned"] += 1
            if a.declaration == "pending":
                bucket["pending"] += 1
            elif a.declaration == "conflict":
                bucket["conflicts"] += 1
            elif a.submitted_at is not None:
                bucket["submitted"] += 1
            else:
                bucket["in_progress"] += 1
    for j in db.session.scalars(select(Juror).where(Juror.call_id == call.id)):
        per_juror.setdefault(j.user_id, blank())
    return {"jurors": dict(per_juror), "applications": dict(per_app)}


def jurors_with_work_left(call: Call) -> list[User]:
    """Jurors holding an assignment that is neither conflicted nor submitted."""
    ids = db.session.scalars(
        select(Assignment.user_id)
        .where(
            Assignment.call_id == call.id,
            Assignment.declaration != "conflict",
            Assignment.submitted_at.is_(None),
        )
        .distinct()
    ).all()
    return [db.session.get(User, i) for i in sorted(ids)]


def send_reminders(call: Call) -> int:
    """Send `juror_reminder_due` to every juror with work left while the window is open,
    at most once per juror and Brussels day (so a duplicate task or a second click adds
    nothing). Returns how many reminders were sent now."""
    window = find_window(call)
    if window is None or not window.is_open:
        return 0
    today = clock.local(clock.now()).date()
    sent = 0
    for user in jurors_with_work_left(call):
        done = db.session.scalar(
            select(Reminder.id).where(
                Reminder.call_id == call.id, Reminder.user_id == user.id, Reminder.day == today
            )
        )
        if done:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(Reminder(call_id=call.id, user_id=user.id, day=today))
        except IntegrityError:  # a parallel run sent this one
            continue
        events.juror_reminder_due.send(call, user=user)
        sent += 1
    return sent


def open_windows() -> list[Call]:
    """Calls whose scoring window is open now."""
    return list(
        db.session.scalars(
            select(Call)
            .join(ScoringWindow, ScoringWindow.call_id == Call.id)
            .where(ScoringWindow.opened_at.is_not(None), ScoringWindow.closed_at.is_(None))
            .order_by(Call.id)
        )
    )
