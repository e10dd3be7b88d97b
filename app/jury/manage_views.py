"""The fund manager's jury pages: jurors, assignments, window, progress, ranking, selection.
The auditor reads them all and changes nothing (roles_required refuses the writes)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import services as accounts
from app.calls import services as calls
from app.core import audit_words
from app.core.auth import roles_required
from app.core.errors import DomainError
from app.core.transaction import attempt
from app.jury import forms
from app.jury import services as jury
from app.jury.selection import MUNICIPALITY_FULL, NOT_SCORED, OVER_BUDGET
from app.jury.views import bp, place_errors

STAFF = ("fund_manager", "admin", "auditor")
SKIP_LABELS = {
    OVER_BUDGET: _l("past niet meer in het verdubbelingsbudget"),
    MUNICIPALITY_FULL: _l("maximum aantal projecten in deze gemeente bereikt"),
    NOT_SCORED: _l("nog geen ingediende scores"),
}


def _manage_page(call, juror_form=None, assign_form=None, auto_form=None, status=200):
    apps = jury.assignable_applications(call) or jury.jury_applications(call)
    jurors = jury.jurors_of(call)
    assign_form = assign_form or forms.AssignForm()
    assign_form.juror_email.choices = [
        (j["email"], f"{j['display_name']} <{j['email']}>") for j in jurors if j["user_id"]
    ]
    assign_form.application_id.choices = [("", _("— alle ontvankelijke aanvragen —"))] + [
        (str(a.id), f"#{a.id} {a.title}") for a in apps
    ]
    by_app: dict[int, list] = {}
    for a in jury.assignments_of_call(call):
        by_app.setdefault(a.application_id, []).append(a)
    return render_template(
        "jury/manage.html",
        call=call,
        window=jury.find_window(call),
        state=jury.window_state(call),
        jurors=jurors,
        apps=apps,
        by_app=by_app,
        progress=jury.progress(call),
        juror_form=juror_form or forms.JurorForm(),
        assign_form=assign_form,
        auto_form=auto_form or forms.AutoAssignForm(),
        button_form=forms.CsrfForm(),
    ), status


@bp.route("/manage/calls/<int:call_id>/jury")
@roles_required(*STAFF)
def manage(call_id):
    return _manage_page(calls.get_call(call_id, current_user))


def _back(call):
    return redirect(url_for("jury.manage", call_id=call.id))


def _run(call, action, success: str, form=None, rerender=None):
    """Validate the form (CSRF at least), run the service, commit or show the error."""
    form = form or forms.CsrfForm()
    if not form.validate_on_submit():
        if rerender:
            return rerender(form, 422)
        flash(_("Dit verzoek klopt niet. Herlaad de pagina en probeer opnieuw."), "error")
        return _back(call)
    with attempt() as outcome:
        action(form)
    if outcome.failed:
        exc = outcome.error
        if rerender and exc.details:
            place_errors(form, exc)
            return rerender(form, exc.status)
        flash(exc.message, "error")
        return _back(call)
    flash(success, "success")
    return _back(call)


@bp.route("/manage/calls/<int:call_id>/jury/jurors", methods=["POST"])
@roles_required(*STAFF)
def add_juror(call_id):
    call = calls.get_call(call_id, current_user)
    return _run(
        call,
        lambda f: jury.add_juror(call, f.email.data, current_user),
        _("Het jurylid is toegevoegd of uitgenodigd."),
        forms.JurorForm(),
        lambda f, s: _manage_page(call, juror_form=f, status=s),
    )


@bp.route("/manage/calls/<int:call_id>/jury/assign", methods=["POST"])
@roles_required(*STAFF)
def assign(call_id):
    call = calls.get_call(call_id, current_user)
    form = forms.AssignForm()
    form.juror_email.choices = [(request.form.get("juror_email", ""), "")]
    form.application_id.choices = [(request.form.get("application_id", ""), "")]

    def action(f):
        app_id = int(f.application_id.data) if (f.application_id.data or "").isdigit() else None
        jury.assign(call, f.juror_email.data, app_id, current_user)

    return _run(call, action, _("De toewijzing is bewaard."), form)


@bp.route("/manage/calls/<int:call_id>/jury/auto-assign", methods=["POST"])
@roles_required(*STAFF)
def auto_assign(call_id):
    call = calls.get_call(call_id, current_user)
    result: dict = {}

    def action(f):
        result.update(jury.auto_assign(call, f.per_application.data, current_user))

    response = _run(
        call,
        action,
        _("De aanvragen zijn verdeeld."),
        forms.AutoAssignForm(),
        lambda f, s: _manage_page(call, auto_form=f, status=s),
    )
    if result.get("short"):
        flash(_("Niet genoeg juryleden voor %(n)d aanvraag/aanvragen.", n=len(result["short"])), "error")
    return response


@bp.route("/manage/calls/<int:call_id>/jury/open", methods=["POST"])
@roles_required(*STAFF)
def open_window(call_id):
    call = calls.get_call(call_id, current_user)
    return _run(call, lambda f: jury.open_scoring(call, current_user), _("Het jurytermijn is geopend."))


@bp.route("/manage/calls/<int:call_id>/jury/close", methods=["POST"])
@roles_required(*STAFF)
def close_window(call_id):
    call = calls.get_call(call_id, current_user)
    return _run(call, lambda f: jury.close_scoring(call, current_user), _("Het jurytermijn is gesloten."))


@bp.route("/manage/calls/<int:call_id>/jury/reveal", methods=["POST"])
@roles_required(*STAFF)
def reveal(call_id):
    call = calls.get_call(call_id, current_user)
    on = request.form.get("reveal") == "1"
    return _run(call, lambda f: jury.set_reveal(call, on, current_user), _("De zichtbaarheid is bewaard."))


@bp.route("/manage/calls/<int:call_id>/jury/remind", methods=["POST"])
@roles_required(*STAFF)
def remind(call_id):
    call = calls.get_call(call_id, current_user)
    sent: list[int] = []
    response = _run(
        call,
        lambda f: sent.append(jury.send_reminders(call)),
        _("Herinneringen verstuurd."),
    )
    if sent and sent[0] == 0:
        flash(_("Niemand kreeg een herinnering: alles is af, of vandaag al herinnerd."), "info")
    return response


def _running_budget(call, rows, picked, match_cents) -> dict:
    """Per application, in rank order: the matching budget used and left once every picked
    application up to it has its maximum match ({} without a budget)."""
    total = call.matching_budget_cents
    if total is None:
        return {}
    used, out = 0, {}
    for row in rows:
        app_id = row["application_id"]
        if app_id in picked:
            used += match_cents.get(app_id, 0) or 0
        out[app_id] = {"used": used, "left": total - used}
    return out


def _ranking_page(call, errors=None, chosen=None, reasons=None, status=200):
    rows = jury.ranking(call)
    apps = {a.id: a for a in jury.jury_applications(call)}
    selection = jury.selection_of(call)
    proposal = None
    if (
        selection is None
        and jury.window_state(call) == "closed"
        and current_user.has_role("fund_manager", "admin")
    ):
        try:
            proposal = jury.propose(call, current_user)
        except DomainError as exc:
            flash(exc.message, "error")
    skipped = {s["application_id"]: s["reason"] for s in (proposal or {}).get("skipped", [])}
    proposed = set((proposal or {}).get("proposed", []))
    match_cents = (proposal or {}).get("match_cents", {})
    picked = chosen if chosen is not None else proposed
    budget = _running_budget(call, rows, picked, match_cents) if proposal else {}
    return render_template(
        "jury/ranking.html",
        call=call,
        rows=rows,
        apps=apps,
        selection=selection,
        proposal=proposal,
        proposed=proposed,
        skipped=skipped,
        skip_labels=SKIP_LABELS,
        match_cents=match_cents,
        chosen=picked,
        budget=budget,
        reasons=reasons or {},
        errors=errors or {},
        form=forms.CsrfForm(),
        state=jury.window_state(call),
    ), status


@bp.route("/manage/calls/<int:call_id>/jury/ranking")
@roles_required(*STAFF)
def ranking_page(call_id):
    return _ranking_page(calls.get_call(call_id, current_user))


@bp.route("/manage/calls/<int:call_id>/jury/confirm", methods=["POST"])
@roles_required(*STAFF)
def confirm(call_id):
    call = calls.get_call(call_id, current_user)
    form = forms.CsrfForm()
    chosen = {int(v) for v in request.form.getlist("selected") if v.isdigit()}
    reasons = {k[len("reason_") :]: v for k, v in request.form.items() if k.startswith("reason_")}
    if not form.validate_on_submit():
        flash(_("Dit verzoek klopt niet. Herlaad de pagina en probeer opnieuw."), "error")
        return _ranking_page(call, chosen=chosen, reasons=reasons, status=400)
    with attempt() as outcome:
        jury.confirm(call, sorted(chosen), reasons, current_user)
    if outcome.failed:
        exc = outcome.error
        flash(exc.message, "error")
        errors = exc.details.get("reasons") if isinstance(exc.details.get("reasons"), dict) else {}
        return _ranking_page(call, errors=errors, chosen=chosen, reasons=reasons, status=exc.status)
    flash(_("De selectie is bevestigd en wordt nu aangekondigd."), "success")
    return redirect(url_for("jury.ranking_page", call_id=call.id))


@bp.route("/manage/calls/<int:call_id>/jury/audit")
@roles_required(*STAFF)
def audit_page(call_id):
    call = calls.get_call(call_id, current_user)
    events = jury.audit_trail(call)
    names = {}
    for event in events:
        if event.actor_id is not None and event.actor_id not in names:
            user = accounts.get_user(event.actor_id)
            names[event.actor_id] = user.display_name or user.email if user else f"#{event.actor_id}"
    return render_template(
        "jury/audit.html", call=call, events=events, names=names, describe=audit_words.describe
    )
