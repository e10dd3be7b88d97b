"""One payout request's page: the owner edits, submits or withdraws it; fund managers
approve (four eyes), reject, ask for changes or record a bank return."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.confirm import confirm_page
from app.core.errors import Conflict, ValidationFailed
from app.core.transaction import attempt
from app.payouts import access, forms
from app.payouts import services as payouts
from app.payouts.views import bp, place_request_errors, shown_here


def _page(request_id: int, status: int = 200, edit_form=None, reason_form=None):
    req, campaign = payouts.get_request(request_id, current_user)
    owner = access.is_owner(current_user, campaign)
    if edit_form is None:
        edit_form = forms.PayoutRequestForm(
            formdata=None,
            iban=req.iban,
            account_holder=req.account_holder,
            description=req.description,
            invoice_ids=[i.id for i in req.invoices],
        )
        edit_form.amount.set_cents(req.amount_cents)
    edit_form.invoice_ids.choices = [
        (i.id, f"{i.supplier} — {i.invoice_date.isoformat()}") for i in payouts.invoices_of(campaign)
    ]
    return (
        render_template(
            "payouts/request.html",
            req=req,
            campaign=campaign,
            is_owner=owner,
            is_manager=access.is_manager(current_user) and not owner,
            approved_by_me=any(a.user_id == current_user.id for a in req.current_approvals),
            edit_form=edit_form,
            reason_form=reason_form or forms.ReasonForm(formdata=None),
            button=forms.ButtonForm(),
        ),
        status,
    )


@bp.route("/payout-requests/<int:request_id>")
@login_required
def request_page(request_id):
    return _page(request_id)


@bp.route("/payout-requests/<int:request_id>/edit", methods=["POST"])
@login_required
def edit_request(request_id):
    if current_user.is_auditor_only:
        abort(403)
    form = forms.PayoutRequestForm()
    form.invoice_ids.choices = []
    if form.validate_on_submit():
        with attempt() as outcome:
            payouts.update_request(
                request_id,
                form.values(),
                current_user,
            )
        if not outcome.failed:
            flash(_("De aanvraag is aangepast."), "success")
            return redirect(url_for(".request_page", request_id=request_id))
        place_request_errors(form, shown_here(outcome.error, ValidationFailed, Conflict))
    return _page(request_id, 422, edit_form=form)


_BUTTONS = {
    "approve": (payouts.approve_request, _l("Je goedkeuring is bewaard.")),
    "submit": (payouts.submit_request, _l("De aanvraag is opnieuw ingediend.")),
    "withdraw": (payouts.withdraw_request, _l("De aanvraag is ingetrokken.")),
}
_REASONS = {
    "reject": (payouts.reject_request, _l("De aanvraag is geweigerd.")),
    "request-changes": (payouts.request_changes, _l("De aanvraag gaat terug naar het project.")),
    "failed": (payouts.mark_failed, _l("De terugstorting is geboekt.")),
}


@bp.route("/payout-requests/<int:request_id>/withdraw", methods=["GET"])
@login_required
def confirm_withdraw_request(request_id):
    """Withdrawing asks first, on a page of its own (the POST below does it)."""
    if current_user.is_auditor_only:
        abort(403)
    back = url_for(".request_page", request_id=request_id)
    return confirm_page(
        title=_("Uitbetaling intrekken"),
        question=_("Wil je deze aanvraag tot uitbetaling intrekken?"),
        consequence=_(
            "Een ingetrokken aanvraag kan niet meer ingediend worden; je kan wel een nieuwe maken."
        ),
        button=_("Ja, aanvraag intrekken"),
        back=back,
    )


@bp.route("/payout-requests/<int:request_id>/<action>", methods=["POST"])
@login_required
def request_action(request_id, action):
    if current_user.is_auditor_only:
        abort(403)
    if action in _BUTTONS:
        fn, done = _BUTTONS[action]
        if forms.ButtonForm().validate_on_submit():
            with attempt() as outcome:
                fn(request_id, current_user)
            if outcome.failed:
                exc = shown_here(outcome.error, Conflict)
                flash(exc.message, "error")
                return _page(request_id, exc.status)
            flash(str(done), "success")
        return redirect(url_for(".request_page", request_id=request_id))
    if action not in _REASONS:
        abort(404)
    fn, done = _REASONS[action]
    form = forms.ReasonForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            fn(request_id, current_user, form.reason.data)
        if outcome.failed:
            raise outcome.error
        flash(str(done), "success")
        return redirect(url_for(".request_page", request_id=request_id))
    return _page(request_id, 422, reason_form=form)
