"""What the pages and the API of notifications do: read the outbox, resend a failed mail,
change the fund's mail templates, unsubscribe. Other domains never call this module; they
send signals (see receivers.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import audit, clock
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.tasks import enqueue_after_commit
from app.extensions import db
from app.notifications import outbox
from app.notifications.catalogue import CATALOGUE, LOCALES
from app.notifications.delivery import render_row
from app.notifications.models import OUTBOX_STATUSES, MailTemplate, OptOut, OutboxMessage
from app.notifications.rendering import Rendered, TemplateBroken, check_source, file_source, render, source

MANAGERS = ("fund_manager", "admin")


def require_manager(user: User) -> None:
    """Refuse (403) anyone but a fund manager or admin: mails hold personal data."""
    if not (user and user.is_authenticated and user.has_role(*MANAGERS)):
        raise Forbidden(_("Alleen het fonds ziet de verstuurde mails."))


def outbox_query(status: str | None = None, kind: str | None = None):
    """Outbox rows, newest first, optionally of one status and kind."""
    q = select(OutboxMessage)
    if status in OUTBOX_STATUSES:
        q = q.where(OutboxMessage.status == status)
    if kind in CATALOGUE:
        q = q.where(OutboxMessage.kind == kind)
    return q


def get_message(message_id: int) -> OutboxMessage:
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(_("Mail niet gevonden."))
    return row


def bodies_visible(row: OutboxMessage) -> bool:
    """A mail with a personal link is readable here only without a real mail server (demo)."""
    return not (current_app.config.get("MAIL_SERVER") and CATALOGUE[row.kind].secret)


def preview(row: OutboxMessage) -> Rendered | None:
    """What the mail says (as sent, or as it would be sent now); None if it may not be shown
    or its template is broken."""
    if not bodies_visible(row):
        return None
    if row.body_text is not None:
        return Rendered(row.subject or "", row.body_text, row.body_html or "")
    try:
        return render_row(row)
    except TemplateBroken:
        return None


def resend(message_id: int, actor: User) -> OutboxMessage:
    """Put a failed (or skipped) mail back in the queue for a fresh series of attempts.

    Refuses (409) a mail that is pending, being sent or already sent: it cannot go twice.
    """
    require_manager(actor)
    row = get_message(message_id)
    if row.status not in ("failed", "skipped"):
        raise Conflict(_("Alleen een mislukte mail kan opnieuw verstuurd worden."), code="not_failed")
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    now = clock.now()
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.queued_at = now
    row.lease_until = None
    db.session.flush()
    audit.record(db.session, actor.id, "mail.resent", "outbox", row.id, before, {"status": "pending"})
    enqueue_after_commit(db.session, "notifications.deliver", row.id)
    return row


def failed_count() -> int:
    return (
        db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")) or 0
    )


# --- templates -----------------------------------------------------------------------------


def template_rows() -> list[dict[str, Any]]:
    """Every kind and language with whether the fund changed it."""
    own = {(t.kind, t.locale) for t in db.session.scalars(select(MailTemplate))}
    return [
        {
            "kind": k,
            "label": spec.label,
            "transactional": spec.transactional,
            "locales": {loc: (k, loc) in own for loc in LOCALES},
        }
        for k, spec in CATALOGUE.items()
    ]


def _check_kind(kind: str, locale: str) -> None:
    if kind not in CATALOGUE or locale not in LOCALES:
        raise NotFound(_("Sjabloon niet gevonden."))


def get_template(kind: str, locale: str) -> dict[str, Any]:
    _check_kind(kind, locale)
    subject, body, own = source(kind, locale)
    return {"kind": kind, "locale": locale, "subject": subject, "body": body, "overridden": own}


def save_template(kind: str, locale: str, subject: str, body: str, actor: User) -> MailTemplate:
    """Store the fund's own wording. Refuses (422) a template that does not render with the
    kind's sample values (syntax error, unknown value), so a broken one never reaches a mail."""
    require_manager(actor)
    _check_kind(kind, locale)
    subject = (subject or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not subject or len(subject) > 300:
        errors["subject"] = [_("Een onderwerp van hoogstens 300 tekens.")]
    if not body:
        errors["body"] = [_("Schrijf de tekst van de mail.")]
    if not errors:
        problem = check_source(kind, locale, subject, body)
        if problem:
            errors["body"] = [_("Dit sjabloon werkt niet: %(e)s", e=problem)]
    if errors:
        raise ValidationFailed(_("Het sjabloon bevat fouten."), details=errors)
    row = db.session.scalar(
        select(MailTemplate).where(MailTemplate.kind == kind, MailTemplate.locale == locale)
    )
    before = {"subject": row.subject, "body": row.body} if row else None
    if row is None:
        row = MailTemplate(kind=kind, locale=locale)
        db.session.add(row)
    row.subject, row.body = subject, body
    row.updated_at, row.updated_by_id = clock.now(), actor.id
    db.session.flush()
    audit.record(
        db.session,
        actor.id,
        "mail_template.saved",
        "mail_template",
        row.id,
        before,
        {
            "kind": kind,
            "locale": locale,
            "subject": subject,
            "body": body,
        },
    )
    return row


def reset_template(kind: str, locale: str, actor: User) -> None:
    """Drop the fund's own wording: the template file applies again."""
    require_manager(actor)
    _check_kind(kind, locale)
    row = db.session.scalar(
        select(MailTemplate).where(MailTemplate.kind == kind, MailTemplate.locale == locale)
    )
    if row is None:
        return
    audit.record(
        db.session,
        actor.id,
        "mail_template.reset",
        "mail_template",
        row.id,
        {
            "kind": kind,
            "locale": locale,
            "subject": row.subject,
            "body": row.body,
        },
    )
    db.session.delete(row)
    db.session.flush()


def sample_preview(kind: str, locale: str) -> Rendered | None:
    _check_kind(kind, locale)
    try:
        return render(kind, locale, CATALOGUE[kind].sample, None if CATALOGUE[kind].transactional else "#")
    except TemplateBroken:
        return None


def shipped_template(kind: str, locale: str) -> tuple[str, str]:
    _check_kind(kind, locale)
    return file_source(kind, locale)


# --- unsubscribe ---------------------------------------------------------------------------


def unsubscribe_target(token: str) -> tuple[str, str]:
    """(email, scope) behind an unsubscribe link; NotFound for a forged or damaged one."""
    found = outbox.read_unsubscribe_token(token)
    if found is None:
        raise NotFound(_("Deze link is ongeldig."))
    return found


def unsubscribe(token: str, everything: bool = False) -> str:
    """Record the opt-out of the link's scope (or of every non-transactional mail).
    Idempotent: unsubscribing twice changes nothing. Returns the scope recorded."""
    email, scope = unsubscribe_target(token)
    if everything:
        scope = "all"
    db.session.execute(
        outbox.insert_ignoring_duplicates(
            OptOut, {"email": email, "scope": scope, "created_at": clock.now()}, ["email", "scope"]
        )
    )
    return scope
