"""The project's payout pages (owner, fund manager, auditor): account, invoices, requests,
the final report; and one request's page with its decisions."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.money import parse_euro
from app.core.transaction import attempt
from app.payouts import access, forms
from app.payouts import services as payouts

bp = Blueprint("payouts", __name__, template_folder="templates")


def place_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    """Put a service's field errors next to the form's fields; flash the rest."""
    mapping = mapping or {}
    placed = False
    for key, msgs in (exc.details or {}).items():
        name = mapping.get(key, key)
        if name in form and isinstance(msgs, list):
            form[name].errors = list(form[name].errors or []) + [str(m) for m in msgs]
            placed = True
    if not placed:
        flash(exc.message, "error")


def place_request_errors(form, exc: DomainError) -> None:
    """A request's refusals: an amount above what is payable belongs next to the amount."""
    if exc.code == "above_payable":
        form.amount.errors = list(form.amount.errors or []) + [exc.message]
        return
    place_errors(form, exc, {"amount_cents": "amount"})


def shown_here(exc: DomainError, *kinds: type[DomainError]) -> DomainError:
    """The error when the page shows it itself (next to a field, as a flash); any other
    refusal (404, 403, …) is raised again for the error page, as it was before attempt()."""
    if not isinstance(exc, kinds):
        raise exc
    return exc


def _write_guard() -> None:
    if current_user.is_auditor_only:
        abort(403)


def _project_page(campaign_id: int, status: int = 200, **form_overrides):
    campaign = access.campaign_for(campaign_id, current_user)
    owner = access.is_owner(current_user, campaign)
    invoices = payouts.invoices_of(campaign)
    request_form = form_overrides.get("request_form") or forms.PayoutRequestForm(formdata=None)
    request_form.invoice_ids.choices = [
        (i.id, f"{i.supplier} — {i.invoice_date.isoformat()}") for i in invoices
    ]
    report = payouts.report_of(campaign)
    return (
        render_template(
            "payouts/project.html",
            campaign=campaign,
            figures=payouts.figures(campaign),
            requests=payouts.requests_of(campaign),
            invoices=invoices,
            report=report,
            is_owner=owner,
            is_manager=access.is_manager(current_user) and not owner,
            invoice_form=form_overrides.get("invoice_form") or forms.InvoiceForm(formdata=None),
            request_form=request_form,
            end_form=form_overrides.get("end_form")
            or forms.ProjectEndForm(formdata=None, ends_on=report.project_ends_on if report else None),
            report_form=form_overrides.get("report_form") or forms.FinalReportForm(formdata=None),
            reason_form=form_overrides.get("reason_form") or forms.ReasonForm(formdata=None),
            button=forms.ButtonForm(),
        ),
        status,
    )


@bp.route("/campaigns/<int:campaign_id>/payouts")
@login_required
def project(campaign_id):
    return _project_page(campaign_id)


@bp.route("/campaigns/<int:campaign_id>/payouts/invoices", methods=["POST"])
@login_required
def upload_invoice(campaign_id):
    _write_guard()
    form = forms.InvoiceForm()
    if form.validate_on_submit():
        upload = form.file.data
        with attempt() as outcome:
            campaign = access.campaign_for(campaign_id, current_user, owner=True)
            payouts.add_invoice(
                campaign,
                {
                    "supplier": form.supplier.data,
                    "invoice_date": form.invoice_date.data,
                    "amount_cents": form.amount.cents,
                    "description": form.description.data,
                },
                upload.filename or "",
                upload.read(),
                current_user,
                current_app.config["MAX_UPLOAD_BYTES"],
            )
        if not outcome.failed:
            flash(_("De factuur is opgeladen."), "success")
            return redirect(url_for(".project", campaign_id=campaign_id))
        place_errors(form, shown_here(outcome.error, ValidationFailed), {"amount_cents": "amount"})
    return _project_page(campaign_id, 422, invoice_form=form)


@bp.route("/campaigns/<int:campaign_id>/payouts/requests", methods=["POST"])
@login_required
def create_request(campaign_id):
    _write_guard()
    form = forms.PayoutRequestForm()
    form.invoice_ids.choices = []
    if form.validate_on_submit():
        with attempt() as outcome:
            payouts.create_request(
                campaign_id,
                form.values(),
                current_user,
            )
        if not outcome.failed:
            flash(_("Je aanvraag is ingediend; twee fondsbeheerders keuren ze goed."), "success")
            return redirect(url_for(".project", campaign_id=campaign_id))
        place_request_errors(form, shown_here(outcome.error, ValidationFailed, Conflict))
    return _project_page(campaign_id, 422, request_form=form)


@bp.route("/campaigns/<int:campaign_id>/payouts/project-end", methods=["POST"])
@login_required
def project_end(campaign_id):
    _write_guard()
    form = forms.ProjectEndForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            payouts.set_project_end(campaign_id, form.ends_on.data, current_user)
        if outcome.failed:
            raise outcome.error
        flash(_("De einddatum is bewaard."), "success")
        return redirect(url_for(".project", campaign_id=campaign_id))
    return _project_page(campaign_id, 422, end_form=form)


def _spending_lines(text: str) -> list[dict]:
    lines = []
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        desc, _sep, amount = raw.rpartition(";")
        try:
            cents = parse_euro(amount.strip())
        except ValueError:
            msg = _("Schrijf elke regel als: omschrijving; bedrag.")
            raise ValidationFailed(msg, details={"spending": [msg]}) from None
        lines.append({"description": desc.strip(), "amount_cents": cents, "invoice_id": None})
    return lines


@bp.route("/campaigns/<int:campaign_id>/payouts/final-report", methods=["POST"])
@login_required
def final_report(campaign_id):
    _write_guard()
    form = forms.FinalReportForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            values = {"summary": form.summary.data, "spending": _spending_lines(form.spending.data)}
            payouts.submit_report(campaign_id, values, current_user)
        if not outcome.failed:
            flash(_("Je eindverslag is ingediend."), "success")
            return redirect(url_for(".project", campaign_id=campaign_id))
        exc = shown_here(outcome.error, ValidationFailed)
        details = {("spending" if k.startswith("spending") else k): v for k, v in exc.details.items()}
        place_errors(form, ValidationFailed(exc.message, details=details))
    return _project_page(campaign_id, 422, report_form=form)


@bp.route("/campaigns/<int:campaign_id>/payouts/final-report/<decision>", methods=["POST"])
@login_required
def decide_report(campaign_id, decision):
    _write_guard()
    if decision == "approve":
        if forms.ButtonForm().validate_on_submit():
            with attempt() as outcome:
                payouts.decide_report(campaign_id, current_user, True)
            if outcome.failed:
                raise outcome.error
            flash(_("Het eindverslag is goedgekeurd."), "success")
        return redirect(url_for(".project", campaign_id=campaign_id))
    form = forms.ReasonForm()
    if decision == "changes" and form.validate_on_submit():
        with attempt() as outcome:
            payouts.decide_report(campaign_id, current_user, False, form.reason.data)
        if outcome.failed:
            raise outcome.error
        flash(_("Het eindverslag gaat terug naar het project."), "success")
        return redirect(url_for(".project", campaign_id=campaign_id))
    return _project_page(campaign_id, 422, reason_form=form)


@bp.route("/campaigns/<int:campaign_id>/payouts/invoices/<int:invoice_id>")
@login_required
def invoice_file(campaign_id, invoice_id):
    inv = payouts.get_invoice(access.campaign_for(campaign_id, current_user), invoice_id)
    return Response(
        inv.content,
        mimetype=inv.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{inv.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
