"""Privacy pages: the notice, a person's own data, mailed request links, the managers' list."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.accounts import services as accounts
from app.core import ratelimit
from app.core.auth import roles_required
from app.core.transaction import attempt
from app.privacy import export, forms, requests, services

bp = Blueprint("privacy", __name__, template_folder="templates")
MANAGERS = ("fund_manager", "admin")
ERASED_SESSION_KEY = "privacy_erased"


def _json_download(data: dict, filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/privacy")
def notice():
    cfg = current_app.config
    return render_template(
        "privacy/notice.html",
        controller=cfg.get("PRIVACY_CONTROLLER") or _("het streekfonds"),
        contact=cfg.get("PRIVACY_CONTACT") or "",
        tax_years=cfg.get("RETENTION_TAX_YEARS", 7),
        draft_days=cfg.get("RETENTION_DRAFT_DAYS", 365),
        unconfirmed_days=cfg.get("RETENTION_UNCONFIRMED_DAYS", 30),
    )


@bp.route("/privacy/my-data.json")
@login_required
def my_data():
    return _json_download(export.for_user(current_user), "streekfonds-my-data.json")


@bp.route("/account/erase", methods=["GET", "POST"])
@login_required
def erase():
    """Erase my account: what goes and what stays, the password, then a page of its own."""
    form = forms.EraseForm()
    if form.validate_on_submit():
        if accounts.authenticate(current_user.email, form.password.data) is None:
            # Counted like failed log-ins of the account: a left-open session cannot be
            # used to guess the password here without limit.
            ratelimit.hit("RATELIMIT_LOGIN_ACCOUNT", f"erase:{current_user.id}")
            form.password.errors = [_("Je wachtwoord klopt niet.")]
        else:
            user_id = current_user.id
            with attempt() as outcome:
                result = services.erase_user(current_user._get_current_object(), user_id)
            if not outcome.failed:
                logout_user()
                session.clear()
                session[ERASED_SESSION_KEY] = result["pledges"]
                return redirect(url_for("privacy.erased"))
            flash(outcome.error.message, "error")
    return render_template(
        "privacy/erase.html", form=form, tax_years=current_app.config.get("RETENTION_TAX_YEARS", 7)
    )


@bp.route("/account/erased")
def erased():
    """The confirmation, once, in the browser that erased the account."""
    if ERASED_SESSION_KEY not in session:
        return redirect(url_for("privacy.notice"))
    pledges = session.pop(ERASED_SESSION_KEY)
    return render_template("privacy/erased.html", pledges=pledges)


@bp.route("/privacy/requests/<token>")
def request(token):
    row = requests.by_token(token)
    return render_template("privacy/request.html", row=row, token=token)


@bp.route("/privacy/requests/<token>", methods=["POST"])
def confirm_request(token):
    row = requests.by_token(token)
    with attempt() as outcome:
        result = requests.carry_out(row)
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(url_for("privacy.notice"))
    if row.kind == "access":
        return _json_download(result, "streekfonds-my-data.json")
    flash(_("Je gegevens zijn gewist."), "success")
    return redirect(url_for("privacy.notice"))


@bp.route("/manage/privacy-requests")
@roles_required(*MANAGERS)
def manage_requests():
    return render_template("privacy/manage.html", rows=requests.pending())


@bp.route("/manage/privacy-requests/<int:request_id>/carry-out", methods=["POST"])
@roles_required(*MANAGERS)
def carry_out(request_id):
    row = requests.get(request_id)
    with attempt() as outcome:
        result = requests.carry_out(row, current_user.id)
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(url_for("privacy.manage_requests"))
    if row.kind == "access":
        return _json_download(result, f"privacy-request-{row.id}.json")
    flash(_("De gegevens zijn gewist."), "success")
    return redirect(url_for("privacy.manage_requests"))
