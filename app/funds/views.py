"""The funds' pages: a fund's logo, and the administrator's pages to create and edit funds.
Thin: the rules are in funds.services."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.auth import roles_required
from app.core.transaction import attempt
from app.funds import services
from app.funds.forms import FundForm

bp = Blueprint("funds", __name__, template_folder="templates")


@bp.route("/funds/<slug>/logo")
def logo(slug):
    found = services.logo(slug)
    if found is None:
        abort(404)
    content, kind = found
    response = Response(content, mimetype=kind)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/admin/funds", methods=["GET", "POST"])
@roles_required("admin")
def admin_list():
    form = FundForm()
    if request.method == "GET":
        form.primary_colour.data = "#0b5d3b"
    if form.validate_on_submit():
        with attempt() as outcome:
            fund = services.create(form.slug.data, form.values(), current_user.id)
            if form.logo_file.data:
                services.set_logo(fund, form.logo_file.data.read(), current_user.id)
        if not outcome.failed:
            flash(_("Het fonds is aangemaakt."), "info")
            return redirect(url_for("funds.admin_edit", slug=fund.slug))
        _show(form, outcome.error)
    return render_template("funds/admin_list.html", funds=services.all_funds(), form=form)


@bp.route("/admin/funds/<slug>", methods=["GET", "POST"])
@roles_required("admin")
def admin_edit(slug):
    fund = services.get_by_slug(slug)
    form = FundForm(obj=fund)
    if request.method == "GET":
        form.municipalities.data = "\n".join(fund.municipalities or [])
        form.hosts.data = "\n".join(fund.hosts or [])
    if form.validate_on_submit():
        with attempt() as outcome:
            services.update(fund, form.values(), current_user.id)
            if form.logo_file.data:
                services.set_logo(fund, form.logo_file.data.read(), current_user.id)
        if not outcome.failed:
            flash(_("Het fonds is bewaard."), "info")
            return redirect(url_for("funds.admin_edit", slug=slug))
        _show(form, outcome.error)
    return render_template("funds/admin_edit.html", fund=fund, form=form)


def _show(form: FundForm, error) -> None:
    placed = False
    for name, messages in (error.details or {}).items():
        name = "logo_file" if name == "logo" else name
        if name in form and isinstance(messages, list):
            getattr(form, name).errors = list(messages)
            placed = True
    if not placed:
        flash(error.message, "error")
