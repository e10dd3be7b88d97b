"""Privacy pages: the notice, a person's own data, mailed request links, the managers' list."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.auth import roles_required
from app.core.transaction import attempt
from app.privacy import export, requests

bp = Blueprint("privacy", __name__, template_folder="templates")
MANAGERS = ("fund_manager", "admin")


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
