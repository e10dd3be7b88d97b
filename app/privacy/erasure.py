"""Erasure (GDPR art. 17) without touching the books.

The journal and its sealed chain are append-only and carry no e-mail: a pledge is named
there by id and, in the public records, by a pseudonym. Erasing a person overwrites the
personal data beside the books (account, pledges, applications' contact data, mails) and
leaves every amount, date and id, so `ledger verify` and `transparency verify` stay green.

The audit trail loses the person's name, e-mail and messages (the events about their account
and pledges, and any mention elsewhere); action, object, actor and time stay.

Kept, because the law requires it (docs/privacy.md): the encrypted tax-certificate data of
certificate years whose retention has not passed (the tax administration may ask for it);
the amounts and dates of pledges (accounting, 10 years). Everything else goes now.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import or_, select, update

from app.accounts import services as accounts
from app.accounts.models import User
from app.calls.models import Application
from app.campaigns.models import Pledge
from app.core import audit, clock
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.privacy import retention

ERASED_DOMAIN = "erased.invalid"
ERASED_PASSWORD_HASH = "!erased"  # noqa: S105 - not a password: a value no password verifies


def placeholder(email: str) -> str:
    """The address an erased person's rows keep: the same for all their rows (so counts of
    distinct backers do not change), keyed, so it cannot be tested against a guessed e-mail
    without the pseudonym key, and not deliverable."""
    key = (current_app.config.get("PSEUDONYM_KEY") or "").encode()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:20]
    return f"erased-{digest}@{ERASED_DOMAIN}"


def _erase_pledges(email: str | None, user_id: int | None, names: set[str]) -> list[int]:
    """Overwrite the person's pledges (adding the names they used to `names`); their ids."""
    conditions = []
    if email:
        conditions.append(Pledge.email == email)
    if user_id:
        conditions.append(Pledge.user_id == user_id)
    if not conditions:
        return []
    pledges = db.session.scalars(select(Pledge).where(or_(*conditions))).all()
    for pledge in pledges:
        names.add(pledge.display_name or "")
        if pledge.email:
            pledge.email = placeholder(pledge.email)
        pledge.display_name = ""
        pledge.message = ""
        pledge.anonymous = True
        pledge.notify_opt_in = False
        if pledge.tax_certificate_encrypted is not None and not retention.tax_data_must_be_kept(pledge):
            retention.shred_tax_data(pledge)
    return [p.id for p in pledges]


def _erase_mails(email: str | None, user_id: int | None) -> None:
    conditions = []
    if email:
        conditions.append(OutboxMessage.recipient == email)
    if user_id:
        conditions.append(OutboxMessage.user_id == user_id)
    if not conditions:
        return
    new_address = placeholder(email) if email else f"erased@{ERASED_DOMAIN}"
    db.session.execute(
        update(OutboxMessage)
        .where(or_(*conditions))
        .values(recipient=new_address, context={}, body_text=None, body_html=None, subject=None, user_id=None)
        .execution_options(synchronize_session=False)
    )


def erase_address(email: str, actor_id: int | None = None) -> dict:
    """Erase what is held under an e-mail address; the account too, when there is one."""
    email = email.strip().lower()
    user = accounts.find_user_by_email(email)
    if user is not None:
        return erase_user(user, actor_id)
    names: set[str] = set()
    pledges = _erase_pledges(email, None, names)
    _erase_mails(email, None)
    scrubbed = _scrub_audit(email, names, [("pledge", i) for i in pledges], None)
    audit.record(
        db.session, actor_id, audit.ERASURE_ACTION, "address", None, after=_summary(pledges, scrubbed)
    )
    return {"pledges": len(pledges), "account": False}


def _scrub_audit(email: str, names: set[str], about: list[tuple[str, int]], user_id: int | None) -> list[int]:
    """Scrub the person from the audit trail (app/core/audit.py: action, object and time stay;
    the erasure event lists the ids, so the audit chain's check accepts them)."""
    return audit.scrub(db.session, [email], sorted(names), about, actor_id=user_id)


def _summary(pledges: list[int], scrubbed: list[int]) -> dict:
    return {"pledges": len(pledges), audit.SCRUBBED_KEY: scrubbed}


def erase_user(user: User, actor_id: int | None = None) -> dict:
    """Erase an account: its data is overwritten, its row stays (ids in the books and the
    audit trail point at it), it can never log in again."""
    email = user.email
    names = {user.display_name or ""}
    pledges = _erase_pledges(email, user.id, names)
    _erase_mails(email, user.id)
    for app in db.session.scalars(select(Application).where(Application.owner_id == user.id)):
        if app.status == "draft":
            db.session.delete(app)  # never submitted: nobody decided anything on it
        # A submitted application is the fund's record of a grant decision: its project text
        # stays, the person is gone from the account it belongs to.
    accounts.revoke_all_tokens(user)
    accounts.end_all_sessions(user)
    user.role_rows = []
    user.email = placeholder(email)
    user.display_name = ""
    user.password_hash = ERASED_PASSWORD_HASH  # no argon2 hash: matches no password
    user.security_stamp += 1
    user.erased_at = clock.now()
    about = [("user", user.id), *(("pledge", i) for i in pledges)]
    scrubbed = _scrub_audit(email, names, about, user.id)
    audit.record(
        db.session, actor_id, audit.ERASURE_ACTION, "user", user.id, after=_summary(pledges, scrubbed)
    )
    db.session.flush()
    return {"pledges": len(pledges), "account": True}
