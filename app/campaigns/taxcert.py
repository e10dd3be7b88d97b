"""Tax certificate requests: the national register number (rijksregisternummer) and address,
validated, kept encrypted with a data key of their own (wrapped by DATA_ENCRYPTION_KEY, see
app/core/datakeys.py: erasure and retention shred it), and decrypted only for the auditor's
export (`tax_certificate_requests`)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.campaigns.models import EVER_PAID, Campaign, Pledge
from app.core import clock, datakeys
from app.core.errors import ValidationFailed
from app.extensions import db
from app.ledger.models import JournalEntry, JournalTransaction

FIELDS = ("national_register_number", "name", "street", "postal_code", "city")


def rrn_is_valid(value: str) -> bool:
    """Eleven digits YYMMDD SSS CC whose check CC = 97 − (YYMMDDSSS mod 97); for people born
    in 2000 or later the number is read with a 2 in front (2YYMMDDSSS). Month may be 0
    (unknown date) or shifted by 20 or 40 (bis numbers)."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"\d{11}", digits):
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52) or day > 31:
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return 97 - base % 97 == check or 97 - int("2" + digits[:9]) % 97 == check


def clean_request(data: Any) -> dict[str, str]:
    """The certificate fields, trimmed and checked; ValidationFailed with every field error."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            _("Vul de gegevens voor het fiscaal attest in."), details={"tax_certificate": ["?"]}
        )
    clean, errors = {}, {}
    for key in FIELDS:
        value = data.get(key)
        value = value.strip() if isinstance(value, str) else ""
        if not value or len(value) > 200:
            errors[key] = [_("Vul dit in.")]
        clean[key] = value
    if clean["national_register_number"] and not rrn_is_valid(clean["national_register_number"]):
        errors["national_register_number"] = [_("Dit rijksregisternummer klopt niet.")]
    else:
        clean["national_register_number"] = re.sub(r"[\s.\-]", "", clean["national_register_number"])
    if clean["postal_code"] and not re.fullmatch(r"\d{4}", clean["postal_code"]):
        errors["postal_code"] = [_("Een Belgische postcode heeft vier cijfers.")]
    if errors:
        raise ValidationFailed(_("De gegevens voor het fiscaal attest kloppen niet."), details=errors)
    return clean


def encrypt(data: dict[str, str]) -> bytes:
    """Encrypt the certificate data with a new data key of this pledge. Refuses (422) when no
    valid master key is configured: we never keep a national register number in the clear."""
    try:
        return datakeys.encrypt(db.session, json.dumps(data, sort_keys=True).encode())
    except datakeys.NoMasterKey:
        current_app.logger.error("DATA_ENCRYPTION_KEY is missing or not a valid Fernet key")
        msg = _("Een fiscaal attest kan nu niet aangevraagd worden. Doe je gift zonder of probeer later.")
        raise ValidationFailed(
            msg, code="tax_certificate_unavailable", details={"tax_certificate": [msg]}
        ) from None


def decrypt(blob: bytes) -> dict[str, str]:
    """The certificate data; RuntimeError without the master key or once it was shredded
    (datakeys.Shredded: erasure or retention deleted its data key)."""
    try:
        return json.loads(datakeys.decrypt(db.session, blob))
    except datakeys.NoMasterKey:
        raise RuntimeError("DATA_ENCRYPTION_KEY is needed to read tax certificate requests") from None


def tax_certificate_requests(year: int) -> list[dict[str, Any]]:
    """For the auditor's export only: every pledge confirmed in `year` (Brussels time) whose
    backer asked for a certificate, decrypted, with what it counts for now (net of refunds
    and disputes) and the backer's total for the year by register number; a certificate is
    due when that total is at least 40 euro (`eligible`)."""
    start = clock.from_local(datetime(year, 1, 1))
    end = clock.from_local(datetime(year + 1, 1, 1))
    pledges = db.session.scalars(
        select(Pledge)
        .options(undefer(Pledge.tax_certificate_encrypted))
        .where(
            Pledge.tax_certificate_encrypted.is_not(None),
            Pledge.confirmed_at >= start.astimezone(UTC),
            Pledge.confirmed_at < end.astimezone(UTC),
            Pledge.status.in_(EVER_PAID),
        )
        .order_by(Pledge.id)
    ).all()
    if not pledges:
        return []
    net = dict(
        db.session.execute(
            select(JournalTransaction.pledge_id, -func.sum(JournalEntry.amount_cents))
            .join(JournalEntry, JournalEntry.transaction_id == JournalTransaction.id)
            .where(
                JournalTransaction.pledge_id.in_([p.id for p in pledges]),
                JournalEntry.account.like("campaign:%:raised"),
            )
            .group_by(JournalTransaction.pledge_id)
        ).all()
    )
    titles = dict(db.session.execute(select(Campaign.id, Campaign.title)).all())
    out = []
    for p in pledges:
        try:
            data = decrypt(p.tax_certificate_encrypted)
        except datakeys.Shredded:  # erased: a certificate can no longer be made, nor counted
            continue
        out.append(
            {
                "pledge_id": p.id,
                "campaign_id": p.campaign_id,
                "campaign_title": titles.get(p.campaign_id, ""),
                "email": p.email,
                "confirmed_at": p.confirmed_at,
                "amount_cents": p.amount_cents,
                "net_cents": int(net.get(p.id, 0)),
                **data,
            }
        )
    totals: dict[str, int] = {}
    for row in out:
        totals[row["national_register_number"]] = (
            totals.get(row["national_register_number"], 0) + row["net_cents"]
        )
    for row in out:
        row["donor_year_total_cents"] = totals[row["national_register_number"]]
        row["eligible"] = row["donor_year_total_cents"] >= 4000
    return out
