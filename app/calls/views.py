"""Public call pages, the applicant's pages and the fund manager's call and screening pages."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import forms, policy_text, services
from app.calls.forms import APPLICANT_TYPE_LABELS
from app.calls.models import Application, Call
from app.calls.ports import HomeCampaigns
from app.calls.validation import format_enterprise_number
from app.core import http, ports
from app.core.errors import DomainError
from app.core.transaction import attempt
from app.core.uploads import attachment_disposition
from app.extensions import db

bp = Blueprint("calls", __name__, template_folder="templates")


def apply_form_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    mapping = mapping or {}
    placed = False
    for field, msgs in (exc.details or {}).items():
        name = mapping.get(field, field)
        if name in form and isinstance(msgs, list):
            form[name].errors = list(form[name].errors or []) + [str(m) for m in msgs]
            placed = True
    if not placed:
        flash(exc.message, "error")


HOME_CAMPAIGNS = 6


@bp.route("/")
def home():
    """Running campaigns first, then the open calls, then what the fund is."""
    running = ports.get(HomeCampaigns).running(HOME_CAMPAIGNS)
    page = render_template("home.html", running=running, calls=services.list_open_calls())
    db.session.commit()  # a read-only request: at most the campaigns' figures cache was written
    return http.finish_by_content(make_response(page))


@bp.route("/about")
def about():
    """What the fund is, how it works and who oversees it."""
    return http.finish_by_content(make_response(render_template("about.html")))


@bp.route("/contact")
def contact():
    return http.finish_by_content(make_response(render_template("contact.html")))


@bp.route("/calls")
def list_calls():
    calls = db.session.scalars(services.calls_query(current_user).order_by(Call.closes_at.desc())).all()
    return http.finish_by_content(make_response(render_template("calls/list.html", calls=calls)))


@bp.route("/calls/<int:call_id>")
def show_call(call_id):
    call = services.get_call(call_id, current_user)
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            services.applications_of(current_user).where(Application.call_id == call.id)
        ).all()
    page = render_template(
        "calls/show.html",
        call=call,
        mine=mine,
        type_labels=APPLICANT_TYPE_LABELS,
        match_rules=policy_text.rules_in_words(call.policy),
    )
    return http.finish_by_content(make_response(page))


# --- applicant ---------------------------------------------------------------------------


@bp.route("/applications")
@login_required
def my_applications():
    apps = db.session.scalars(services.applications_of(current_user).order_by(Application.id.desc())).all()
    return render_template("calls/my_applications.html", applications=apps)


def _application_form(call: Call, application: Application | None = None):
    form = forms.ApplicationForm()
    form.municipality.choices = [("", _("— kies —"))] + [(m, m) for m in call.municipalities or []]
    form.applicant_type.choices = [("", _("— kies —"))] + [
        (t, APPLICANT_TYPE_LABELS[t]) for t in call.applicant_types or [] if t in APPLICANT_TYPE_LABELS
    ]
    if application is not None and request.method == "GET":
        for f in ("title", "summary", "description", "municipality", "applicant_type", "organisation"):
            form[f].data = getattr(application, f) or ""
        form.enterprise_number.data = format_enterprise_number(application.enterprise_number)
        form.budget.set_cents(application.budget_cents)
        form.target.set_cents(application.target_cents)
    return form


def _form_values(form) -> dict:
    values = {
        f: form[f].data
        for f in (
            "title",
            "summary",
            "description",
            "municipality",
            "applicant_type",
            "organisation",
            "enterprise_number",
        )
    }
    values["budget_cents"] = form.budget.cents
    values["target_cents"] = form.target.cents
    return values


_APP_FIELD_MAP = {"budget_cents": "budget", "target_cents": "target", "file": "attachment"}


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def apply(call_id):
    call = services.get_call(call_id, current_user)
    form = _application_form(call)
    if not call.is_open_for_submissions():
        flash(_("Deze oproep is niet open voor aanvragen."), "error")
        return redirect(url_for("calls.show_call", call_id=call.id))
    if form.validate_on_submit():
        with attempt() as outcome:
            application = services.create_application(call, _form_values(form), current_user)
            _maybe_attach(application, form)
        if outcome.failed:
            apply_form_errors(form, outcome.error, _APP_FIELD_MAP)
        else:
            if request.form.get("action") == "submit":
                return _submit(application)
            flash(_("Je ontwerp is bewaard. Je kan later verder werken."), "success")
            return redirect(url_for("calls.edit_application", app_id=application.id))
    return render_template("calls/application_form.html", form=form, call=call, application=None), (
        422 if form.errors else 200
    )


def _maybe_attach(application, form) -> None:
    upload = form.attachment.data
    if upload and getattr(upload, "filename", ""):
        from flask import current_app

        services.add_attachment(
            application,
            upload.filename,
            upload.read(),
            current_user,
            current_app.config["MAX_UPLOAD_BYTES"],
        )


def _submit(application):
    with attempt() as outcome:
        services.submit_application(application, current_user)
    if outcome.failed:
        exc = outcome.error
        if exc.details.get("missing"):
            labels = [str(_MISSING_LABELS.get(m, m)) for m in exc.details["missing"]]
            flash(_("Nog niet volledig. Vul aan: %(f)s.", f=", ".join(labels)), "error")
        else:
            flash(exc.message, "error")
        return redirect(url_for("calls.edit_application", app_id=application.id))
    flash(_("Je aanvraag is ingediend. Je krijgt een bevestiging per mail."), "success")
    return redirect(url_for("calls.show_application", app_id=application.id))


_MISSING_LABELS = {
    "title": forms.ApplicationForm.title.args[0],
    "summary": forms.ApplicationForm.summary.args[0],
    "description": forms.ApplicationForm.description.args[0],
    "municipality": forms.ApplicationForm.municipality.args[0],
    "applicant_type": forms.ApplicationForm.applicant_type.args[0],
    "organisation": forms.ApplicationForm.organisation.args[0],
    "enterprise_number": forms.ApplicationForm.enterprise_number.args[0],
    "budget_cents": forms.ApplicationForm.budget.args[0],
    "target_cents": forms.ApplicationForm.target.args[0],
}


@bp.route("/applications/<int:app_id>/edit", methods=["GET", "POST"])
@login_required
def edit_application(app_id):
    application = services.get_application(app_id, current_user, write=True)
    if application.status != "draft":
        return redirect(url_for("calls.show_application", app_id=application.id))
    form = _application_form(application.call, application)
    if form.validate_on_submit():
        with attempt() as outcome:
            services.update_application(application, _form_values(form), current_user)
            _maybe_attach(application, form)
        if outcome.failed:
            apply_form_errors(form, outcome.error, _APP_FIELD_MAP)
        else:
            if request.form.get("action") == "submit":
                return _submit(application)
            flash(_("Je ontwerp is bewaard."), "success")
            return redirect(url_for("calls.edit_application", app_id=application.id))
    return render_template(
        "calls/application_form.html", form=form, call=application.call, application=application
    ), 422 if form.errors else 200


@bp.route("/applications/<int:app_id>")
@login_required
def show_application(app_id):
    application = services.get_application(app_id, current_user)
    return render_template(
        "calls/application.html",
        application=application,
        type_labels=APPLICANT_TYPE_LABELS,
        kbo=format_enterprise_number(application.enterprise_number),
    )


@bp.route("/applications/<int:app_id>/withdraw", methods=["POST"])
@login_required
def withdraw(app_id):
    application = services.get_application(app_id, current_user, write=True)
    with attempt() as outcome:
        services.withdraw_application(application, current_user)
    if outcome.failed:
        flash(outcome.error.message, "error")
    else:
        flash(_("Je aanvraag is ingetrokken."), "info")
    return redirect(url_for("calls.show_application", app_id=application.id))


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>")
@login_required
def download_attachment(app_id, att_id):
    application = services.get_application(app_id, current_user)
    att = services.get_attachment(application, att_id)
    return Response(
        att.content,
        mimetype=att.content_type,
        headers={
            "Content-Disposition": attachment_disposition(att.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>/delete", methods=["POST"])
@login_required
def delete_attachment(app_id, att_id):
    application = services.get_application(app_id, current_user, write=True)
    services.remove_attachment(application, att_id, current_user)
    db.session.commit()
    flash(_("De bijlage is verwijderd."), "info")
    return redirect(url_for("calls.edit_application", app_id=application.id))
