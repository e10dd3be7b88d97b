"""The fund manager's pages: create, edit and publish calls; screen applications."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import forms, services
from app.calls.forms import APPLICANT_TYPE_LABELS
from app.calls.models import Application, Call
from app.calls.validation import format_enterprise_number
from app.calls.views import apply_form_errors, bp
from app.core import clock
from app.core.auth import roles_required
from app.core.errors import ValidationFailed
from app.core.transaction import attempt
from app.extensions import db

# --- fund manager: calls -----------------------------------------------------------------


def _call_values(form: forms.CallForm) -> dict:
    crit, errors = [], []
    for n, line in enumerate((form.criteria.data or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        try:
            key, label, weight, max_score = parts
            crit.append(
                {
                    "key": key,
                    "label": label,
                    "weight": float(weight.replace(",", ".")),
                    "max_score": int(max_score),
                }
            )
        except ValueError:
            errors.append(_("Regel %(n)d: schrijf sleutel | label | gewicht | maximumscore.", n=n))
    if errors:
        raise ValidationFailed(_("De criteria kloppen niet."), details={"criteria": errors})
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "theme": form.theme.data or "",
        "municipalities": [m.strip() for m in (form.municipalities.data or "").splitlines() if m.strip()],
        "applicant_types": form.applicant_types.data or [],
        "opens_at": clock.from_local(form.opens_at.data) if form.opens_at.data else None,
        "closes_at": clock.from_local(form.closes_at.data) if form.closes_at.data else None,
        "criteria": crit,
        "match_policy": {
            "ratio": float(form.ratio.data or 1),
            "cap_per_project_cents": form.cap_per_project.cents
            if form.cap_per_project.cents is not None
            else 600000,
        },
        "campaign_days": form.campaign_days.data or 45,
        "matching_budget_cents": form.matching_budget.cents,
        "max_selected_per_municipality": form.max_selected_per_municipality.data,
        "calibration": bool(form.calibration.data),
        "disagreement_threshold": float(form.disagreement_threshold.data or 15),
        "tie_lottery": bool(form.tie_lottery.data),
        "all_or_nothing": bool(form.all_or_nothing.data),
    }


def _fill_call_form(form: forms.CallForm, call: Call) -> None:
    form.title.data = call.title
    form.description.data = call.description
    form.theme.data = call.theme
    form.municipalities.data = "\n".join(call.municipalities or [])
    form.applicant_types.data = list(call.applicant_types or [])
    form.opens_at.data = clock.local(call.opens_at).replace(tzinfo=None) if call.opens_at else None
    form.closes_at.data = clock.local(call.closes_at).replace(tzinfo=None) if call.closes_at else None
    form.criteria.data = "\n".join(
        f"{c['key']} | {c['label']} | {c['weight']:g} | {c['max_score']}" for c in call.criteria or []
    )
    form.ratio.data = Decimal(str(call.policy["ratio"]))
    form.cap_per_project.set_cents(call.policy["cap_per_project_cents"])
    form.campaign_days.data = call.campaign_days
    form.matching_budget.set_cents(call.matching_budget_cents)
    form.max_selected_per_municipality.data = call.max_selected_per_municipality
    form.calibration.data = call.calibration
    form.disagreement_threshold.data = Decimal(str(call.disagreement_threshold))
    form.tie_lottery.data = call.tie_lottery
    form.all_or_nothing.data = call.all_or_nothing


_CALL_FIELD_MAP = {"match_policy": "ratio", "matching_budget_cents": "matching_budget"}


@bp.route("/manage/calls/new", methods=["GET", "POST"])
@roles_required("fund_manager", "admin")
def new_call():
    form = forms.CallForm()
    if request.method == "GET":
        form.applicant_types.data = list(APPLICANT_TYPE_LABELS)
    if form.validate_on_submit():
        with attempt() as outcome:
            call = services.create_call(_call_values(form), current_user)
        if outcome.failed:
            apply_form_errors(form, outcome.error, _CALL_FIELD_MAP)
        else:
            flash(_("De oproep is bewaard als ontwerp."), "success")
            return redirect(url_for("calls.manage_call", call_id=call.id))
    return render_template("calls/edit.html", form=form, call=None), 422 if form.errors else 200


@bp.route("/manage/calls/<int:call_id>", methods=["GET", "POST"])
@roles_required("fund_manager", "admin", "auditor")
def manage_call(call_id):
    call = services.get_call(call_id, current_user)
    form = forms.CallForm()
    if request.method == "GET":
        _fill_call_form(form, call)
    elif form.validate_on_submit():
        with attempt() as outcome:
            services.update_call(call, _call_values(form), current_user)
        if outcome.failed:
            apply_form_errors(form, outcome.error, _CALL_FIELD_MAP)
        else:
            flash(_("De oproep is bewaard."), "success")
            return redirect(url_for("calls.manage_call", call_id=call.id))
    applications = db.session.scalars(
        services.applications_of_call(call).where(Application.status != "draft").order_by(Application.id)
    ).all()
    return render_template(
        "calls/edit.html", form=form, call=call, applications=applications
    ), 422 if form.errors else 200


@bp.route("/manage/calls/<int:call_id>/publish", methods=["POST"])
@roles_required("fund_manager", "admin")
def publish_call(call_id):
    call = services.get_call(call_id, current_user)
    with attempt() as outcome:
        services.publish_call(call, current_user)
    if outcome.failed:
        flash(outcome.error.message, "error")
    else:
        flash(_("De oproep is gepubliceerd."), "success")
    return redirect(url_for("calls.manage_call", call_id=call.id))


@bp.route("/manage/calls")
@roles_required("fund_manager", "admin", "auditor")
def manage_calls():
    calls = db.session.scalars(services.calls_query(current_user).order_by(Call.id.desc())).all()
    return render_template("calls/manage_list.html", calls=calls)


@bp.route("/manage/applications/<int:app_id>", methods=["GET", "POST"])
@roles_required("fund_manager", "admin", "auditor")
def screen(app_id):
    application = services.get_application(app_id, current_user)
    form = forms.ScreeningForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            services.screen_application(
                application, form.decision.data == "eligible", form.reason.data, current_user
            )
        if outcome.failed:
            apply_form_errors(form, outcome.error)
        else:
            flash(_("De beslissing is bewaard."), "success")
            return redirect(url_for("calls.manage_call", call_id=application.call_id))
    return render_template(
        "calls/screen.html",
        application=application,
        form=form,
        type_labels=APPLICANT_TYPE_LABELS,
        kbo=format_enterprise_number(application.enterprise_number),
    ), 422 if form.errors else 200
