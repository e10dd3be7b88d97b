"""Retention: personal data is kept no longer than its purpose or the law needs.

- Tax-certificate data (register number, address) of a pledge: until the end of the year
  after the certificate year (certificates are filed by then), plus RETENTION_TAX_YEARS
  (the tax administration's longest inspection period), then deleted with its data key.
- Applications never submitted: deleted RETENTION_DRAFT_DAYS after their last change.
- The payer's details on a bank-statement line (name, account number, free communication):
  kept as a bookkeeping record until 1 January of booking year + 1 + RETENTION_ACCOUNTING_YEARS
  (10, art. III.88 Code of Economic Law), then blanked; amount, dates and the structured
  reference stay (they are the books' evidence, and no person's).
- Accounts whose address was never confirmed: deleted RETENTION_UNCONFIRMED_DAYS after
  registration, when nothing refers to them.

`apply()` is idempotent: a second run finds nothing left to do. Beat runs it nightly.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.banking.models import BankLine
from app.calls.models import Application
from app.campaigns.models import Pledge
from app.core import clock, datakeys
from app.extensions import db

log = logging.getLogger(__name__)


def _tax_year(pledge: Pledge) -> int:
    moment = pledge.confirmed_at or pledge.created_at
    return clock.local(moment).year


def tax_data_until(pledge: Pledge) -> datetime:
    """When the pledge's tax-certificate data may go: 1 January of certificate year + 2 +
    RETENTION_TAX_YEARS (the year is closed and filed in the next one, then the period)."""
    years = int(current_app.config.get("RETENTION_TAX_YEARS", 7))
    return clock.from_local(datetime(_tax_year(pledge) + 2 + years, 1, 1))


def tax_data_must_be_kept(pledge: Pledge) -> bool:
    return clock.now() < tax_data_until(pledge)


def shred_tax_data(pledge: Pledge) -> None:
    """Delete the pledge's tax-certificate data: its data key first (crypto-shredding: any
    copy of the ciphertext, in a backup or an export, becomes unreadable), then the
    ciphertext itself."""
    datakeys.shred(db.session, pledge.tax_certificate_encrypted)
    pledge.tax_certificate_encrypted = None


def _expired_tax_data() -> int:
    years = int(current_app.config.get("RETENTION_TAX_YEARS", 7))
    # A pledge made before 1 January of (this year − 1 − years) is past its period.
    local_now = clock.local(clock.now())
    cutoff = clock.from_local(datetime(local_now.year - 1 - years, 1, 1))
    ids = db.session.scalars(
        select(Pledge.id).where(Pledge.tax_certificate_encrypted.is_not(None), Pledge.created_at < cutoff)
    ).all()
    count = 0
    for pledge in db.session.scalars(select(Pledge).where(Pledge.id.in_(ids))) if ids else []:
        if not tax_data_must_be_kept(pledge):
            shred_tax_data(pledge)
            count += 1
    return count


def _old_bank_lines() -> int:
    years = int(current_app.config.get("RETENTION_ACCOUNTING_YEARS", 10))
    # Booked before 1 January of (this year − years): its financial year closed > `years` ago.
    cutoff = date(clock.local(clock.now()).year - years, 1, 1)
    lines = db.session.scalars(
        select(BankLine).where(
            BankLine.booking_date < cutoff,
            or_(
                BankLine.counterparty_name != "",
                BankLine.counterparty_account != "",
                BankLine.free_text != "",
            ),
        )
    ).all()
    for line in lines:
        line.counterparty_name, line.counterparty_account, line.free_text = "", "", ""
    return len(lines)


def _old_drafts() -> int:
    days = int(current_app.config.get("RETENTION_DRAFT_DAYS", 365))
    cutoff = clock.now() - timedelta(days=days)
    drafts = db.session.scalars(
        select(Application).where(Application.status == "draft", Application.updated_at < cutoff)
    ).all()
    for draft in drafts:
        db.session.delete(draft)
    return len(drafts)


def _unconfirmed_accounts() -> int:
    days = int(current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 30))
    cutoff = clock.now() - timedelta(days=days)
    users = db.session.scalars(
        select(User).where(
            User.email_confirmed_at.is_(None),
            User.erased_at.is_(None),
            User.created_at < cutoff,
            ~exists().where(Application.owner_id == User.id),
            ~exists().where(Pledge.user_id == User.id),
        )
    ).all()
    removed = 0
    for user in users:
        try:
            with db.session.begin_nested():
                db.session.delete(user)
            removed += 1
        except IntegrityError:  # something else refers to it (jury, audit): keep it
            log.info("unconfirmed account %s kept: still referred to", user.id)
    return removed


def apply() -> dict[str, int]:
    """Remove what has passed its retention; {what: how many}."""
    result = {
        "tax_data": _expired_tax_data(),
        "bank_lines": _old_bank_lines(),
        "drafts": _old_drafts(),
        "unconfirmed_accounts": _unconfirmed_accounts(),
    }
    db.session.flush()
    return result
