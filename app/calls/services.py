"""Calls and applications: the rules of the open call, in one place for views and API.

Services flush; the request (or task, or command) commits once at the end.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.calls import events, validation
from app.calls.match_rules import max_match
from app.calls.models import (
    APPLICATION_STATES,
    CALL_STATUSES,
    DEFAULT_MATCH_POLICY,
    Application,
    Attachment,
    Call,
)
from app.core import audit, clock
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.uploads import check_upload
from app.extensions import db

CALL_FIELDS = (
    "title",
    "description",
    "theme",
    "municipalities",
    "applicant_types",
    "opens_at",
    "closes_at",
    "criteria",
    "match_policy",
    "campaign_days",
    "calibration",
    "matching_budget_cents",
    "max_selected_per_municipality",
    "disagreement_threshold",
    "tie_lottery",
    "min_pledge_cents",
    "max_pledge_cents",
    "all_or_nothing",
)
MAX_ATTACHMENTS = 10


# --- calls -------------------------------------------------------------------------------


def create_call(values: dict[str, Any], actor: User) -> Call:
    """A new call in `draft`. Refuses invalid fields with ValidationFailed (nothing written)."""
    values = {k: v for k, v in values.items() if k in CALL_FIELDS}
    errors = validation.check_call(values, None)
    if not (values.get("title") or "").strip():
        errors.setdefault("title", [_("Geef een titel.")])
    if errors:
        raise ValidationFailed(_("De oproep bevat fouten."), details=errors)
    if "match_policy" in values:
        values["match_policy"] = {**DEFAULT_MATCH_POLICY, **values["match_policy"]}
    values = {k: v for k, v in values.items() if v is not None or k in _NULLABLE}
    call = Call(created_by_id=actor.id, **values)
    db.session.add(call)
    db.session.flush()
    audit.record(db.session, actor.id, "call.created", "call", call.id, after=call_snapshot(call))
    return call


_NULLABLE = {"matching_budget_cents", "max_selected_per_municipality"}


def update_call(call: Call, values: dict[str, Any], actor: User) -> Call:
    """Change a call's fields. A closed call is refused; a published call keeps its criteria
    once submissions exist, so that jurors score what applicants read."""
    values = {k: v for k, v in values.items() if k in CALL_FIELDS}
    if call.status == "closed":
        raise Conflict(_("Een afgesloten oproep kan niet meer wijzigen."), code="call_closed")
    errors = validation.check_call(values, call)
    if errors:
        raise ValidationFailed(_("De oproep bevat fouten."), details=errors)
    before = call_snapshot(call)
    for key, value in values.items():
        if key == "match_policy":
            value = {**call.policy, **value}
        if value is None and key not in _NULLABLE:
            continue
        setattr(call, key, value)
    db.session.flush()
    audit.record(db.session, actor.id, "call.updated", "call", call.id, before, call_snapshot(call))
    return call


def publish_call(call: Call, actor: User) -> Call:
    """Publish a draft call. Refuses one without window, municipalities or criteria."""
    if call.status != "draft":
        raise Conflict(_("Alleen een ontwerp kan gepubliceerd worden."), code="invalid_transition")
    missing = [
        f
        for f in ("title", "description", "opens_at", "closes_at", "municipalities", "criteria")
        if not getattr(call, f)
    ]
    if missing:
        raise ValidationFailed(
            _("Vul eerst alles in: %(f)s.", f=", ".join(missing)), details={"missing": missing}
        )
    call.status = "published"
    call.published_at = clock.now()
    db.session.flush()
    audit.record(db.session, actor.id, "call.published", "call", call.id)
    events.call_published.send(call)
    return call


def close_call(call: Call) -> bool:
    """Mark a published call closed once its window has passed. Idempotent; True if changed."""
    if call.status == "published" and call.closes_at and call.closes_at <= clock.now():
        call.status = "closed"
        db.session.flush()
        return True
    return False


def get_call(call_id: int, user: User | None = None) -> Call:
    """A call; drafts only for fund managers, admins and auditors (404 for others)."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound(_("Oproep niet gevonden."))
    if call.status == "draft" and not (
        user and user.is_authenticated and user.has_role("fund_manager", "admin", "auditor")
    ):
        raise NotFound(_("Oproep niet gevonden."))
    return call


def calls_query(user: User | None = None, status: str | None = None):
    """Calls visible to `user`, newest window first."""
    q = select(Call)
    staff = user is not None and user.is_authenticated and user.has_role("fund_manager", "admin", "auditor")
    if not staff:
        q = q.where(Call.status != "draft")
    if status in CALL_STATUSES:
        q = q.where(Call.status == status)
    return q


def list_open_calls() -> list[Call]:
    now = clock.now()
    return list(
        db.session.scalars(
            select(Call).where(Call.status == "published", Call.closes_at > now).order_by(Call.closes_at)
        )
    )


def call_snapshot(call: Call) -> dict:
    return {f: getattr(call, f) for f in CALL_FIELDS} | {"status": call.status}


# --- applications ------------------------------------------------------------------------


def is_staff_reader(user: User) -> bool:
    return user.has_role("fund_manager", "admin", "auditor")


def get_application(app_id: int, user: User, write: bool = False) -> Application:
    """The application if `user` may see it (owner; fund manager/auditor to read).

    Anyone else gets NotFound, never Forbidden, so that ids reveal nothing.
    """
    app = db.session.get(Application, app_id)
    if app is None:
        raise NotFound(_("Aanvraag niet gevonden."))
    if app.owner_id == user.id:
        return app
    if not write and is_staff_reader(user):
        return app
    raise NotFound(_("Aanvraag niet gevonden."))


def applications_of(user: User):
    return select(Application).where(Application.owner_id == user.id)


def applications_of_call(call: Call, status: str | None = None):
    q = select(Application).where(Application.call_id == call.id)
    if status:
        q = q.where(Application.status == status)
    return q


def create_application(call: Call, values: dict[str, Any], owner: User) -> Application:
    """A new draft for `owner` on a published call that is still open.

    Present fields are validated; ValidationFailed with every field error otherwise.
    """
    if call.status != "published":
        raise NotFound(_("Oproep niet gevonden."))
    if not call.is_open_for_submissions():
        raise Conflict(_("Deze oproep is niet open voor aanvragen."), code="call_closed")
    app = Application(call_id=call.id, owner_id=owner.id, status="draft")
    app.call = call
    _apply_fields(app, values)
    db.session.add(app)
    db.session.flush()
    return app


def update_application(app: Application, values: dict[str, Any], actor: User) -> Application:
    """Change fields of the owner's draft; present fields are validated (422, nothing
    changes). Any other state is refused with 409 `application_locked`."""
    if app.owner_id != actor.id:
        raise NotFound(_("Aanvraag niet gevonden."))
    if app.status not in ("draft",):
        raise Conflict(_("Een ingediende aanvraag kan niet meer wijzigen."), code="application_locked")
    _apply_fields(app, values)
    app.updated_at = clock.now()
    db.session.flush()
    return app


def _apply_fields(app: Application, values: dict[str, Any]) -> None:
    values = {k: v for k, v in values.items() if k in validation.APPLICATION_FIELDS}
    clean, errors = validation.check_application_fields(values, app.call)
    budget = clean.get("budget_cents", app.budget_cents) if "budget_cents" not in errors else None
    target = clean.get("target_cents", app.target_cents) if "target_cents" not in errors else None
    for field, msgs in validation.check_budget_target(budget, target).items():
        errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    for key, value in clean.items():
        setattr(app, key, value)


def submit_application(app: Application, actor: User) -> Application:
    """Submit a complete draft before the call closes.

    Refuses after `closes_at` (409 call_closed) and an incomplete draft (422 with
    `details.missing`); in both cases nothing changes.
    """
    if app.owner_id != actor.id:
        raise NotFound(_("Aanvraag niet gevonden."))
    APPLICATION_STATES.check(app.status, "submitted")
    if not app.call.is_open_for_submissions():
        raise Conflict(
            _("De deadline van deze oproep is voorbij; indienen kan niet meer."), code="call_closed"
        )
    missing = validation.missing_fields(app)
    if missing:
        raise ValidationFailed(
            _("Vul eerst alle velden in."), code="incomplete", details={"missing": missing}
        )
    _transition(app, "submitted", actor)
    app.submitted_at = clock.now()
    db.session.flush()
    events.application_submitted.send(app)
    return app


def withdraw_application(app: Application, actor: User) -> Application:
    """The owner withdraws a draft or submitted application (409 from any other state)."""
    if app.owner_id != actor.id:
        raise NotFound(_("Aanvraag niet gevonden."))
    _transition(app, "withdrawn", actor)
    return app


def screen_application(app: Application, eligible: bool, reason: str, actor: User) -> Application:
    """Decide eligibility. An ineligible decision needs a reason the applicant will read."""
    if not actor.has_role("fund_manager", "admin"):
        raise Forbidden(_("Alleen het fonds beoordeelt de ontvankelijkheid."))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationFailed(
            _("Geef de aanvrager een reden."), details={"reason": [_("Geef de aanvrager een reden.")]}
        )
    _transition(app, "eligible" if eligible else "ineligible", actor, note=reason or None)
    app.screening_reason = reason or None
    app.screened_at = clock.now()
    db.session.flush()
    events.application_screened.send(app)
    return app


def set_application_status(app: Application, target: str, actor_id: int | None, note=None):
    """For the jury domain: move an application along the table (in_review, selected, ...)."""
    _transition(app, target, actor_id, note=note)
    return app


def _transition(app: Application, target: str, actor, note: str | None = None) -> None:
    source = app.status
    APPLICATION_STATES.check(source, target)
    app.status = target
    app.updated_at = clock.now()
    actor_id = actor if isinstance(actor, int) or actor is None else actor.id
    audit.record(
        db.session,
        actor_id,
        f"application.{target}",
        "application",
        app.id,
        {"status": source},
        {"status": target},
        note,
    )
    events.application_status_changed.send(app, source=source, target=target)


def add_attachment(app: Application, filename: str, content: bytes, actor: User, max_bytes: int):
    """Attach a PDF, JPEG or PNG (checked by content, at most `max_bytes`) to a draft."""
    if app.owner_id != actor.id:
        raise NotFound(_("Aanvraag niet gevonden."))
    if app.status != "draft":
        raise Conflict(_("Bijlagen kunnen alleen bij een ontwerp."), code="application_locked")
    if len(app.attachments) >= MAX_ATTACHMENTS:
        raise Conflict(_("Hoogstens %(n)d bijlagen.", n=MAX_ATTACHMENTS), code="too_many_files")
    checked = check_upload(filename, content, max_bytes)
    att = Attachment(
        application_id=app.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=checked.content,
    )
    app.attachments.append(att)
    db.session.flush()
    return att


def remove_attachment(app: Application, attachment_id: int, actor: User) -> None:
    if app.owner_id != actor.id:
        raise NotFound(_("Aanvraag niet gevonden."))
    if app.status != "draft":
        raise Conflict(_("Bijlagen kunnen alleen bij een ontwerp."), code="application_locked")
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.application_id != app.id:
        raise NotFound(_("Bijlage niet gevonden."))
    app.attachments.remove(att)
    db.session.delete(att)
    db.session.flush()


def get_attachment(app: Application, attachment_id: int) -> Attachment:
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.application_id != app.id:
        raise NotFound(_("Bijlage niet gevonden."))
    return att


def max_match_cents(call: Call, target_cents: int | None, budget_cents: int | None) -> int:
    """The most the sponsors may add to one project of this call (match_rules.max_match)."""
    return max_match(call.policy, target_cents, budget_cents)


def application_max_match_cents(app: Application) -> int:
    return max_match_cents(app.call, app.target_cents, app.budget_cents)


def close_due_calls() -> list[int]:
    """Close every published call whose `closes_at` has passed (for the beat task).

    An idempotent conditional transition: only `published` calls past their deadline change,
    each through `close_call`; a late, doubled or concurrent run closes nothing twice.
    Returns the ids of the calls closed by this run.
    """
    due = db.session.scalars(
        select(Call)
        .where(Call.status == "published", Call.closes_at <= clock.now())
        .order_by(Call.id)
        .with_for_update(skip_locked=True)
    ).all()
    closed = []
    for call in due:
        if close_call(call):
            before, after = {"status": "published"}, {"status": "closed"}
            audit.record(db.session, None, "call.closed", "call", call.id, before, after)
            closed.append(call.id)
    return closed
