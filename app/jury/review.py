"""What a juror does with an assigned application: declare a conflict (or none), score,
submit; and what they may see of it and of the other jurors' scores."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.calls.models import Application
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.jury.jurors import juror_of
from app.jury.models import Assignment
from app.jury.scoring import juror_total
from app.jury.window import find_window, require_open

MAX_COMMENT = 5000
MAX_REASON = 2000


def juror_assignment(application_id: int, user: User) -> Assignment:
    """The user's live assignment to this application. NotFound (never Forbidden, so ids
    reveal nothing) when it is not assigned to them, or they declared a conflict on it."""
    app = db.session.get(Application, application_id)
    a = None
    if app is not None:
        a = db.session.scalar(
            select(Assignment).where(Assignment.application_id == app.id, Assignment.user_id == user.id)
        )
    if a is None or a.declaration == "conflict" or juror_of(app.call, user) is None:
        raise NotFound(_("Aanvraag niet gevonden."))
    return a


def _snapshot(a: Assignment) -> dict:
    return {
        "declaration": a.declaration,
        "conflict_reason": a.conflict_reason,
        "scores": dict(a.scores or {}),
        "comment": a.comment,
        "submitted": a.submitted_at is not None,
    }


def declare(application_id: int, user: User, conflict: bool, reason: str = "") -> Assignment:
    """Declare "no conflict" (idempotent) or "conflict" with a reason, which removes the
    juror from the application for good (their scores no longer count). 404 for an
    application not assigned to them; 409 outside the scoring window; 422 without reason."""
    a = juror_assignment(application_id, user)
    require_open(a.application.call)
    reason = (reason or "").strip()
    if conflict:
        if not reason or len(reason) > MAX_REASON:
            msg = _("Beschrijf het belangenconflict (hoogstens %(n)d tekens).", n=MAX_REASON)
            raise ValidationFailed(msg, details={"reason": [msg]})
        target = "conflict"
    else:
        if a.declaration == "no_conflict":
            return a
        target = "no_conflict"
    before = _snapshot(a)
    a.declaration = target
    a.conflict_reason = reason if conflict else None
    a.declared_at = clock.now()
    db.session.flush()
    action = "jury.conflict_declared" if conflict else "jury.no_conflict_declared"
    audit.record(db.session, user.id, action, "jury_assignment", a.id, before, _snapshot(a), reason or None)
    return a


def _clean_scores(criteria: list[dict], scores: Any, complete: bool) -> dict[str, int]:
    if not isinstance(scores, dict):
        msg = _("Geef de scores per criterium.")
        raise ValidationFailed(msg, details={"scores": [msg]})
    bounds = {c["key"]: int(c["max_score"]) for c in criteria}
    errors: dict[str, list[str]] = {}
    for key, value in scores.items():
        if key not in bounds:
            errors[str(key)] = [_("Onbekend criterium.")]
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= bounds[key]:
            errors[key] = [_("Een geheel getal van 0 tot %(max)d.", max=bounds[key])]
    if complete:
        for key in bounds:
            if key not in scores:
                errors[key] = [_("Geef een score om in te dienen.")]
    if errors:
        raise ValidationFailed(_("De scores kloppen niet."), details={"scores": errors})
    return {k: int(v) for k, v in scores.items()}


def save_score(
    application_id: int, user: User, scores: Any, comment: str = "", submit: bool = False
) -> Assignment:
    """Store the juror's scores (0..max, whole numbers; the given set replaces the saved
    one) and comment; with `submit`, every criterion must have a score and the total then
    counts. A submitted score is final: sending the same again is a no-op, a change is 409.
    404 when not assigned or conflicted; 409 outside the window or before "no conflict"."""
    a = juror_assignment(application_id, user)
    call = a.application.call
    require_open(call)
    if a.declaration != "no_conflict":
        raise Conflict(_("Verklaar eerst of je een belangenconflict hebt."), code="declare_first")
    comment = comment or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        msg = _("Hoogstens %(n)d tekens.", n=MAX_COMMENT)
        raise ValidationFailed(msg, details={"comment": [msg]})
    clean = _clean_scores(call.criteria, scores, complete=submit)
    if a.submitted_at is not None:
        if submit and clean == a.scores and comment == a.comment:
            return a
        raise Conflict(_("Je scores zijn al ingediend."), code="already_submitted")
    before = _snapshot(a)
    a.scores = clean
    a.comment = comment
    a.saved_at = clock.now()
    if submit:
        a.submitted_at = a.saved_at
    db.session.flush()
    after = _snapshot(a)
    if after != before:
        action = "jury.score_submitted" if submit else "jury.score_saved"
        audit.record(db.session, user.id, action, "jury_assignment", a.id, before, after)
    return a


def total_of(a: Assignment) -> float | None:
    """The assignment's total, once every criterion has a score."""
    criteria = a.application.call.criteria
    if not criteria or any(c["key"] not in (a.scores or {}) for c in criteria):
        return None
    return juror_total(criteria, a.scores)


def may_see_others(a: Assignment) -> bool:
    """During the window: once the juror submitted. After it: only if the fund manager
    revealed the scores."""
    window = find_window(a.application.call)
    if window is None:
        return False
    if window.is_open:
        return a.submitted_at is not None
    return window.state == "closed" and window.reveal_scores


def others_scores(a: Assignment) -> list[dict]:
    rows = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.application_id == a.application_id,
            Assignment.id != a.id,
            Assignment.declaration == "no_conflict",
            Assignment.submitted_at.is_not(None),
        )
        .order_by(Assignment.id)
    ).all()
    return [
        {"juror": o.user.display_name, "scores": o.scores, "comment": o.comment, "total": total_of(o)}
        for o in rows
    ]


def application_view(a: Assignment) -> dict:
    """What the juror may read of the application: before declaring, only enough to judge a
    conflict (title, applicant, organisation); after "no conflict", the whole file."""
    app = a.application
    view = {
        "id": app.id,
        "title": app.title,
        "applicant": app.owner_id and db.session.get(User, app.owner_id).display_name,
        "organisation": app.organisation,
    }
    if a.declaration == "no_conflict":
        view |= {
            "summary": app.summary,
            "description": app.description,
            "municipality": app.municipality,
            "applicant_type": app.applicant_type,
            "budget_cents": app.budget_cents,
            "target_cents": app.target_cents,
            "attachments": [{"id": x.id, "filename": x.filename, "size": x.size} for x in app.attachments],
        }
    return view


def score_view(a: Assignment) -> dict:
    """The juror's own assignment with, when allowed, the other jurors' submitted scores."""
    own_visible = a.declaration == "no_conflict"
    return {
        "application_id": a.application_id,
        "declaration": a.declaration,
        "scores": dict(a.scores or {}) if own_visible else {},
        "comment": a.comment if own_visible else "",
        "total": total_of(a) if own_visible else None,
        "saved_at": a.saved_at,
        "submitted_at": a.submitted_at,
        "application": application_view(a),
        "others": others_scores(a) if own_visible and may_see_others(a) else None,
    }
