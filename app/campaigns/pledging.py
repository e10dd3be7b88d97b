"""A backer pledges (no account needed): checks, the secret receipt token, the checkout."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import services as accounts
from app.campaigns import taxcert, transfers
from app.campaigns.figures import refresh_campaign_figures
from app.campaigns.models import Campaign, Pledge
from app.campaigns.ports import PledgeMail
from app.core import clock, ports
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.money import format_cents
from app.extensions import db
from app.funds import services as funds
from app.payments import services as payments

MAX_MESSAGE = 1000
MAX_NAME = 120
LANGUAGES = ("nl", "en", "fr")


def receipt_token(pledge: Pledge) -> str:
    """The secret of the pledge's status link: an HMAC of its random nonce under SECRET_KEY,
    so the database alone (which keeps only its SHA-256) does not reveal it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"receipt:{pledge.receipt_nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pledge_by_token(pledge_id: int, token: str) -> Pledge:
    """The pledge if `token` is its receipt token; NotFound otherwise (no hint which is wrong)."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or not token or not hmac.compare_digest(pledge.receipt_token_hash, token_hash(token)):
        raise NotFound(_("Bijdrage niet gevonden."))
    return pledge


def pledge_for_reader(pledge_id: int, token: str | None, user) -> Pledge:
    """A pledge as its backer (by receipt token) or the fund's staff and the overseer (by
    their role, no token needed) may read it; NotFound for anyone else."""
    if user is not None and user.has_role("fund_manager", "admin", "auditor"):
        pledge = db.session.get(Pledge, pledge_id)
        if pledge is None:
            raise NotFound(_("Bijdrage niet gevonden."))
        return pledge
    return pledge_by_token(pledge_id, token or "")


def check_pledge_values(campaign: Campaign, values: dict[str, Any]) -> dict[str, Any]:
    """Clean pledge fields; ValidationFailed (422) with every field error."""
    errors: dict[str, list[str]] = {}
    call = campaign.call
    lo, hi = call.min_pledge_cents or 500, call.max_pledge_cents or 500000
    amount = values.get("amount_cents")
    if isinstance(amount, bool) or not isinstance(amount, int) or not lo <= amount <= hi:
        errors["amount_cents"] = [
            _("Een bedrag van %(lo)s tot %(hi)s.", lo=_euro(lo), hi=_euro(hi)),
        ]
    email = None
    try:
        email = accounts.normalise_email(values.get("email") or "")
    except ValidationFailed as exc:
        errors.update(exc.details)
    anonymous = bool(values.get("anonymous"))
    name = (values.get("display_name") or "").strip()
    if len(name) > MAX_NAME:
        errors["display_name"] = [_("Hoogstens %(n)d tekens.", n=MAX_NAME)]
    elif not name and not anonymous:
        errors["display_name"] = [_("Geef een naam, of kies anoniem.")]
    message = (values.get("message") or "").strip()
    if len(message) > MAX_MESSAGE:
        errors["message"] = [_("Hoogstens %(n)d tekens.", n=MAX_MESSAGE)]
    certificate = None
    if values.get("tax_certificate"):
        try:
            certificate = taxcert.clean_request(values["tax_certificate"])
        except ValidationFailed as exc:
            errors.update({f"tax_certificate.{k}": v for k, v in exc.details.items()})
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    return {
        "amount_cents": amount,
        "email": email,
        "display_name": name,
        "anonymous": anonymous,
        "message": message,
        "hide_amount": bool(values.get("hide_amount")),
        "notify_opt_in": bool(values.get("notify_opt_in")),
        "tax_certificate": certificate,
    }


def _euro(cents: int) -> str:
    return format_cents(cents)


def _fingerprint(clean: dict[str, Any]) -> str:
    # Keyed, because the request may hold a national register number.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, json.dumps(clean, sort_keys=True, default=str).encode(), hashlib.sha256).hexdigest()


def create_pledge(
    campaign: Campaign,
    values: dict[str, Any],
    user_id: int | None = None,
    client_key: str | None = None,
    locale: str | None = None,
) -> tuple[Pledge, str]:
    """A pending pledge and its checkout at the configured gateway; returns (pledge, token).

    Refuses a campaign that is not open (409 campaign_not_open) and bad fields (422). With
    `client_key` (the API's Idempotency-Key) a repeat returns the first pledge, and the same
    key with other values is refused (409 idempotency_key_reused). The pledge counts only
    once the gateway confirms the payment. `locale` (default: the language of the page or
    request) is kept on the pledge for its mails.
    """
    if campaign.status != "open" or (campaign.ends_at and campaign.ends_at <= clock.now()):
        raise Conflict(_("Deze campagne loopt niet; bijdragen kan nu niet."), code="campaign_not_open")
    clean = check_pledge_values(campaign, values)
    fingerprint = _fingerprint({**clean, "method": values.get("method") or ""})
    if client_key:
        client_key = client_key.strip()[:255]
        existing = _by_client_key(campaign.id, client_key)
        if existing is not None:
            return _replay(existing, fingerprint)
    certificate = clean.pop("tax_certificate")
    by_transfer = values.get("method") == transfers.METHOD
    if by_transfer and funds.account(campaign.fund_id) is None:
        raise ValidationFailed(
            _("Betalen met een overschrijving kan bij dit fonds niet."),
            details={"method": [_("Kies een andere betaalwijze.")]},
        )
    gateway = None if by_transfer else payments.get_gateway()
    nonce = secrets.token_hex(16)
    pledge = Pledge(
        campaign_id=campaign.id,
        user_id=user_id,
        method=transfers.METHOD if by_transfer else gateway.name,
        announced_by_backer=by_transfer,
        status="pending",
        receipt_nonce=nonce,
        client_key=client_key or None,
        client_fingerprint=fingerprint if client_key else None,
        tax_certificate_encrypted=taxcert.encrypt(certificate) if certificate else None,
        locale=_pledge_language(locale or values.get("locale")),
        **clean,
    )
    token = receipt_token(pledge)
    pledge.receipt_token_hash = token_hash(token)
    try:
        with db.session.begin_nested():
            db.session.add(pledge)
            db.session.flush()
    except IntegrityError:
        existing = _by_client_key(campaign.id, client_key) if client_key else None
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    if gateway is None:  # the backer pays by transfer; a bank statement confirms it
        refresh_campaign_figures(db.session, campaign.id)  # the page shows it as announced
        ports.get(PledgeMail).transfer_instructions(pledge)
        return pledge, token
    base = funds.base_url(campaign.fund_id)  # the backer comes back to the fund's own site
    checkout = gateway.create_checkout(
        payments.CheckoutRequest(
            pledge_id=pledge.id,
            campaign_id=campaign.id,
            amount_cents=pledge.amount_cents,
            email=pledge.email,
            description=_("Bijdrage aan %(t)s", t=campaign.title),
            success_url=f"{base}/pledges/{pledge.id}/thanks",
            cancel_url=f"{base}/campaigns/{campaign.id}",
        )
    )
    pledge.checkout_session_id = checkout.session_id
    pledge.checkout_url = checkout.url
    pledge.payment_intent_id = checkout.payment_intent_id
    db.session.flush()
    return pledge, token


def _pledge_language(asked: str | None) -> str:
    """The language asked for, else the one the page was shown in (Babel's choice)."""
    if asked in LANGUAGES:
        return asked
    current = str(get_locale() or "nl")
    return current if current in LANGUAGES else "nl"


def _by_client_key(campaign_id: int, key: str) -> Pledge | None:
    return db.session.scalar(
        select(Pledge).where(Pledge.campaign_id == campaign_id, Pledge.client_key == key)
    )


def _replay(pledge: Pledge, fingerprint: str) -> tuple[Pledge, str]:
    if pledge.client_fingerprint != fingerprint:
        raise Conflict(
            _("Deze Idempotency-Key werd al gebruikt voor een andere bijdrage."),
            code="idempotency_key_reused",
        )
    return pledge, receipt_token(pledge)
