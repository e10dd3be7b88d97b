"""Refunds, offline gifts and their cancellation.

A refund is first a `Refund` row (requested), then the task `campaigns.refund_pledge` asks the
gateway with the idempotency key `refund:<refund id>`; the gateway's `charge.refunded`
confirms it and only then does the money stop counting. Offline gifts post to the ledger
at once; cancelling one reverses that posting (never a delete).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.campaigns import events, money
from app.campaigns.confirmation import dispatch_refund, locked_pledge, succeed
from app.campaigns.models import OFFLINE_METHODS, PLEDGE_STATES, REFUNDABLE, Campaign, Pledge, Refund
from app.campaigns.pledging import receipt_token, token_hash
from app.campaigns.ports import Matching
from app.core import audit, clock, ports
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.payments import services as payments


def _open_refunds_cents(pledge_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
                Refund.pledge_id == pledge_id, Refund.status.in_(("requested", "submitted"))
            )
        )
        or 0
    )


def refundable_cents(pledge: Pledge) -> int:
    """What is left to refund: the amount minus what is refunded or on its way back."""
    if pledge.status not in REFUNDABLE:
        return 0
    return pledge.amount_cents - pledge.refunded_cents - _open_refunds_cents(pledge.id)


def request_refund(
    pledge: Pledge, amount_cents: int | None, actor_id: int | None, note: str | None = None
) -> Refund:
    """Refund `amount_cents` of a pledge (everything left when None).

    Refuses a pledge that is not succeeded or partially refunded (409 not_refundable), an
    amount that is not a positive integer (422) and more than is left (409 refund_exceeds).
    Online pledges: a row now, the gateway call after commit. Offline: counted back at once.
    """
    pledge = locked_pledge(pledge.id)
    if pledge.status not in REFUNDABLE:
        raise Conflict(_("Deze bijdrage kan niet terugbetaald worden."), code="not_refundable")
    left = refundable_cents(pledge)
    if amount_cents is None:
        amount_cents = left
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed(
            _("Een bedrag groter dan nul."), details={"amount_cents": [_("Een bedrag groter dan nul.")]}
        )
    if amount_cents > left:
        raise Conflict(
            _("Er blijft maar %(left)d cent terug te betalen.", left=left),
            code="refund_exceeds",
            details={"left_cents": left},
        )
    refund = Refund(
        pledge_id=pledge.id, amount_cents=amount_cents, requested_by_id=actor_id, reason="requested"
    )
    db.session.add(refund)
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "pledge.refund_requested",
        "pledge",
        pledge.id,
        None,
        {"refund_id": refund.id, "amount_cents": amount_cents},
        note,
    )
    dispatch_refund(pledge, refund)
    return refund


def run_refund(refund_id: int) -> Refund | None:
    """Ask the gateway for a requested refund (key `refund:<id>`). Idempotent: a refund that
    is no longer `requested` is left alone, and a repeated call returns the gateway's same
    refund. On a gateway error the row stays requested with the error, for a later retry."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != "requested":
        return refund
    pledge = refund.pledge
    if not pledge.payment_intent_id:
        refund.error = "no payment intent known for this pledge"
        return refund
    try:
        gateway_id = payments.get_gateway(pledge.method).refund(
            pledge.payment_intent_id, refund.amount_cents, refund.id
        )
    except payments.GatewayUnavailable as exc:
        refund.error = f"{exc.message} {exc.details.get('gateway', '')}".strip()
        return refund
    db.session.refresh(refund)
    refund.gateway_refund_id = refund.gateway_refund_id or gateway_id
    refund.error = None
    if refund.status == "requested":
        refund.status = "submitted"  # charge.refunded will confirm it
    db.session.flush()
    return refund


def stale_refund_ids(older_than_minutes: int = 10) -> list[int]:
    """Refunds still `requested` after a while (the broker or gateway was down): retry them."""
    cutoff = clock.now() - timedelta(minutes=older_than_minutes)
    return list(
        db.session.scalars(select(Refund.id).where(Refund.status == "requested", Refund.created_at < cutoff))
    )


def record_offline_gift(
    campaign: Campaign, values: dict, actor_id: int | None, held_account: str | None = None
) -> Pledge:
    """A bank transfer or cash gift, counted at once. With an e-mail it counts as that
    backer, without one as a backer of its own. Refuses a campaign that is not open (409)
    and a bad amount, method or missing reference (422). ``held_account``: the ledger
    account the money is on when known (a bank statement line: ``bank:<iban>``)."""
    if campaign.status != "open":
        raise Conflict(_("Deze campagne loopt niet."), code="campaign_not_open")
    errors: dict[str, list[str]] = {}
    amount = values.get("amount_cents")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= 10**9:
        errors["amount_cents"] = [_("Een bedrag groter dan nul.")]
    if values.get("method") not in OFFLINE_METHODS:
        errors["method"] = [_("Overschrijving of contant.")]
    reference = (values.get("reference") or "").strip()
    if not reference or len(reference) > 200:
        errors["reference"] = [_("Geef de referentie van de overschrijving of het kasticket.")]
    email = None
    if values.get("email"):
        try:
            email = accounts.normalise_email(values["email"])
        except ValidationFailed as exc:
            errors.update(exc.details)
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    pledge = Pledge(
        campaign_id=campaign.id,
        amount_cents=amount,
        email=email,
        display_name=(values.get("display_name") or "").strip()[:120],
        anonymous=bool(values.get("anonymous")),
        message="",
        method=values["method"],
        reference=reference,
        status="pending",
        receipt_nonce=secrets.token_hex(16),
        recorded_by_id=actor_id,
        held_account=held_account,
    )
    pledge.receipt_token_hash = token_hash(receipt_token(pledge))
    db.session.add(pledge)
    db.session.flush()
    succeed(pledge)
    audit.record(
        db.session,
        actor_id,
        "pledge.offline_recorded",
        "pledge",
        pledge.id,
        None,
        {"amount_cents": amount, "method": pledge.method, "reference": reference},
    )
    return pledge


def cancel_offline_gift(pledge: Pledge, actor_id: int | None, note: str | None = None) -> Pledge:
    """Cancel an offline gift recorded by mistake: its posting is reversed, the row stays.
    Refuses online pledges and gifts that are no longer simply succeeded (409)."""
    pledge = locked_pledge(pledge.id)
    if not pledge.is_offline:
        raise Conflict(
            _("Alleen een offline gift kan geannuleerd worden; betaal online bijdragen terug."),
            code="not_offline",
        )
    PLEDGE_STATES.check(pledge.status, "cancelled")
    pledge.status = "cancelled"
    money.reverse_in(pledge, f"pledge:{pledge.id}:in")
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "pledge.cancelled",
        "pledge",
        pledge.id,
        {"status": "succeeded"},
        {"status": "cancelled"},
        note,
    )
    ports.get(Matching).pledge_returned(pledge)
    events.pledge_cancelled.send(pledge)
    return pledge
