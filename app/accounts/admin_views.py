"""User administration pages for the role `admin`: the list (searchable) and one user's page
with their roles, deactivate / reactivate and resend the invitation. Thin: the rules and
the audit trail are in admin_services (the API uses the same)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import admin_services as admin
from app.accounts.models import ROLES, User
from app.core.auth import roles_required
from app.core.transaction import attempt
from app.extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/users", template_folder="templates")
PAGE = 50
ROLE_LABELS = {
    "applicant": _l("aanvrager"),
    "backer": _l("steuner"),
    "juror": _l("jurylid"),
    "fund_manager": _l("fondsbeheerder"),
    "auditor": _l("toezichthouder"),
    "admin": _l("beheerder"),
    "sponsor": _l("sponsor"),
}


@bp.route("")
@roles_required(*admin.ADMINS)
def users():
    q = request.args.get("q", "")[:200]
    after = request.args.get("after", "")
    query = admin.users_query(q).order_by(User.id)
    if after.isdigit():
        query = query.where(User.id > int(after))
    rows = db.session.scalars(query.limit(PAGE + 1)).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template(
        "accounts/admin_users.html",
        rows=rows,
        q=q,
        next_after=rows[-1].id if more and rows else None,
        labels=ROLE_LABELS,
    )


@bp.route("/<int:user_id>")
@roles_required(*admin.ADMINS)
def user(user_id):
    return render_template(
        "accounts/admin_user.html", user=admin.user_or_404(user_id), roles=ROLES, labels=ROLE_LABELS
    )


@bp.route("/<int:user_id>/<any(grant, revoke, deactivate, reactivate, invite):action>", methods=["POST"])
@roles_required(*admin.ADMINS)
def change(user_id, action):
    """One change from the user's page; a refusal is flashed, nothing is half-written."""
    target = admin.user_or_404(user_id)
    role = request.form.get("role", "")
    actions = {
        "grant": lambda: admin.grant_role(target, role, current_user),
        "revoke": lambda: admin.revoke_role(target, role, current_user),
        "deactivate": lambda: admin.deactivate(target, current_user, request.form.get("note") or None),
        "reactivate": lambda: admin.reactivate(target, current_user, request.form.get("note") or None),
        "invite": lambda: admin.resend_invitation(target, current_user),
    }
    done = {
        "grant": _("De rol is toegekend."),
        "revoke": _("De rol is ingetrokken."),
        "deactivate": _("Het account is uitgeschakeld."),
        "reactivate": _("Het account is weer actief."),
        "invite": _("De uitnodiging is opnieuw verstuurd."),
    }
    here = url_for("accounts_admin.user", user_id=target.id)
    with attempt() as outcome:
        actions[action]()
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(here, 303)
    flash(done[action], "success")
    return redirect(here, 303)
