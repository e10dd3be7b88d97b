"""Who sits on a call's jury: jurors, e-mail invitations, and assignments to applications."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.calls.models import Application, Call
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.funds import services as funds
from app.jury import events
from app.jury.models import Assignment, Juror, JurorInvitation
from app.jury.window import require_manager, window_state

ASSIGNABLE = ("eligible", "in_review")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _grant_juror_role(user: User) -> None:
    if "juror" not in user.roles:
        accounts.set_roles(user, sorted(user.roles | {"juror"}))


def _seat(call: Call, user: User, actor_id: int | None, proven: bool) -> tuple[Juror, bool]:
    juror = db.session.scalar(select(Juror).where(Juror.call_id == call.id, Juror.user_id == user.id))
    if juror is not None:
        if proven and not juror.address_proven:
            juror.address_proven = True
        return juror, False
    juror = Juror(call_id=call.id, user_id=user.id, added_by_id=actor_id, address_proven=proven)
    db.session.add(juror)
    _grant_juror_role(user)
    db.session.flush()
    audit.record(db.session, actor_id, "jury.juror_added", "call", call.id, None, {"user_id": user.id})
    return juror, True


def add_juror(call: Call, email: str, actor: User) -> dict:
    """Put the person with this e-mail on the call's jury. An existing user becomes a juror
    at once; anyone else gets a pending invitation with a link (sent by notifications
    through `juror_invited`). Idempotent: asking twice adds and sends nothing more.
    Refuses an invalid e-mail (422) and a caller who is no fund manager (403)."""
    require_manager(actor)
    email = accounts.normalise_email(email)
    base = funds.base_url(call.fund_id)
    user = accounts.find_user_by_email(email)
    if user is not None:
        _juror, created = _seat(call, user, actor.id, proven=True)
        if created:
            events.juror_invited.send(call, user=user, email=user.email, invite_url=f"{base}/jury")
        return juror_entry(call, user=user) | {"created": created}
    invitation = db.session.scalar(
        select(JurorInvitation).where(JurorInvitation.call_id == call.id, JurorInvitation.email == email)
    )
    if invitation is not None:
        return juror_entry(call, invitation=invitation) | {"created": False}
    token = secrets.token_urlsafe(32)
    invitation = JurorInvitation(
        call_id=call.id, email=email, token_hash=_hash(token), invited_by_id=actor.id
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(db.session, actor.id, "jury.juror_invited", "call", call.id, None, {"email": email})
    events.juror_invited.send(call, user=None, email=email, invite_url=f"{base}/jury/invitations/{token}")
    return juror_entry(call, invitation=invitation) | {"created": True}


def accept_invitation(token: str, user: User) -> Call:
    """Seat `user` on the jury of the invitation's call. The token came by mail, so holding
    it proves the address. Refuses an unknown token or one used by someone else (404)."""
    invitation = db.session.scalar(
        select(JurorInvitation).where(JurorInvitation.token_hash == _hash(token or ""))
    )
    if invitation is None or (invitation.accepted_by_id not in (None, user.id)):
        raise NotFound(_("Deze uitnodiging is ongeldig of al gebruikt."))
    _seat(invitation.call, user, invitation.invited_by_id, proven=True)
    if invitation.accepted_at is None:
        invitation.accepted_at = clock.now()
        invitation.accepted_by_id = user.id
        db.session.flush()
    return invitation.call


def on_user_registered(user: User, **_kw) -> None:
    """Receiver of accounts' `user_registered`: pending invitations to this address seat the
    new user; the seat is active once the address is confirmed (see `is_active_juror`)."""
    invitations = db.session.scalars(
        select(JurorInvitation).where(
            JurorInvitation.email == user.email.lower(), JurorInvitation.accepted_at.is_(None)
        )
    ).all()
    for invitation in invitations:
        _seat(invitation.call, user, invitation.invited_by_id, proven=False)
        invitation.accepted_at = clock.now()
        invitation.accepted_by_id = user.id
    db.session.flush()


def juror_of(call: Call, user: User) -> Juror | None:
    """The user's active seat on the call's jury, or None."""
    juror = db.session.scalar(select(Juror).where(Juror.call_id == call.id, Juror.user_id == user.id))
    if juror is None or not (juror.address_proven or user.email_confirmed_at is not None):
        return None
    return juror


def juror_entry(call: Call, user: User | None = None, invitation: JurorInvitation | None = None) -> dict:
    if user is not None:
        juror = db.session.scalar(select(Juror).where(Juror.call_id == call.id, Juror.user_id == user.id))
        active = juror is not None and juror_of(call, user) is not None
        return {
            "user_id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "status": "active" if active else "unconfirmed",
        }
    return {"user_id": None, "email": invitation.email, "display_name": "", "status": "invited"}


def jurors_of(call: Call) -> list[dict]:
    """Every juror of the call and every invitation still pending, with their status."""
    rows = db.session.scalars(select(Juror).where(Juror.call_id == call.id).order_by(Juror.id)).all()
    out = [juror_entry(call, user=j.user) for j in rows]
    pending = db.session.scalars(
        select(JurorInvitation)
        .where(JurorInvitation.call_id == call.id, JurorInvitation.accepted_at.is_(None))
        .order_by(JurorInvitation.id)
    ).all()
    return out + [juror_entry(call, invitation=i) for i in pending]


# --- assignments -------------------------------------------------------------------------


def assignable_applications(call: Call) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(ASSIGNABLE))
            .order_by(Application.id)
        )
    )


def _check_can_assign(call: Call, actor: User) -> None:
    require_manager(actor)
    if window_state(call) == "closed":
        raise Conflict(_("Het jurytermijn is gesloten."), code="window_closed")


def _assignment(application_id: int, user_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(Assignment.application_id == application_id, Assignment.user_id == user_id)
    )


def _create(call: Call, app: Application, user: User, actor: User) -> Assignment:
    a = Assignment(call_id=call.id, application_id=app.id, user_id=user.id, assigned_by_id=actor.id)
    db.session.add(a)
    db.session.flush()
    audit.record(
        db.session,
        actor.id,
        "jury.assigned",
        "jury_assignment",
        a.id,
        None,
        {"application_id": app.id, "user_id": user.id},
    )
    return a


def assign(call: Call, juror_email: str, application_id: int | None, actor: User) -> list[Assignment]:
    """Assign a juror one application of the call, or every assignable one when
    `application_id` is None. Never assigns a juror their own application or one they
    declared a conflict on (409). Idempotent: existing assignments are left as they are.
    Refuses an unknown juror or application (422) and a closed window (409)."""
    _check_can_assign(call, actor)
    user = accounts.find_user_by_email(accounts.normalise_email(juror_email))
    if user is None or juror_of(call, user) is None:
        msg = _("Geen jurylid van deze oproep.")
        raise ValidationFailed(msg, details={"juror_email": [msg]})
    if application_id is None:
        targets = [a for a in assignable_applications(call) if a.owner_id != user.id]
    else:
        app = db.session.get(Application, application_id)
        if app is None or app.call_id != call.id or app.status not in ASSIGNABLE:
            msg = _("Geen ontvankelijke aanvraag van deze oproep.")
            raise ValidationFailed(msg, details={"application_id": [msg]})
        if app.owner_id == user.id:
            raise Conflict(_("Een jurylid beoordeelt zijn eigen aanvraag niet."), code="own_application")
        existing = _assignment(app.id, user.id)
        if existing is not None and existing.declaration == "conflict":
            raise Conflict(_("Dit jurylid meldde een belangenconflict."), code="conflict_declared")
        targets = [app]
    out = []
    for app in targets:
        existing = _assignment(app.id, user.id)
        if existing is None:
            out.append(_create(call, app, user, actor))
        elif existing.declaration != "conflict":
            out.append(existing)
    return out


def auto_assign(call: Call, per_application: int, actor: User) -> dict:
    """Give every assignable application `per_application` jurors without a conflict,
    spreading the load: the most constrained application chooses first, and takes the
    least loaded jurors (then the lowest user id). Never the owner, never a juror with a
    declared conflict. Running it again adds nothing. Returns {created: [Assignment],
    short: [{application_id, missing}]} for applications without enough jurors."""
    _check_can_assign(call, actor)
    if (
        isinstance(per_application, bool)
        or not isinstance(per_application, int)
        or not 1 <= per_application <= 50
    ):
        msg = _("Een geheel getal van 1 tot 50.")
        raise ValidationFailed(msg, details={"per_application": [msg]})
    users = [
        j.user
        for j in db.session.scalars(select(Juror).where(Juror.call_id == call.id).order_by(Juror.user_id))
        if juror_of(call, j.user) is not None
    ]
    existing = db.session.scalars(select(Assignment).where(Assignment.call_id == call.id)).all()
    taken = {(a.application_id, a.user_id) for a in existing}
    load = Counter(a.user_id for a in existing if a.declaration != "conflict")
    have = Counter(a.application_id for a in existing if a.declaration != "conflict")
    apps = assignable_applications(call)

    def candidates(app):
        return [u for u in users if u.id != app.owner_id and (app.id, u.id) not in taken]

    created, short = [], []
    for app in sorted(apps, key=lambda a: (len(candidates(a)), a.id)):
        need = per_application - have[app.id]
        if need <= 0:
            continue
        chosen = sorted(candidates(app), key=lambda u: (load[u.id], u.id))[:need]
        for u in chosen:
            created.append(_create(call, app, u, actor))
            load[u.id] += 1
            taken.add((app.id, u.id))
        if len(chosen) < need:
            short.append({"application_id": app.id, "missing": need - len(chosen)})
    return {"created": created, "short": sorted(short, key=lambda s: s["application_id"])}


def assignments_of_call(call: Call) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.call_id == call.id)
            .order_by(Assignment.application_id, Assignment.id)
        )
    )


def assignments_of_juror(user: User) -> list[Assignment]:
    """The user's assignments where the seat is active, newest call first."""
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.user_id == user.id)
        .order_by(Assignment.call_id.desc(), Assignment.id)
    ).all()
    return [a for a in rows if juror_of(a.application.call, user) is not None]
