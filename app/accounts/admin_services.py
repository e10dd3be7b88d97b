"""User administration (role `admin`): find users, grant and revoke roles, deactivate and
reactivate accounts, resend an invitation. Every change is in the audit trail. Re-exported
by `app.accounts.services` (with `set_roles`, the one way roles change).

A deactivated user cannot log in; the security stamp moves, so their sessions end at once,
and `user_for_token` refuses their API tokens from the next request on (it checks
`active`). An admin cannot lock themselves out: deactivating oneself or dropping one's own
admin role is refused (409), so the platform never loses its last way in by accident.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.accounts import events, grants
from app.accounts.models import FUND_ROLES, ROLES, User, UserRole
from app.accounts.tokens import link
from app.core import audit, tenancy
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db

ADMINS = ("admin",)


def require_admin(actor: User | None) -> None:
    if actor is None or not actor.has_role(*ADMINS):
        raise Forbidden(_("Alleen een beheerder van de gebruikers mag dit."))


def users_query(q: str = ""):
    """Users whose e-mail or name holds `q` (case-insensitive), all users without it."""
    query = select(User)
    text = (q or "").strip().lower()[:200]
    if text:
        like = f"%{text}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like)))
    return query


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Gebruiker niet gevonden."))
    return user


def set_roles(user: User, roles: list[str], funds: list[str] | None = None) -> None:
    """Give the user exactly these roles; the roles of a fund in `funds` (slugs, `*` for
    every fund), by default the fund of the page the administrator is on (or the only one).
    Roles held in other funds stay as they are."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationFailed(_("Onbekende rol: %(r)s", r=", ".join(sorted(unknown))))
    here = tenancy.single_fund_id()
    fund_ids = [here] if funds is None and here is not None else grants.fund_ids_for_grant(funds)
    for row in list(user.role_rows):
        in_play = row.fund_id in fund_ids if row.role in FUND_ROLES else True
        if in_play and row.role not in roles:
            user.role_rows.remove(row)
    for role in roles:
        for fund_id in fund_ids if role in FUND_ROLES else [None]:
            if not any(r.role == role and r.fund_id == fund_id for r in user.role_rows):
                user.role_rows.append(UserRole(role=role, fund_id=fund_id))
    db.session.flush()


def _check_role(role: str) -> str:
    if role not in ROLES:
        msg = _("Onbekende rol: %(r)s", r=role)
        raise ValidationFailed(msg, details={"role": [msg]})
    return role


def grant_role(user: User, role: str, actor: User, funds: list[str] | None = None) -> User:
    """Give `user` the role (nothing changes when they hold it already), for a role of a
    fund in `funds` (see set_roles)."""
    require_admin(actor)
    _check_role(role)
    if role in user.roles and not funds:
        return user
    before = sorted(user.roles)
    set_roles(user, sorted(user.roles | {role}), funds)
    audit.record(
        db.session,
        actor.id,
        "user.role_granted",
        "user",
        user.id,
        {"roles": before},
        {"roles": sorted(user.roles)},
    )
    return user


def revoke_role(user: User, role: str, actor: User, funds: list[str] | None = None) -> User:
    """Take the role away (nothing changes when they do not hold it); 409 for one's own
    admin role."""
    require_admin(actor)
    _check_role(role)
    if role not in user.roles:
        return user
    if user.id == actor.id and role == "admin":
        raise Conflict(_("Je kunt je eigen beheerdersrol niet intrekken."), code="own_admin_role")
    before = sorted(user.roles)
    set_roles(user, sorted(user.roles - {role}), funds)
    audit.record(
        db.session,
        actor.id,
        "user.role_revoked",
        "user",
        user.id,
        {"roles": before},
        {"roles": sorted(user.roles)},
    )
    return user


def deactivate(user: User, actor: User, note: str | None = None) -> User:
    """The account can no longer log in; its sessions and API tokens stop at once.
    409 for oneself."""
    require_admin(actor)
    if user.id == actor.id:
        raise Conflict(_("Je kunt je eigen account niet uitschakelen."), code="own_account")
    if not user.active:
        return user
    user.active = False
    user.security_stamp += 1  # ends every session of the user
    db.session.flush()
    audit.record(
        db.session, actor.id, "user.deactivated", "user", user.id, {"active": True}, {"active": False}, note
    )
    return user


def reactivate(user: User, actor: User, note: str | None = None) -> User:
    """The account may log in again (with its password; old sessions stay ended)."""
    require_admin(actor)
    if user.active:
        return user
    user.active = True
    db.session.flush()
    audit.record(
        db.session, actor.id, "user.reactivated", "user", user.id, {"active": False}, {"active": True}, note
    )
    return user


def resend_invitation(user: User, actor: User) -> User:
    """Mail the confirmation link again to an account whose address is not confirmed yet
    (a fresh link; the mail goes out once per link). 409 already_confirmed for a confirmed
    account (it logs in or asks for a password reset), 409 inactive for a deactivated one."""
    require_admin(actor)
    if not user.active:
        raise Conflict(_("Dit account is uitgeschakeld."), code="inactive")
    if user.email_confirmed_at is not None:
        raise Conflict(_("Dit account is al bevestigd."), code="already_confirmed")
    events.user_registered.send(user, confirm_url=link("confirm", user))
    audit.record(db.session, actor.id, "user.invitation_resent", "user", user.id, None, {"email": user.email})
    return user
