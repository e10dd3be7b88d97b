"""The pledge form and what follows it: the thank-you page that follows the payment, the
retry, the pledge's status page and its transfer QR code. On campaigns' blueprint (views.bp),
so the endpoints stay `campaigns.pledge`, `campaigns.thanks`, ..."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.campaigns import forms, pledge_guard, services, transfers
from app.campaigns.models import Campaign
from app.campaigns.views import bp, place_errors
from app.core import epc_qr
from app.core.errors import DomainError
from app.core.humancheck import HumanCheckRequired
from app.core.transaction import attempt
from app.extensions import db
from app.funds import services as funds
from app.funds.branding import public_url

_TOKENS = "pledge_tokens"


def _pledge_values(form: forms.PledgeForm) -> dict:
    values = {
        "method": "bank_transfer" if form.method.data == "bank_transfer" else None,
        "amount_cents": form.chosen_cents(),
        "email": form.email.data,
        "display_name": form.display_name.data,
        "anonymous": form.anonymous.data,
        "hide_amount": form.hide_amount.data,
        "message": form.message.data,
        "notify_opt_in": form.notify_opt_in.data,
    }
    if form.tax_certificate.data:  # the certificate's fields count only when asked for
        values["tax_certificate"] = {
            "name": form.tc_name.data,
            "national_register_number": form.tc_rrn.data,
            "street": form.tc_street.data,
            "postal_code": form.tc_postal_code.data,
            "city": form.tc_city.data,
        }
    return values


def _presets(campaign: Campaign, form: forms.PledgeForm) -> list[tuple[int, int]]:
    """The preset amounts within the call's limits, each with what it becomes with the
    match now; they become the choices of the form's preset field."""
    lo, hi = services.pledge_limits(campaign)
    amounts = [a for a in forms.PRESET_AMOUNTS if lo <= a <= hi]
    presets = services.pledge_effects(campaign, amounts) or [(a, a) for a in amounts]
    form.preset.choices = [(str(a), str(a)) for a in amounts] + [(forms.OTHER, _("Ander bedrag"))]
    return presets


def _check_all(campaign: Campaign, form: forms.PledgeForm) -> None:
    """Every check in one pass: the service's rules too when the form's own failed, each
    message next to its field; an amount that is missing or unreadable gets the real limits."""
    if form.amount.errors or form.chosen_cents() is None:
        form.amount.errors = [services.amount_message(campaign)]
    try:
        services.check_pledge_values(campaign, _pledge_values(form))
    except DomainError as exc:
        for key, msgs in (exc.details or {}).items():
            name = _PLEDGE_FIELDS.get(key, key)
            if name in form and not form[name].errors and isinstance(msgs, list):
                form[name].errors = [str(m) for m in msgs]


_PLEDGE_FIELDS = {
    "amount_cents": "amount",
    "tax_certificate": "tax_certificate",
    "tax_certificate.name": "tc_name",
    "tax_certificate.national_register_number": "tc_rrn",
    "tax_certificate.street": "tc_street",
    "tax_certificate.postal_code": "tc_postal_code",
    "tax_certificate.city": "tc_city",
}


@bp.route("/campaigns/<int:campaign_id>/pledge", methods=["GET", "POST"])
def pledge(campaign_id):
    campaign = services.get_campaign(campaign_id, current_user)
    form = forms.PledgeForm()
    presets = _presets(campaign, form)
    if request.method == "GET":
        _prefill(form, presets)
    question = None
    valid = campaign.status == "open" and form.validate_on_submit()
    if valid and form.chosen_cents() is None:
        valid = False
    if request.method == "POST" and campaign.status == "open" and not valid:
        _check_all(campaign, form)
    if valid:
        try:
            if not current_user.is_authenticated:
                pledge_guard.guard_anonymous_pledge(
                    campaign.id, form.human_token.data, form.human_answer.data
                )
            new, token = services.create_pledge(
                campaign,
                _pledge_values(form),
                user_id=current_user.id if current_user.is_authenticated else None,
            )
        except HumanCheckRequired as exc:
            question, form.human_token.data, form.human_answer.data = exc.question, exc.token, ""
            form.human_answer.errors = [exc.message]
        except DomainError as exc:
            db.session.rollback()
            place_errors(form, exc, _PLEDGE_FIELDS)
        else:
            db.session.commit()
            _remember_token(new.id, token)
            if new.checkout_url is None:  # by transfer: how to pay, with the QR code
                return redirect(url_for("campaigns.pledge_status", pledge_id=new.id, token=token), 303)
            return redirect(new.checkout_url, 303)
    status = 422 if form.errors else (409 if campaign.status != "open" else 200)
    return (
        render_template(
            "campaigns/pledge.html",
            campaign=campaign,
            form=form,
            call=campaign.call,
            presets=presets,
            limits=services.pledge_limits(campaign),
            question=question,
            transfers_offered=funds.account(campaign.fund_id) is not None,
        ),
        status,
    )


def _session_pledge(pledge_id: int):
    """(the pledge, its receipt token) when this browser made it; (None, None) otherwise."""
    token = (session.get(_TOKENS) or {}).get(str(pledge_id))
    if not token:
        return None, None
    try:
        return services.pledge_by_token(pledge_id, token), token
    except DomainError:
        return None, None


def _remember_token(pledge_id: int, token: str) -> None:
    tokens = dict(session.get(_TOKENS) or {})
    tokens[str(pledge_id)] = token
    session[_TOKENS] = dict(list(tokens.items())[-20:])


# What the page after the checkout says, by the pledge's status (never thanks for a
# payment that did not go through).
_OUTCOMES = {
    "succeeded": "paid",
    "partially_refunded": "paid",
    "disputed": "paid",
    "pending": "pending",
    "failed": "failed",
    "expired": "failed",
}


def _outcome(pledge, cancelled: bool) -> str:
    if pledge is None:
        return "unknown"
    if pledge.status == "pending" and cancelled:
        return "cancelled"
    return _OUTCOMES.get(pledge.status, "other")


def _prefill(form: forms.PledgeForm, presets: list[tuple[int, int]]) -> None:
    """A GET: the known person's e-mail and name; an amount asked for in ?amount= (cents,
    as a retry sends it)."""
    if current_user.is_authenticated:
        form.email.data = current_user.email
        form.display_name.data = current_user.display_name
    asked = request.args.get("amount", "")
    if asked.isdigit():
        if int(asked) in {a for a, _b in presets}:
            form.preset.data = asked
        else:
            form.preset.data = forms.OTHER
            form.amount.set_cents(int(asked))


@bp.route("/pledges/<int:pledge_id>/thanks")
def thanks(pledge_id):
    """Where the checkout sends the backer back (paid, or ?cancelled=1): the page follows
    what happened to the payment."""
    found, token = _session_pledge(pledge_id)
    cancelled = request.args.get("cancelled") == "1"
    if found is not None and found.status == "pending" and not cancelled:
        services.returned_from_checkout(found)  # the webhook may not be here yet
        db.session.commit()
    outcome = _outcome(found, cancelled)
    match_cents, conditional = (0, False)
    if outcome == "paid":
        match_cents, conditional = services.match_of_pledge(found)
    resp = make_response(
        render_template(
            "campaigns/thanks.html",
            pledge=found,
            token=token,
            outcome=outcome,
            match_cents=match_cents,
            conditional=conditional,
            retry_form=forms.RetryForm(token=token),
            share_url=public_url("campaigns.show_campaign", campaign_id=found.campaign_id) if found else None,
        )
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/pledges/<int:pledge_id>/retry", methods=["POST"])
def retry(pledge_id):
    """Try again after a failed, expired or abandoned checkout (the receipt token proves
    it is the backer's pledge)."""
    form = forms.RetryForm()
    if not form.validate_on_submit():
        abort(400)
    found = services.pledge_by_token(pledge_id, form.token.data)
    campaign_id = found.campaign_id
    if found.status != "pending" and not current_user.is_authenticated:  # a new checkout: as the form
        try:
            pledge_guard.guard_anonymous_pledge(campaign_id, None, None)
        except HumanCheckRequired:
            flash(_("Beantwoord eerst een korte vraag en probeer dan opnieuw."), "info")
            again = url_for("campaigns.pledge", campaign_id=campaign_id, amount=found.amount_cents)
            return redirect(again, 303)
    with attempt() as outcome:
        new, token = services.retry_pledge(found)
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(url_for("campaigns.pledge_status", pledge_id=pledge_id, token=form.token.data), 303)
    if token is None:  # the checkout is still open
        return redirect(new.checkout_url, 303)
    _remember_token(new.id, token)
    if new.checkout_url is None:
        return redirect(url_for("campaigns.pledge_status", pledge_id=new.id, token=token), 303)
    return redirect(new.checkout_url, 303)


@bp.route("/pledges/<int:pledge_id>")
def pledge_status(pledge_id):
    token = request.args.get("token", "")
    found = services.pledge_by_token(pledge_id, token)
    return render_template(
        "campaigns/pledge_status.html",
        pledge=found,
        campaign=found.campaign,
        token=token,
        transfer=transfers.instructions(found),
        outcome=_outcome(found, False),
        retry_form=forms.RetryForm(token=token),
    )


@bp.route("/pledges/<int:pledge_id>/qr")
def pledge_qr(pledge_id):
    """The EPC QR code of a pledge by transfer (SVG, or PNG with ?format=png); needs the
    receipt token, as the status page does."""
    found = services.pledge_by_token(pledge_id, request.args.get("token", ""))
    transfer = transfers.instructions(found)
    if transfer is None:
        abort(404)
    fmt = "png" if request.args.get("format") == "png" else "svg"
    return Response(
        epc_qr.render(transfer.qr_payload, fmt),
        mimetype="image/png" if fmt == "png" else "image/svg+xml",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
