"""The fund manager's bank page: import a statement, work through the reconciliation
queue, undo a decision. Thin: parse, call one service, commit or show the error."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.banking import forms, services
from app.core.auth import roles_required
from app.core.errors import DomainError
from app.extensions import db

bp = Blueprint("banking", __name__, template_folder="templates")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")


@bp.route("/manage/bank", methods=["GET", "POST"])
@roles_required(*READERS, write_roles=WRITERS)
def bank():
    form = forms.StatementForm()
    status = 200
    if form.validate_on_submit():
        try:
            result = services.import_file(form.file.data.read(), current_user.id)
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [exc.message]
            status = 422
        else:
            db.session.commit()
            flash(
                _(
                    "%(lines)d bewegingen: %(matched)d gekoppeld, %(unmatched)d in de wachtrij, "
                    "%(duplicates)d al eerder ingelezen.",
                    lines=result.lines,
                    matched=result.matched,
                    unmatched=result.unmatched,
                    duplicates=result.duplicates,
                ),
                "success",
            )
            return redirect(url_for("banking.bank"), 303)
    elif form.errors:
        status = 422
    return (
        render_template(
            "banking/bank.html",
            form=form,
            queue=services.lines("unmatched", limit=200),
            recent=services.lines(limit=30),
            assign_form=forms.AssignForm(),
            undo_form=forms.UndoForm(),
        ),
        status,
    )


@bp.route("/manage/bank/lines/<int:line_id>/assign", methods=["POST"])
@roles_required(*WRITERS)
def assign(line_id):
    form = forms.AssignForm()
    if not form.validate_on_submit():
        flash(_("Kies waarvoor het geld is."), "error")
        return redirect(url_for("banking.bank") + f"#line-{line_id}", 303)
    choice = {form.target.data: (form.note.data or "-") if form.target.data == "other" else form.number.data}
    try:
        services.assign(line_id, choice, current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Beweging %(id)d geboekt.", id=line_id), "success")
    return redirect(url_for("banking.bank"), 303)


@bp.route("/manage/bank/lines/<int:line_id>/undo", methods=["POST"])
@roles_required(*WRITERS)
def undo(line_id):
    form = forms.UndoForm()
    if form.validate_on_submit():
        try:
            services.undo(line_id, current_user.id, form.note.data or None)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Beweging %(id)d staat terug in de wachtrij.", id=line_id), "success")
    return redirect(url_for("banking.bank") + request.args.get("anchor", ""), 303)
