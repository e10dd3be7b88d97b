"""Invoices and payout requests: asking, changing, and the four-eyes approval.

A request is `approved` only after two approvals of the same round by two different fund
managers; the project's owner never approves. `approve` locks the request's row first, so
two approvals sent at the same moment are counted one after the other (PostgreSQL), and
the unique (request, round, user) index refuses a person's second approval even then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select

from app.campaigns.models import Campaign
from app.core import audit, clock
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.uploads import check_upload
from app.extensions import db
from app.payouts import access
from app.payouts.events import payout_request_changed
from app.payouts.figures import figures
from app.payouts.models import (
    APPROVALS_NEEDED,
    REQUEST_STATES,
    Invoice,
    PayoutApproval,
    PayoutRequest,
)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def clean_iban(value: str) -> str:
    """The IBAN in its compact form, or ValidationFailed when its check fails (schwifty)."""
    try:
        return IBAN(value or "").compact
    except (SchwiftyException, ValueError):
        raise _invalid("iban", _("Dit IBAN-nummer klopt niet.")) from None


def _positive(field: str, cents: Any) -> int:
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        raise _invalid(field, _("Het bedrag moet groter zijn dan 0."))
    return cents


def _text(field: str, value: str | None, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("Dit veld is verplicht."))
    if len(value) > max_len:
        raise _invalid(field, _("Maximaal %(n)d tekens.", n=max_len))
    return value


# --- invoices ------------------------------------------------------------------------------


def add_invoice(
    campaign: Campaign, values: dict, filename: str, content: bytes, user, max_bytes: int
) -> Invoice:
    """Store an invoice or receipt of the project (PDF, JPEG or PNG, judged by its bytes)."""
    supplier = _text("supplier", values.get("supplier"), 200)
    if not isinstance(values.get("invoice_date"), date):
        raise _invalid("invoice_date", _("Geef een geldige datum."))
    amount = _positive("amount_cents", values.get("amount_cents"))
    upload = check_upload(filename, content, max_bytes)
    invoice = Invoice(
        campaign_id=campaign.id,
        uploaded_by_id=user.id,
        supplier=supplier,
        invoice_date=values["invoice_date"],
        amount_cents=amount,
        description=_text("description", values.get("description"), 2000, required=False),
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        content=upload.content,
    )
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        db.session,
        user.id,
        "payout.invoice_added",
        "payout_invoice",
        invoice.id,
        None,
        {"campaign_id": campaign.id, "amount_cents": amount, "sha256": upload.sha256},
    )
    return invoice


def invoices_of(campaign: Campaign) -> list[Invoice]:
    return list(
        db.session.scalars(select(Invoice).where(Invoice.campaign_id == campaign.id).order_by(Invoice.id))
    )


def get_invoice(campaign: Campaign, invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.campaign_id != campaign.id:
        raise NotFound(_("Factuur niet gevonden."))
    return invoice


def _project_invoices(campaign: Campaign, ids: Any) -> list[Invoice]:
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise _invalid("invoice_ids", _("Kies minstens één factuur van het project."))
    found = list(db.session.scalars(select(Invoice).where(Invoice.id.in_(ids))))
    if len(found) != len(set(ids)) or any(i.campaign_id != campaign.id for i in found):
        raise _invalid("invoice_ids", _("Deze facturen horen niet bij het project."))
    return found


# --- requests ------------------------------------------------------------------------------


def _check_payable(campaign: Campaign, amount: int, already_counted: int = 0) -> None:
    """409 unless the campaign is settled and `amount` fits in what may be requested now
    (`already_counted`: this request's own amount, when it is counted as requested)."""
    fig = figures(campaign)
    # Not `requestable_cents`: that one stops at zero, which would hide an amount raised
    # above what is left while the request was back with its owner.
    room = fig.payable_cents + already_counted - fig.hold_cents
    if not fig.settled:
        raise access.conflict(_("De campagne is nog niet geslaagd en afgerekend."), "campaign_not_settled")
    if amount > room:
        room = max(0, room)
        raise access.conflict(
            _("Het bedrag is hoger dan wat uitbetaalbaar is (%(cents)s cent).", cents=room),
            "above_payable",
            requestable_cents=room,
        )


def _fields(campaign: Campaign, values: dict) -> dict:
    return {
        "amount_cents": _positive("amount_cents", values.get("amount_cents")),
        "iban": clean_iban(values.get("iban", "")),
        "account_holder": _text("account_holder", values.get("account_holder"), 70),
        "description": _text("description", values.get("description"), 140),
        "invoices": _project_invoices(campaign, values.get("invoice_ids")),
    }


def _changed(req: PayoutRequest, actor_id: int | None, action: str, before: str, note: str | None = None):
    audit.record(
        db.session,
        actor_id,
        f"payout.{action}",
        "payout_request",
        req.id,
        {"status": before},
        {"status": req.status, "round": req.round},
        note,
    )
    payout_request_changed.send(req, campaign=db.session.get(Campaign, req.campaign_id), status=req.status)


def create_request(campaign_id: int, values: dict, user) -> PayoutRequest:
    """The owner asks for a payout against the project's invoices. 422 for bad input, 409
    when the campaign is not settled or the amount is above what may be requested."""
    campaign = access.campaign_for(campaign_id, user, owner=True, lock=True)
    fields = _fields(campaign, values)
    _check_payable(campaign, fields["amount_cents"])
    now = clock.now()
    req = PayoutRequest(
        campaign_id=campaign.id,
        requested_by_id=user.id,
        status="submitted",
        submitted_at=now,
        **{k: v for k, v in fields.items() if k != "invoices"},
    )
    req.invoices = fields["invoices"]
    db.session.add(req)
    db.session.flush()
    _changed(req, user.id, "submitted", "new")
    return req


def get_request(request_id: int, user, *, lock: bool = False) -> tuple[PayoutRequest, Campaign]:
    """The request and its campaign, for the owner and the fund's staff (404 otherwise)."""
    query = select(PayoutRequest).where(PayoutRequest.id == request_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    req = db.session.scalar(query)
    if req is None:
        raise NotFound(_("Uitbetalingsaanvraag niet gevonden."))
    campaign = db.session.get(Campaign, req.campaign_id)
    if not (access.is_owner(user, campaign) or access.is_staff(user)):
        raise NotFound(_("Uitbetalingsaanvraag niet gevonden."))
    if lock:
        db.session.expire(req, ["approvals"])
    return req, campaign


def requests_of(campaign: Campaign) -> list[PayoutRequest]:
    return list(
        db.session.scalars(
            select(PayoutRequest).where(PayoutRequest.campaign_id == campaign.id).order_by(PayoutRequest.id)
        )
    )


def update_request(request_id: int, values: dict, user) -> PayoutRequest:
    """The owner changes a request sent back for changes (or fixes the account of a failed
    one: only `iban` and `account_holder` then)."""
    req, campaign = get_request(request_id, user, lock=True)
    access.campaign_for(campaign.id, user, owner=True)
    if req.status == "failed":
        values = {k: v for k, v in values.items() if k in ("iban", "account_holder")}
    elif req.status != "changes_requested":
        raise access.conflict(
            _("Alleen een aanvraag met gevraagde wijzigingen kan worden aangepast."),
            "not_editable",
            status=req.status,
        )
    merged = {
        "amount_cents": req.amount_cents,
        "iban": req.iban,
        "account_holder": req.account_holder,
        "description": req.description,
        "invoice_ids": [i.id for i in req.invoices],
        **values,
    }
    fields = _fields(campaign, merged)
    before = {"amount_cents": req.amount_cents, "iban_last4": req.iban[-4:]}
    for key, value in fields.items():
        setattr(req, key, value)
    db.session.flush()
    audit.record(
        db.session,
        user.id,
        "payout.updated",
        "payout_request",
        req.id,
        before,
        {"amount_cents": req.amount_cents, "iban_last4": req.iban[-4:]},
    )
    return req


def submit_request(request_id: int, user) -> PayoutRequest:
    """changes_requested → submitted: a new round, so two new approvals are needed."""
    access.campaign_for(_campaign_id(request_id), user, owner=True, lock=True)
    req, campaign = get_request(request_id, user, lock=True)
    REQUEST_STATES.check(req.status, "submitted")
    _check_payable(campaign, req.amount_cents, already_counted=req.amount_cents)
    before = req.status
    req.status, req.round, req.reason, req.submitted_at = "submitted", req.round + 1, None, clock.now()
    db.session.flush()
    _changed(req, user.id, "submitted", before)
    return req


def withdraw_request(request_id: int, user) -> PayoutRequest:
    """The owner takes a request back before it is approved."""
    req, campaign = get_request(request_id, user, lock=True)
    access.campaign_for(campaign.id, user, owner=True)
    REQUEST_STATES.check(req.status, "withdrawn")
    before, req.status = req.status, "withdrawn"
    db.session.flush()
    _changed(req, user.id, "withdrawn", before)
    return req


def _campaign_id(request_id: int) -> int:
    cid = db.session.scalar(select(PayoutRequest.campaign_id).where(PayoutRequest.id == request_id))
    if cid is None:
        raise NotFound(_("Uitbetalingsaanvraag niet gevonden."))
    return cid


def approve_request(request_id: int, user) -> PayoutRequest:
    """One fund manager's approval. The second one by another person approves the request;
    the same person twice is 409 `already_approved`; the project's owner is 403. A failed
    request (bank return) whose account was fixed goes back to `approved` by one approval
    of a manager who did not ask for it."""
    access.require_manager(user)
    req, campaign = get_request(request_id, user, lock=True)
    access.not_own_project(user, campaign)
    if req.requested_by_id == user.id:
        raise Forbidden(
            _("Je kunt niet beslissen over de uitbetalingen van je eigen project."), code="own_project"
        )
    if req.status == "failed":
        before, req.status = req.status, "approved"
        req.approved_at = clock.now()
        db.session.flush()
        _changed(req, user.id, "approved", before, note="retry after a bank return")
        return req
    if req.status != "submitted":
        REQUEST_STATES.check(req.status, "approved")
    if any(a.user_id == user.id for a in req.current_approvals):
        raise access.conflict(
            _("Je hebt deze aanvraag al goedgekeurd; een tweede beheerder moet dat doen."), "already_approved"
        )
    db.session.add(PayoutApproval(request_id=req.id, round=req.round, user_id=user.id))
    db.session.flush()
    db.session.expire(req, ["approvals"])
    audit.record(
        db.session,
        user.id,
        "payout.approval",
        "payout_request",
        req.id,
        None,
        {"round": req.round, "approvals": len(req.current_approvals)},
    )
    if len(req.current_approvals) >= APPROVALS_NEEDED:
        req.status, req.approved_at = "approved", clock.now()
        db.session.flush()
        _changed(req, user.id, "approved", "submitted")
    return req


def _decide(request_id: int, user, target: str, reason: str) -> PayoutRequest:
    access.require_manager(user)
    reason = _text("reason", reason, 2000)
    req, campaign = get_request(request_id, user, lock=True)
    access.not_own_project(user, campaign)
    REQUEST_STATES.check(req.status, target)
    before, req.status, req.reason = req.status, target, reason
    db.session.flush()
    _changed(req, user.id, target, before, note=reason)
    return req


def reject_request(request_id: int, user, reason: str) -> PayoutRequest:
    """Final: the request is refused, with the reason."""
    return _decide(request_id, user, "rejected", reason)


def request_changes(request_id: int, user, reason: str) -> PayoutRequest:
    """Back to the owner with the reason; its approvals so far no longer count."""
    return _decide(request_id, user, "changes_requested", reason)
