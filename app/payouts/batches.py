"""SEPA batches and the ledger: approved requests go into one pain.001 credit-transfer file
(one end-to-end id per request), are marked paid by hand, and a bank return reverses.

Ledger (docs/ledger.md): a paid request is one `payout_paid` transaction
`campaign:<id>:paid_out` +x, `bank:payouts` −x, keyed `payout:<request>:paid:<attempt>`;
a bank return is its reversal (`payout_returned`). raised and matched stay what came in.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET  # noqa: N817
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError
from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign
from app.core import audit, clock
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalTransaction
from app.payouts import access
from app.payouts.events import payout_request_changed
from app.payouts.figures import BANK_ACCOUNT, PAID_OUT_KIND, figures, paid_out_account
from app.payouts.models import REQUEST_STATES, PayoutBatch, PayoutRequest
from app.payouts.requests import clean_iban, get_request

# pain.001.001.09 is the version of the EPC's SCT customer-to-bank guidelines since the
# 2019 rulebook (in force November 2023), which Belgian banks take; .03 still works at most
# of them and can be chosen with SEPA_PAIN_VERSION.
PAIN_VERSIONS = ("pain.001.001.09", "pain.001.001.03")


def debtor_from_config() -> dict:
    """The fund's own account (PAYOUT_DEBTOR_NAME / _IBAN / _BIC in the environment)."""
    cfg = current_app.config
    return {
        "name": cfg.get("PAYOUT_DEBTOR_NAME", ""),
        "iban": cfg.get("PAYOUT_DEBTOR_IBAN", ""),
        "bic": cfg.get("PAYOUT_DEBTOR_BIC", ""),
    }


def _end_to_end_id(req: PayoutRequest) -> str:
    # Unique per attempt, ≤ 35 characters, only characters every bank keeps.
    return f"SF{req.id}A{req.attempts}X{secrets.token_hex(4).upper()}"


def _sepa_xml(batch_ref: str, requests: list[PayoutRequest], debtor: dict, version: str) -> bytes:
    config = {
        "name": debtor["name"],
        "IBAN": clean_iban(debtor["iban"]),
        "batch": True,
        "currency": "EUR",
    }
    if debtor.get("bic"):
        config["BIC"] = debtor["bic"]
    transfer = SepaTransfer(config, schema=version, clean=True)
    execution = (clock.now() + timedelta(days=1)).date()
    for req in requests:
        transfer.add_payment(
            {
                "name": req.account_holder,
                "IBAN": req.iban,
                "amount": int(req.amount_cents),
                "execution_date": execution,
                "description": f"{req.description} ({batch_ref})"[:140],
                "endtoend_id": req.end_to_end_id,
            }
        )
    # validate=True: sepaxml checks the file against the pain.001 XSD it ships (xmlschema).
    try:
        return transfer.export(validate=True)
    except ValidationError as exc:
        raise access.conflict(
            _("Het betaalbestand voldoet niet aan het SEPA-schema."), "sepa_invalid"
        ) from exc


def create_batch(user, request_ids: list[int] | None = None, debtor: dict | None = None) -> PayoutBatch:
    """Gather the approved requests (or the ones named, which must be approved) into one
    SEPA file; each becomes `scheduled` with its own end-to-end id. 409 when there is
    nothing to pay, a named request is not approved, the fund's account is not configured,
    or a request would take a project above raised + matched."""
    access.require_manager(user)
    debtor = debtor or debtor_from_config()
    if not debtor.get("iban") or not debtor.get("name"):
        raise access.conflict(_("Het rekeningnummer van het fonds is niet ingesteld."), "debtor_missing")
    query = select(PayoutRequest).with_for_update().order_by(PayoutRequest.id)
    if request_ids:
        query = query.where(PayoutRequest.id.in_(request_ids))
    else:
        query = query.where(PayoutRequest.status == "approved")
    requests = list(db.session.scalars(query.execution_options(populate_existing=True)))
    if request_ids and len(requests) != len(set(request_ids)):
        raise NotFound(_("Uitbetalingsaanvraag niet gevonden."))
    not_ready = [r.id for r in requests if r.status != "approved"]
    if not_ready:
        raise access.conflict(
            _("Alleen goedgekeurde aanvragen gaan in een betaalbestand."),
            "not_approved",
            request_ids=not_ready,
        )
    if not requests:
        raise access.conflict(_("Er zijn geen goedgekeurde aanvragen om te betalen."), "nothing_to_pay")
    per_campaign: dict[int, int] = {}
    for req in requests:
        per_campaign[req.campaign_id] = per_campaign.get(req.campaign_id, 0) + req.amount_cents
    for cid, cents in per_campaign.items():
        fig = figures(db.session.get(Campaign, cid))
        if fig.paid_out_cents + cents > fig.raised_cents + fig.matched_cents:
            raise access.conflict(
                _("Een project zou meer krijgen dan opgehaald en verdubbeld."), "above_funds", campaign_id=cid
            )
    version = current_app.config.get("SEPA_PAIN_VERSION") or PAIN_VERSIONS[0]
    if version not in PAIN_VERSIONS:
        raise ValidationFailed(f"SEPA_PAIN_VERSION {version} is not supported")
    for req in requests:
        req.attempts += 1
        req.end_to_end_id = _end_to_end_id(req)
    batch = PayoutBatch(
        pain_version=version,
        message_id="",
        total_cents=sum(r.amount_cents for r in requests),
        count=len(requests),
        xml=b"",
        created_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    batch.xml = _sepa_xml(f"SF-B{batch.id}", requests, debtor, version)
    batch.message_id = _message_id(batch.xml)
    for req in requests:
        before, req.status, req.batch_id = req.status, "scheduled", batch.id
        _changed(req, user.id, "scheduled", before)
    audit.record(
        db.session,
        user.id,
        "payout.batch_exported",
        "payout_batch",
        batch.id,
        None,
        {"requests": [r.id for r in requests], "total_cents": batch.total_cents},
    )
    db.session.flush()
    return batch


def _message_id(xml: bytes) -> str:
    root = ET.fromstring(xml)  # noqa: S314 - our own file, just built
    node = next((n for n in root.iter() if n.tag.endswith("MsgId")), None)
    return (node.text or "")[:35] if node is not None else ""


def _changed(req: PayoutRequest, actor_id, action: str, before: str, note: str | None = None) -> None:
    audit.record(
        db.session,
        actor_id,
        f"payout.{action}",
        "payout_request",
        req.id,
        {"status": before},
        {"status": req.status},
        note,
    )
    payout_request_changed.send(req, campaign=db.session.get(Campaign, req.campaign_id), status=req.status)


def request_for_end_to_end_id(end_to_end_id: str) -> PayoutRequest | None:
    """The request a bank statement's debit belongs to (its end-to-end id), for the
    statement import of the bank-transfers issue; None when no request carries it."""
    return db.session.scalar(select(PayoutRequest).where(PayoutRequest.end_to_end_id == end_to_end_id))


def get_batch(batch_id: int, user) -> PayoutBatch:
    if not access.is_staff(user):
        raise NotFound(_("Betaalbestand niet gevonden."))
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(_("Betaalbestand niet gevonden."))
    return batch


def list_batches() -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc())))


def post_paid(req: PayoutRequest) -> JournalTransaction:
    """The one journal transaction of a paid request (idempotent per attempt)."""
    return ledger.post(
        PAID_OUT_KIND,
        {paid_out_account(req.campaign_id): req.amount_cents, BANK_ACCOUNT: -req.amount_cents},
        idempotency_key=f"payout:{req.id}:paid:{req.attempts}",
        campaign_id=req.campaign_id,
        memo=f"payout request {req.id} ({req.end_to_end_id})",
        fund_id=req.fund_id,
    )


def mark_paid(batch_id: int, user) -> PayoutBatch:
    """Every scheduled request of the batch is paid: one ledger posting each. Marking a paid
    batch again changes nothing."""
    access.require_manager(user)
    batch = db.session.scalar(
        select(PayoutBatch)
        .where(PayoutBatch.id == batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if batch is None:
        raise NotFound(_("Betaalbestand niet gevonden."))
    requests = db.session.scalars(
        select(PayoutRequest)
        .where(PayoutRequest.batch_id == batch.id)
        .with_for_update()
        .order_by(PayoutRequest.id)
        .execution_options(populate_existing=True)
    )
    now = clock.now()
    paid_campaigns: set[int] = set()
    for req in requests:
        if req.status != "scheduled":
            continue
        tx = post_paid(req)
        before, req.status, req.paid_at, req.paid_transaction_id = req.status, "paid", now, tx.id
        _changed(req, user.id, "paid", before)
        paid_campaigns.add(req.campaign_id)
    for campaign_id in sorted(paid_campaigns):
        # The campaign page shows each paid instalment: its cached page and validators move.
        campaigns.refresh_campaign_figures(db.session, campaign_id)
    if batch.status != "paid":
        batch.status, batch.paid_at, batch.paid_by_id = "paid", now, user.id
        audit.record(
            db.session, user.id, "payout.batch_paid", "payout_batch", batch.id, None, {"status": "paid"}
        )
    db.session.flush()
    return batch


def mark_failed(request_id: int, user, reason: str) -> PayoutRequest:
    """The bank returned the transfer: a paid request's posting is reversed; the request
    is `failed` until its account is fixed and a manager approves it again."""
    access.require_manager(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Dit veld is verplicht."), details={"reason": [_("Dit veld is verplicht.")]})
    req, campaign = get_request(request_id, user, lock=True)
    access.not_own_project(user, campaign)
    REQUEST_STATES.check(req.status, "failed")
    if req.status == "paid" and req.paid_transaction_id:
        original = db.session.get(JournalTransaction, req.paid_transaction_id)
        ledger.reverse(original, kind="payout_returned", memo=f"payout request {req.id} returned")
        campaigns.refresh_campaign_figures(db.session, req.campaign_id)  # no longer shown as paid
    before = req.status
    req.status, req.reason, req.paid_at, req.paid_transaction_id = "failed", reason, None, None
    db.session.flush()
    _changed(req, user.id, "failed", before, note=reason)
    return req
