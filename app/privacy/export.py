"""Access (GDPR art. 15): everything the platform holds about a person, as JSON.

For an account: the account, its applications, the scores it gave as a juror, its pledges
(with the bank-statement lines of a pledge paid by transfer: the payer's name, account and
communication as the bank reported them), the mails sent to it and the audit entries it
made. For a backer without an account: the pledges and mails under the address.
Tax-certificate data (register number, address) is shown masked: the full number is not
sent around by a download link.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from app.accounts.models import ApiToken, User
from app.banking.models import BankLine
from app.calls.models import Application
from app.campaigns.models import Pledge
from app.core.audit import AuditEvent
from app.extensions import db
from app.jury.models import Assignment
from app.notifications.models import OutboxMessage

APPLICATION_FIELDS = (
    "id",
    "call_id",
    "status",
    "title",
    "summary",
    "description",
    "municipality",
    "applicant_type",
    "organisation",
    "enterprise_number",
    "budget_cents",
    "target_cents",
    "created_at",
    "submitted_at",
)
PLEDGE_FIELDS = (
    "id",
    "campaign_id",
    "amount_cents",
    "currency",
    "email",
    "display_name",
    "anonymous",
    "hide_amount",
    "message",
    "method",
    "status",
    "refunded_cents",
    "created_at",
    "confirmed_at",
    "notify_opt_in",
)


BANK_LINE_FIELDS = (
    "booking_date",
    "amount_cents",
    "counterparty_name",
    "counterparty_account",
    "structured_reference",
    "free_text",
)


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _fields(obj, names) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def _pledges(email: str | None, user_id: int | None) -> list[dict]:
    conditions = []
    if email:
        conditions.append(Pledge.email == email)
    if user_id:
        conditions.append(Pledge.user_id == user_id)
    if not conditions:
        return []
    rows = db.session.scalars(select(Pledge).where(or_(*conditions)).order_by(Pledge.id)).all()
    lines: dict[int, list[dict]] = {}
    ids = [p.id for p in rows]
    if ids:
        for line in db.session.scalars(
            select(BankLine).where(BankLine.pledge_id.in_(ids)).order_by(BankLine.id)
        ):
            lines.setdefault(line.pledge_id, []).append(_fields(line, BANK_LINE_FIELDS))
    return [
        {
            **_fields(p, PLEDGE_FIELDS),
            "tax_certificate_requested": p.wants_tax_certificate,
            "bank_lines": lines.get(p.id, []),
        }
        for p in rows
    ]


def _mails(email: str | None, user_id: int | None) -> list[dict]:
    conditions = []
    if email:
        conditions.append(OutboxMessage.recipient == email)
    if user_id:
        conditions.append(OutboxMessage.user_id == user_id)
    if not conditions:
        return []
    rows = db.session.scalars(select(OutboxMessage).where(or_(*conditions)).order_by(OutboxMessage.id))
    return [
        {
            "id": m.id,
            "kind": m.kind,
            "to": m.recipient,
            "subject": m.subject,
            "status": m.status,
            "created_at": _value(m.created_at),
            "sent_at": _value(m.sent_at),
        }
        for m in rows
    ]


def for_user(user: User) -> dict:
    """The whole file of an account."""
    applications = db.session.scalars(
        select(Application).where(Application.owner_id == user.id).order_by(Application.id)
    )
    scores = db.session.scalars(
        select(Assignment).where(Assignment.user_id == user.id).order_by(Assignment.id)
    )
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
    )
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "roles": sorted(user.roles),
            "email_confirmed_at": _value(user.email_confirmed_at),
            "created_at": _value(user.created_at),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _value(t.created_at),
                "last_used_at": _value(t.last_used_at),
                "expires_at": _value(t.expires_at),
                "revoked_at": _value(t.revoked_at),
            }
            for t in tokens
        ],
        "applications": [_fields(a, APPLICATION_FIELDS) for a in applications],
        "scores_given": [
            {
                "application_id": a.application_id,
                "call_id": a.call_id,
                "declaration": a.declaration,
                "scores": a.scores,
                "comment": a.comment,
                "assigned_at": _value(a.assigned_at),
            }
            for a in scores
        ],
        "pledges": _pledges(user.email, user.id),
        "mails": _mails(user.email, user.id),
        "audit_entries": [
            {
                "id": e.id,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "created_at": _value(e.created_at),
            }
            for e in audit
        ],
    }


def for_address(email: str) -> dict:
    """What the platform holds under an e-mail address without an account."""
    return {"email": email, "pledges": _pledges(email, None), "mails": _mails(email, None)}


def holds_anything(email: str) -> bool:
    """Does the platform know this address at all (account, pledge or mail)?"""
    found = db.session.scalar(select(User.id).where(User.email == email).limit(1))
    found = found or db.session.scalar(select(Pledge.id).where(Pledge.email == email).limit(1))
    return bool(found)
