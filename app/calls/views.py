"""Public call pages, the applicant's pages and the fund manager's call and screening pages."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls import forms, policy_text, services, validation
from app.calls.forms import APPLICANT_TYPE_LABELS
from app.calls.models import ORGANISATION_TYPES, Application, Call
from app.calls.ports import HomeCampaigns
from app.calls.validation import format_enterprise_number
from app.core import http, ports
from app.core.confirm import confirm_page
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
    if values["applicant_type"] and values["applicant_type"] not in ORGANISATION_TYPES:
        # The organisation's fields are hidden for private persons (static/forms.js); a
        # browser without JavaScript shows them, so what was typed there is not kept.
        values["organisation"] = None
        values["enterprise_number"] = None
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
            done = _after_save(application, form)
            if done is not None:
                return done
            flash(_("Je ontwerp is bewaard. Je kan later verder werken."), "success")
            return redirect(url_for("calls.edit_application", app_id=application.id))
    return _form_page(form, call, None)


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


def _form_page(form, call: Call, application: Application | None):
    """The application form, with its task list (what is done, what is left)."""
    page = render_template(
        "calls/application_form.html",
        form=form,
        call=call,
        application=application,
        tasks=_tasks(application),
        organisation_types=ORGANISATION_TYPES,
    )
    return page, 422 if form.errors else 200


# The application's parts as the task list shows them: (label, fields, anchor field).
_TASKS = (
    (_l("Over het project"), ("title", "summary", "description"), "title"),
    (
        _l("Waar en wie"),
        ("municipality", "applicant_type", "organisation", "enterprise_number"),
        "municipality",
    ),
    (_l("Budget en streefbedrag"), ("budget_cents", "target_cents"), "budget"),
)


def _tasks(application: Application | None) -> list[dict]:
    missing = set(validation.missing_fields(application)) if application is not None else None
    tasks = []
    for label, fields, anchor in _TASKS:
        done = missing is not None and not (missing & set(fields))
        tasks.append({"label": label, "done": done, "anchor": anchor})
    attachments = bool(application is not None and application.attachments)
    tasks.append({"label": _l("Bijlagen (niet verplicht)"), "done": attachments, "anchor": "attachment"})
    return tasks


def _mark_missing(form, application: Application) -> bool:
    """Put a message next to every field a submission still lacks; True when any."""
    missing = validation.missing_fields(application)
    for name in missing:
        form[_APP_FIELD_MAP.get(name, name)].errors = list(
            form[_APP_FIELD_MAP.get(name, name)].errors or []
        ) + [str(_MISSING_MESSAGES[name])]
    return bool(missing)


def _after_save(application: Application, form):
    """After a saved draft: to the check-your-answers page (action "review"), or submit at
    once (action "submit", as before that page existed). An incomplete draft comes back
    as the form with a message at every missing field; None: just saved."""
    action = request.form.get("action")
    if action not in ("review", "submit"):
        return None
    if validation.missing_fields(application):
        # The edit page (GET with check=1) names every missing field; a redirect, so that
        # the page's own address is the draft's and a new POST does not start another.
        return redirect(url_for("calls.edit_application", app_id=application.id, check=1), 303)
    if action == "review":
        return redirect(url_for("calls.check_application", app_id=application.id), 303)
    return _submit(application)


def _submit(application):
    with attempt() as outcome:
        services.submit_application(application, current_user)
    if outcome.failed:
        exc = outcome.error
        if exc.details.get("missing"):
            return redirect(url_for("calls.edit_application", app_id=application.id, check=1))
        flash(exc.message, "error")
        return redirect(url_for("calls.edit_application", app_id=application.id))
    return redirect(url_for("calls.application_submitted", app_id=application.id))


_MISSING_MESSAGES = {
    "title": _l("Vul de titel van het project in."),
    "summary": _l("Vul een samenvatting van het project in."),
    "description": _l("Beschrijf het project."),
    "municipality": _l("Kies de gemeente waar het project plaatsvindt."),
    "applicant_type": _l("Kies wie de aanvraag doet."),
    "organisation": _l("Vul de naam van de organisatie in."),
    "enterprise_number": _l("Vul het ondernemingsnummer (KBO) van de organisatie in."),
    "budget_cents": _l("Vul het totale budget van het project in."),
    "target_cents": _l("Vul het bedrag in dat je met crowdfunding wil ophalen."),
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
            done = _after_save(application, form)
            if done is not None:
                return done
            flash(_("Je ontwerp is bewaard."), "success")
            return redirect(url_for("calls.edit_application", app_id=application.id))
    elif request.method == "GET" and request.args.get("check") and _mark_missing(form, application):
        form.summary_title = _("Nog niet volledig: vul aan wat ontbreekt")
    return _form_page(form, application.call, application)


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


@bp.route("/applications/<int:app_id>/check")
@login_required
def check_application(app_id):
    """Check your answers: everything the jury will read, each with a link to change it."""
    application = services.get_application(app_id, current_user, write=True)
    if application.status != "draft":
        return redirect(url_for("calls.show_application", app_id=application.id))
    if validation.missing_fields(application):
        return redirect(url_for("calls.edit_application", app_id=application.id, check=1))
    return render_template(
        "calls/check.html",
        application=application,
        type_labels=APPLICANT_TYPE_LABELS,
        kbo=format_enterprise_number(application.enterprise_number),
        organisation_types=ORGANISATION_TYPES,
    )


@bp.route("/applications/<int:app_id>/submit", methods=["POST"])
@login_required
def submit_application(app_id):
    application = services.get_application(app_id, current_user, write=True)
    if application.status != "draft":
        return redirect(url_for("calls.show_application", app_id=application.id))
    return _submit(application)


@bp.route("/applications/<int:app_id>/submitted")
@login_required
def application_submitted(app_id):
    """The confirmation: the application is in, what happens next and when."""
    application = services.get_application(app_id, current_user)
    if application.submitted_at is None:
        return redirect(url_for("calls.show_application", app_id=application.id))
    return render_template("calls/submitted.html", application=application)


@bp.route("/applications/<int:app_id>/withdraw", methods=["GET"])
@login_required
def confirm_withdraw(app_id):
    """Withdrawing asks first, on a page of its own (the POST below does it)."""
    application = services.get_application(app_id, current_user, write=True)
    if application.status not in ("draft", "submitted"):
        return redirect(url_for("calls.show_application", app_id=application.id))
    return confirm_page(
        title=_("Aanvraag intrekken"),
        question=_("Wil je je aanvraag ‘%(t)s’ intrekken?", t=application.title or _("(zonder titel)")),
        consequence=_("Een ingetrokken aanvraag kan niet meer ingediend of gewijzigd worden."),
        button=_("Ja, aanvraag intrekken"),
        back=url_for("calls.show_application", app_id=application.id),
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


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>/delete", methods=["GET"])
@login_required
def confirm_delete_attachment(app_id, att_id):
    application = services.get_application(app_id, current_user, write=True)
    att = services.get_attachment(application, att_id)
    return confirm_page(
        title=_("Bijlage verwijderen"),
        question=_("Wil je de bijlage ‘%(f)s’ verwijderen?", f=att.filename),
        consequence=_("Het bestand is daarna weg; je kan het wel opnieuw toevoegen."),
        button=_("Ja, bijlage verwijderen"),
        back=url_for("calls.edit_application", app_id=application.id),
    )


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>/delete", methods=["POST"])
@login_required
def delete_attachment(app_id, att_id):
    application = services.get_application(app_id, current_user, write=True)
    services.remove_attachment(application, att_id, current_user)
    db.session.commit()
    flash(_("De bijlage is verwijderd."), "info")
    return redirect(url_for("calls.edit_application", app_id=application.id))
