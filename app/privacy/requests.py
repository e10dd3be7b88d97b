"""Privacy requests by e-mail: access or erasure for whoever holds the address.

`POST /api/v1/privacy/requests {email, kind}` always answers 202 with the same body: an
address the platform does not know gets nothing, a known one gets a mail with a link that
carries out the request (valid REQUEST_MAX_AGE). A fund manager can carry out a request
too (someone who asked by letter or phone, after checking who they are).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.services import find_user_by_email, normalise_email
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.notifications import services as notifications
from app.privacy import erasure, export
from app.privacy.models import KINDS, PrivacyRequest

REQUEST_MAX_AGE = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_request(email: str, kind: str) -> PrivacyRequest | None:
    """Record the request and mail its link, if the address is known; None otherwise."""
    if kind not in KINDS:
        msg = _("Kies 'access' of 'erasure'.")
        raise ValidationFailed(msg, details={"kind": [msg]})
    email = normalise_email(email)
    if not export.holds_anything(email):
        return None
    token = secrets.token_urlsafe(32)
    row = PrivacyRequest(email=email, kind=kind, token_hash=_hash(token))
    db.session.add(row)
    db.session.flush()
    notifications.mail_privacy_request(email, kind, row.id, token)
    return row


def by_token(token: str) -> PrivacyRequest:
    """The pending request of a mailed link; 404 for an unknown, used or expired one."""
    row = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.token_hash == _hash(token or "")))
    if row is None or row.status != "pending" or clock.now() - row.created_at > REQUEST_MAX_AGE:
        raise NotFound(_("Deze link is ongeldig of verlopen."))
    return row


def get(request_id: int) -> PrivacyRequest:
    row = db.session.get(PrivacyRequest, request_id)
    if row is None:
        raise NotFound(_("Verzoek niet gevonden."))
    return row


def pending() -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            select(PrivacyRequest).where(PrivacyRequest.status == "pending").order_by(PrivacyRequest.id)
        )
    )


def data_for(row: PrivacyRequest) -> dict:
    """The access answer of a request (the account's file when the address has one)."""
    user = find_user_by_email(row.email)
    return export.for_user(user) if user is not None else export.for_address(row.email)


def carry_out(row: PrivacyRequest, actor_id: int | None = None) -> dict:
    """Do what was asked: access returns the data, erasure erases. Marks the request done and
    keeps of the address only its hash."""
    if row.status != "pending":
        raise Conflict(_("Dit verzoek is al afgehandeld."), code="request_done")
    result = data_for(row) if row.kind == "access" else erasure.erase_address(row.email, actor_id)
    row.status, row.done_at, row.carried_out_by_id = "done", clock.now(), actor_id
    row.email = "sha256:" + hashlib.sha256(row.email.encode()).hexdigest()[:40]
    audit.record(db.session, actor_id, f"privacy.{row.kind}", "privacy_request", row.id)
    return result
