"""A sponsor's contacts: people with the role `sponsor` who log in and see only their own
sponsors' money (commitments with earmark and balances, the projects it doubled and what
each drew from them).

The fund manager links an existing user at once, or invites a new address: an invitation
with a link (like a juror's), whose token proves the address when it is followed. An
account registered later with the same address is NOT linked by that alone: anyone may
register any address, and a sponsor's report is not for anyone.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.core import audit, clock
from app.core.errors import NotFound
from app.extensions import db
from app.funds import services as funds
from app.matching import events
from app.matching.models import Sponsor, SponsorContact, SponsorInvitation
from app.matching.sponsors import get_sponsor

STAFF = ("fund_manager", "admin", "auditor")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link(sponsor: Sponsor, user: User, actor_id: int | None) -> bool:
    """Link and grant the role; False when the link existed."""
    exists = db.session.scalar(
        select(SponsorContact.id).where(
            SponsorContact.sponsor_id == sponsor.id, SponsorContact.user_id == user.id
        )
    )
    if exists is not None:
        return False
    db.session.add(SponsorContact(sponsor_id=sponsor.id, user_id=user.id, created_by_id=actor_id))
    if "sponsor" not in user.roles:
        accounts.set_roles(user, sorted(user.roles | {"sponsor"}))
    db.session.flush()
    audit.record(
        db.session, actor_id, "sponsor.contact_linked", "sponsor", sponsor.id, None, {"user_id": user.id}
    )
    return True


def add_contact(sponsor: Sponsor, email: str, actor: User) -> dict[str, Any]:
    """Link the user with this e-mail to the sponsor at once, or invite the address.
    Idempotent: asking twice links or sends nothing more. 422 for a bad e-mail."""
    email = accounts.normalise_email(email)
    user = accounts.find_user_by_email(email)
    if user is not None:
        created = _link(sponsor, user, actor.id)
        return {**_entry(user=user), "created": created}
    invitation = db.session.scalar(
        select(SponsorInvitation).where(
            SponsorInvitation.sponsor_id == sponsor.id, SponsorInvitation.email == email
        )
    )
    if invitation is not None:
        return {**_entry(invitation=invitation), "created": False}
    token = secrets.token_urlsafe(32)
    invitation = SponsorInvitation(
        sponsor_id=sponsor.id, email=email, token_hash=_hash(token), invited_by_id=actor.id
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        db.session, actor.id, "sponsor.contact_invited", "sponsor", sponsor.id, None, {"email": email}
    )
    base = funds.base_url(sponsor.fund_id)
    events.sponsor_contact_invited.send(
        sponsor, email=email, invite_url=f"{base}/sponsor/invitations/{token}"
    )
    return {**_entry(invitation=invitation), "created": True}


def _entry(user: User | None = None, invitation: SponsorInvitation | None = None) -> dict[str, Any]:
    if user is not None:
        return {"user_id": user.id, "email": user.email, "status": "linked", "invited_at": None}
    assert invitation is not None
    return {
        "user_id": None,
        "email": invitation.email,
        "status": "invited",
        "invited_at": invitation.created_at,
    }


def contacts_of(sponsor: Sponsor) -> list[dict[str, Any]]:
    """Linked users, then pending invitations."""
    users = db.session.scalars(
        select(User)
        .join(SponsorContact, SponsorContact.user_id == User.id)
        .where(SponsorContact.sponsor_id == sponsor.id)
        .order_by(User.id)
    )
    pending = db.session.scalars(
        select(SponsorInvitation)
        .where(SponsorInvitation.sponsor_id == sponsor.id, SponsorInvitation.accepted_at.is_(None))
        .order_by(SponsorInvitation.id)
    )
    return [_entry(user=u) for u in users] + [_entry(invitation=i) for i in pending]


def remove_contact(sponsor: Sponsor, user_id: int, actor: User) -> None:
    """Unlink; the role `sponsor` goes when no sponsor is left. 404 when not linked."""
    link = db.session.scalar(
        select(SponsorContact).where(
            SponsorContact.sponsor_id == sponsor.id, SponsorContact.user_id == user_id
        )
    )
    if link is None:
        raise NotFound(_("Contactpersoon niet gevonden."))
    db.session.delete(link)
    db.session.flush()
    user = db.session.get(User, user_id)
    if user is not None and not sponsor_ids_of(user) and "sponsor" in user.roles:
        accounts.set_roles(user, sorted(user.roles - {"sponsor"}))
    audit.record(
        db.session, actor.id, "sponsor.contact_unlinked", "sponsor", sponsor.id, {"user_id": user_id}, None
    )


def accept_invitation(token: str, user: User) -> Sponsor:
    """Link `user` to the sponsor of the invitation (the token came by mail, so holding it
    proves the address). 404 for an unknown token or one another user accepted."""
    invitation = db.session.scalar(
        select(SponsorInvitation).where(SponsorInvitation.token_hash == _hash(token or ""))
    )
    if invitation is None or invitation.accepted_by_id not in (None, user.id):
        raise NotFound(_("Deze uitnodiging is ongeldig."))
    sponsor = get_sponsor(invitation.sponsor_id)
    _link(sponsor, user, invitation.invited_by_id)
    if invitation.accepted_at is None:
        invitation.accepted_at = clock.now()
        invitation.accepted_by_id = user.id
    db.session.flush()
    return sponsor


def sponsor_ids_of(user: User) -> list[int]:
    return list(
        db.session.scalars(
            select(SponsorContact.sponsor_id)
            .where(SponsorContact.user_id == user.id)
            .order_by(SponsorContact.sponsor_id)
        )
    )


def sponsors_of(user: User) -> list[Sponsor]:
    """The sponsors this user speaks for."""
    ids = sponsor_ids_of(user)
    return [get_sponsor(i) for i in ids]


def sponsor_for_reader(sponsor_id: int, user: User | None) -> Sponsor:
    """The sponsor for the fund's staff and the overseer, or for one of its own contacts;
    404 for anyone else (ids reveal nothing)."""
    if user is not None and user.has_role(*STAFF):
        return get_sponsor(sponsor_id)
    if user is not None and user.has_role("sponsor") and sponsor_id in sponsor_ids_of(user):
        return get_sponsor(sponsor_id)
    raise NotFound(_("Sponsor niet gevonden."))
