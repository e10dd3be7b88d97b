"""The juror's pages: my assignments, the invitation link, declare, score and submit.

The fund manager's pages are in manage_views.py, on the same blueprint.
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import services as calls
from app.calls.forms import APPLICANT_TYPE_LABELS
from app.core.errors import DomainError
from app.core.transaction import attempt
from app.extensions import db
from app.jury import forms
from app.jury import services as jury

bp = Blueprint("jury", __name__, template_folder="templates")


def place_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    """Put a service's field errors next to the fields; flash the rest."""
    placed = False
    for field, msgs in (exc.details or {}).items():
        name = (mapping or {}).get(field, field)
        if name in form and isinstance(msgs, list):
            form[name].errors = list(form[name].errors or []) + [str(m) for m in msgs]
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/jury")
@login_required
def my_assignments():
    rows = jury.assignments_of_juror(current_user)
    groups = [(call_id, list(items)) for call_id, items in groupby(rows, key=lambda a: a.call_id)]
    calls_by_id = {cid: items[0].application.call for cid, items in groups}
    states = {cid: jury.window_state(c) for cid, c in calls_by_id.items()}
    return render_template("jury/my_assignments.html", groups=groups, calls=calls_by_id, states=states)


@bp.route("/jury/invitations/<token>")
@login_required
def accept_invitation(token):
    call = jury.accept_invitation(token, current_user)
    db.session.commit()
    flash(_("Je zetelt nu in de jury van %(t)s.", t=call.title), "success")
    return redirect(url_for("jury.my_assignments"))


def _score_form(assignment, formdata=None):
    cls = forms.score_form_class(assignment.application.call.criteria)
    form = cls(formdata=formdata)
    if formdata is None:
        for key, value in (assignment.scores or {}).items():
            if f"score_{key}" in form:
                form[f"score_{key}"].data = value
        form.comment.data = assignment.comment
    return form


def _render_review(assignment, declare_form=None, score_form=None, status=200):
    view = jury.score_view(assignment)
    state = jury.window_state(assignment.application.call)
    return render_template(
        "jury/review.html",
        a=assignment,
        view=view,
        state=state,
        declare_form=declare_form or forms.DeclareForm(),
        score_form=score_form or _score_form(assignment),
        criteria=assignment.application.call.criteria,
        type_labels=APPLICANT_TYPE_LABELS,
    ), status


@bp.route("/jury/applications/<int:app_id>")
@login_required
def review(app_id):
    return _render_review(jury.juror_assignment(app_id, current_user))


@bp.route("/jury/applications/<int:app_id>/declare", methods=["POST"])
@login_required
def declare(app_id):
    assignment = jury.juror_assignment(app_id, current_user)
    form = forms.DeclareForm()
    if not form.validate_on_submit():
        return _render_review(assignment, declare_form=form, status=422)
    conflict = form.decision.data == "conflict"
    with attempt() as outcome:
        jury.declare(app_id, current_user, conflict, form.reason.data or "")
    if outcome.failed:
        exc = outcome.error
        if exc.status == 404:
            raise exc
        assignment = jury.juror_assignment(app_id, current_user)
        place_errors(form, exc)
        return _render_review(assignment, declare_form=form, status=exc.status)
    if conflict:
        flash(_("Je belangenconflict is genoteerd; je beoordeelt deze aanvraag niet."), "info")
        return redirect(url_for("jury.my_assignments"))
    flash(_("Genoteerd: geen belangenconflict. Je kan nu scoren."), "success")
    return redirect(url_for("jury.review", app_id=app_id))


@bp.route("/jury/applications/<int:app_id>/score", methods=["POST"])
@login_required
def score(app_id):
    assignment = jury.juror_assignment(app_id, current_user)
    form = _score_form(assignment, formdata=request.form)
    if not form.validate_on_submit():
        return _render_review(assignment, score_form=form, status=422)
    criteria = assignment.application.call.criteria
    scores = {c["key"]: form[f"score_{c['key']}"].data for c in criteria}
    scores = {k: v for k, v in scores.items() if v is not None}
    submit = request.form.get("action") == "submit"
    with attempt() as outcome:
        jury.save_score(app_id, current_user, scores, form.comment.data or "", submit)
    if outcome.failed:
        exc = outcome.error
        if exc.status == 404:
            raise exc
        assignment = jury.juror_assignment(app_id, current_user)
        details = exc.details.get("scores") if isinstance(exc.details.get("scores"), dict) else None
        if details:
            for key, msgs in details.items():
                if f"score_{key}" in form:
                    form[f"score_{key}"].errors = list(form[f"score_{key}"].errors or []) + list(msgs)
        else:
            place_errors(form, exc)
        return _render_review(assignment, score_form=form, status=exc.status)
    flash(_("Je scores zijn ingediend.") if submit else _("Je scores zijn bewaard."), "success")
    return redirect(url_for("jury.review", app_id=app_id))


@bp.route("/jury/applications/<int:app_id>/attachments/<int:att_id>")
@login_required
def attachment(app_id, att_id):
    assignment = jury.juror_assignment(app_id, current_user)
    if assignment.declaration != "no_conflict":
        flash(_("Verklaar eerst of je een belangenconflict hebt."), "error")
        return redirect(url_for("jury.review", app_id=app_id))
    att = calls.get_attachment(assignment.application, att_id)
    return Response(
        att.content,
        mimetype=att.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{att.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
