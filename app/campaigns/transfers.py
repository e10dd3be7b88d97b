"""Pledges paid by bank transfer: announced by the backer, paid when a statement says so.

A backer who chooses a transfer gets a pending pledge with a Belgian structured
communication derived from its id (``app.core.structured_reference``) and the fund's
account. Nothing counts until a bank statement line pays it (``pay_by_transfer``), and
then it counts exactly as a card payment: the same `succeed` step posts the ledger
(held on `bank:<iban>`), draws the match and writes the receipt. A pending transfer
expires after ``BANK_TRANSFER_DAYS`` with a reminder at half time, and a line that
arrives later still pays it (late).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.campaigns import events, money
from app.campaigns.confirmation import locked_pledge, succeed
from app.campaigns.figures import refresh_campaign_figures
from app.campaigns.models import EVER_PAID, Pledge
from app.campaigns.ports import Matching, PledgeMail
from app.core import audit, bank_transfer, clock, ports
from app.core import structured_reference as ogm
from app.core.errors import Conflict
from app.extensions import db
from app.funds import services as funds

METHOD = "bank_transfer"
# Why a statement line could not pay a pledge (the reconciliation queue's reasons).
UNKNOWN, AMOUNT_MISMATCH, ALREADY_PAID, NOT_PENDING = (
    "unknown_reference",
    "amount_mismatch",
    "already_paid",
    "not_pending",
)


def instructions(pledge: Pledge) -> bank_transfer.TransferInstructions | None:
    """How to pay a pledge announced as a transfer (None for any other pledge)."""
    if pledge.method != METHOD or not pledge.announced_by_backer:
        return None
    return bank_transfer.instructions(
        ogm.PLEDGE, pledge.id, pledge.amount_cents, funds.account(pledge.fund_id)
    )


def announced_cents(campaign_id: int) -> int:
    """Transfers backers announced and the bank has not shown yet ("aangekondigd")."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Pledge.amount_cents), 0)).where(
                Pledge.campaign_id == campaign_id,
                Pledge.method == METHOD,
                Pledge.announced_by_backer.is_(True),
                Pledge.status == "pending",
            )
        )
    )


def transfer_days() -> int:
    return int(current_app.config.get("BANK_TRANSFER_DAYS") or 14)


def expires_at(pledge: Pledge) -> datetime:
    """When a pending transfer pledge stops waiting (derived, never stored)."""
    return pledge.created_at + timedelta(days=transfer_days())


def pay_by_transfer(pledge_id: int, amount_cents: int, held_account: str, *, accept_amount: bool = False):
    """A statement line of ``amount_cents`` pays the transfer pledge ``pledge_id``.

    Returns None when the pledge now counts, else the reason the line waits in the
    queue (``unknown_reference``, ``amount_mismatch``, ``already_paid``, ``not_pending``).
    ``accept_amount`` (a fund manager's decision) takes the amount received instead,
    within the call's pledge limits. Locks the pledge row first, so two imports of the
    same line at once pay it once.
    """
    pledge = locked_pledge(pledge_id)
    if pledge is None or pledge.method != METHOD or not pledge.announced_by_backer:
        return UNKNOWN
    if pledge.status in EVER_PAID:
        return ALREADY_PAID
    if pledge.status not in ("pending", "expired"):
        return NOT_PENDING
    if amount_cents != pledge.amount_cents:
        call = pledge.campaign.call
        lo, hi = call.min_pledge_cents or 500, call.max_pledge_cents or 500000
        if not accept_amount or not lo <= amount_cents <= hi:
            return AMOUNT_MISMATCH
        pledge.amount_cents = amount_cents
    pledge.held_account = held_account
    succeed(pledge)  # pending or expired (late) → succeeded: ledger, match, receipt
    return None


def due_for_expiry(now: datetime | None = None) -> list[int]:
    """Pending transfer pledges whose waiting time is over."""
    cutoff = (now or clock.now()) - timedelta(days=transfer_days())
    return list(
        db.session.scalars(
            select(Pledge.id).where(
                Pledge.method == METHOD,
                Pledge.announced_by_backer.is_(True),
                Pledge.status == "pending",
                Pledge.created_at < cutoff,
            )
        )
    )


def expire(pledge_id: int) -> bool:
    """pending → expired for one transfer pledge (the backer is told); False if not due."""
    pledge = locked_pledge(pledge_id)
    if pledge is None or pledge.status != "pending" or expires_at(pledge) > clock.now():
        return False
    pledge.status = "expired"
    db.session.flush()
    refresh_campaign_figures(db.session, pledge.campaign_id)  # no longer announced
    ports.get(Matching).pledge_resolved(pledge)  # a closed campaign may settle now
    events.pledge_expired.send(pledge)
    return True


def sweep_transfers(now: datetime | None = None) -> dict[str, list[int]]:
    """The beat's step for transfers: expire what waited long enough, and tell whoever
    sends reminders about the ones past half time (their outbox key makes each reminder
    go out once, however often this runs)."""
    expired = [pid for pid in due_for_expiry(now) if expire(pid)]
    reminded = []
    for pledge in due_for_reminder(now):
        ports.get(PledgeMail).transfer_reminder(pledge)
        reminded.append(pledge.id)
    return {"expired": expired, "reminded": reminded}


def due_for_reminder(now: datetime | None = None) -> list[Pledge]:
    """Pending transfer pledges past half their waiting time."""
    now = now or clock.now()
    half = timedelta(days=transfer_days()) / 2
    return list(
        db.session.scalars(
            select(Pledge).where(
                Pledge.method == METHOD,
                Pledge.announced_by_backer.is_(True),
                Pledge.status == "pending",
                Pledge.created_at < now - half,
            )
        )
    )


def unpay(pledge_id: int, actor_id: int | None, note: str | None = None) -> None:
    """Undo a statement line that paid a transfer pledge by mistake: its posting is
    reversed, its match given back, the pledge cancelled (the row stays). Refuses a
    pledge that was refunded or disputed since (409): undo those first."""
    pledge = locked_pledge(pledge_id)
    if pledge is None or pledge.status != "succeeded" or not pledge.announced_by_backer:
        raise Conflict(
            _("Deze bijdrage kan niet meer losgekoppeld worden (terugbetaald of betwist)."),
            code="pledge_not_undoable",
        )
    pledge.status = "cancelled"
    money.reverse_in(pledge, f"pledge:{pledge.id}:in")
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "pledge.transfer_undone",
        "pledge",
        pledge.id,
        {"status": "succeeded"},
        {"status": "cancelled"},
        note,
    )
    ports.get(Matching).pledge_returned(pledge)
    events.pledge_cancelled.send(pledge)
