"""Statement lines against what they pay: automatic at import, then the fund manager's queue.

Every line's current meaning is booked in the ledger, so the bank account there always
equals the last closing balance less the lines decided to be "other":

- a line that pays a pledge: the pledge's own posting, held on `bank:<iban>`;
- a line that pays a commitment: `commitment_received` (bank +x, `commitment:<id>:received` −x);
- a line in the queue: `bank_suspense` (bank ±x, `bank:<iban>:suspense` ∓x);
- a line decided "other": nothing (its suspense booking is reversed).

A decision (assign, other) first reverses the suspense booking; an undo reverses the
decision's booking and books the suspense again. Nothing is ever deleted, and every
decision is in the audit trail.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.banking import accounts
from app.banking.models import BankLine
from app.campaigns import services as campaigns
from app.campaigns.models import Pledge
from app.core import audit, clock
from app.core import structured_reference as ogm
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalTransaction
from app.matching import services as matching


def commitment_received_account(commitment_id: int) -> str:
    return f"commitment:{commitment_id}:received"


def _book_suspense(line: BankLine) -> None:
    # A new key per round: a line may go to the queue, out and back several times.
    key = ledger.next_key(f"bank:line:{line.id}:suspense")
    line.transaction_id = ledger.record(
        "bank_suspense",
        {
            accounts.bank(line.account_iban): line.amount_cents,
            accounts.suspense(line.account_iban): -line.amount_cents,
        },
        idempotency_key=key,
        memo=f"bank line {line.id} waits for a decision",
        fund_id=line.fund_id,
    )


def _reverse_current(line: BankLine) -> None:
    if line.transaction_id is not None:
        original = db.session.get(JournalTransaction, line.transaction_id)
        ledger.reverse(original, memo=f"bank line {line.id}")
        line.transaction_id = None


def _queue(line: BankLine, reason: str) -> None:
    line.status = "unmatched"
    line.reason = reason
    _book_suspense(line)


def _pay_pledge(line: BankLine, pledge_id: int, accept_amount: bool) -> str | None:
    reason = campaigns.pay_by_transfer(
        pledge_id, line.amount_cents, accounts.bank(line.account_iban), accept_amount=accept_amount
    )
    if reason is None:
        line.pledge_id = pledge_id
        line.transaction_id = ledger.posted_id(f"pledge:{pledge_id}:in")
    return reason


def _receive_commitment(line: BankLine, commitment_id: int, actor_id: int | None) -> str | None:
    try:
        commitment = matching.get_commitment(commitment_id)
    except NotFound:
        return "unknown_reference"
    matching.mark_received(commitment, line.booking_date, _line_reference(line), actor_id)
    line.commitment_id = commitment.id
    line.transaction_id = ledger.record(
        "commitment_received",
        {
            accounts.bank(line.account_iban): line.amount_cents,
            commitment_received_account(commitment.id): -line.amount_cents,
        },
        idempotency_key=ledger.next_key(f"bank:line:{line.id}:commitment:{commitment.id}"),
        commitment_id=commitment.id,
        sponsor_id=commitment.sponsor_id,
        memo=f"bank line {line.id}",
        fund_id=line.fund_id,
    )
    return None


def _line_reference(line: BankLine) -> str:
    return f"{line.account_iban} {line.line_key}"


def reconcile_new_line(line: BankLine) -> None:
    """Decide a freshly imported line: pay what its structured communication names, or
    queue it with the reason."""
    if line.amount_cents < 0:
        return _queue(line, "debit")
    digits = line.structured_reference or ogm.find_in_text(line.free_text)
    if not digits:
        return _queue(line, "missing_reference")
    reference = ogm.parse(digits)
    if reference is None:
        return _queue(line, "unknown_reference")
    if reference.kind == "pledge":
        reason = _pay_pledge(line, reference.object_id, accept_amount=False)
    else:
        reason = _receive_commitment(line, reference.object_id, None)
    if reason is not None:
        return _queue(line, reason)
    line.status = "matched"
    line.reason = None
    return None


def get_line(line_id: int) -> BankLine:
    line = db.session.get(BankLine, line_id, with_for_update=True)
    if line is None:
        raise NotFound(_("Bankbeweging niet gevonden."))
    return line


def assign(line_id: int, choice: dict, actor_id: int | None) -> BankLine:
    """The fund manager decides an unmatched line: exactly one of ``pledge_id`` (the pledge
    takes the amount received, within the call's limits), ``commitment_id``,
    ``campaign_id`` (an offline gift for that campaign) or ``other`` (a note: the money
    is outside the platform). 409 for a line that is not in the queue; 422 for a choice
    that does not fit (the line stays in the queue, nothing is booked)."""
    line = get_line(line_id)
    if line.status != "unmatched":
        raise Conflict(_("Deze bankbeweging staat niet in de wachtrij."), code="line_not_unmatched")
    keys = [
        k for k in ("pledge_id", "commitment_id", "campaign_id", "other") if choice.get(k) not in (None, "")
    ]
    if len(keys) != 1:
        raise ValidationFailed(
            _("Kies precies één: bijdrage, engagement, campagne of ander."),
            details={"choice": [_("Kies precies één.")]},
        )
    kind = keys[0]
    if kind != "other" and (not isinstance(choice[kind], int) or isinstance(choice[kind], bool)):
        raise ValidationFailed(_("Een nummer."), details={kind: [_("Een nummer.")]})
    if kind != "other" and line.amount_cents <= 0:
        raise ValidationFailed(
            _("Een uitgaande beweging kan enkel als ander geboekt worden."),
            details={kind: [_("Kies ander.")]},
        )
    before = {"status": line.status, "reason": line.reason}
    with db.session.begin_nested():
        _reverse_current(line)
        if kind == "pledge_id":
            reason = _pay_pledge(line, choice["pledge_id"], accept_amount=True)
            if reason is not None:
                raise ValidationFailed(
                    _reason_message(reason), details={"pledge_id": [_reason_message(reason)]}
                )
        elif kind == "commitment_id":
            if _receive_commitment(line, choice["commitment_id"], actor_id) is not None:
                raise ValidationFailed(
                    _("Engagement niet gevonden."), details={"commitment_id": [_("Onbekend.")]}
                )
        elif kind == "campaign_id":
            _offline_gift(line, choice["campaign_id"], actor_id)
        else:
            note = str(choice["other"]).strip()[:500]
            line.note = note
        line.status = "other" if kind == "other" else "assigned"
        line.decided_by_id = actor_id
        line.decided_at = clock.now()
        db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "bank_line.assigned",
        "bank_line",
        line.id,
        before,
        {"status": line.status, kind: choice[kind]},
        line.note,
    )
    return line


def _offline_gift(line: BankLine, campaign_id: int, actor_id: int | None) -> None:
    try:
        campaign = campaigns.get_campaign(campaign_id)
    except NotFound as exc:
        raise ValidationFailed(
            _("Campagne niet gevonden."), details={"campaign_id": [_("Onbekend.")]}
        ) from exc
    pledge = campaigns.record_offline_gift(
        campaign,
        {
            "amount_cents": line.amount_cents,
            "method": "bank_transfer",
            "reference": _line_reference(line),
            "display_name": line.counterparty_name,
        },
        actor_id,
        held_account=accounts.bank(line.account_iban),
    )
    line.campaign_id = campaign.id
    line.pledge_id = pledge.id
    line.transaction_id = ledger.posted_id(f"pledge:{pledge.id}:in")


def undo(line_id: int, actor_id: int | None, note: str | None = None) -> BankLine:
    """Take back the decision on a line (automatic or by hand) by reversal, and put the
    line back in the queue. 409 for a line already in the queue."""
    line = get_line(line_id)
    if line.status == "unmatched":
        raise Conflict(_("Deze bankbeweging staat al in de wachtrij."), code="line_unmatched")
    before = {"status": line.status, "pledge_id": line.pledge_id, "commitment_id": line.commitment_id}
    if line.pledge_id is not None and line.campaign_id is None:
        campaigns.unpay_transfer(line.pledge_id, actor_id, note)  # reverses the pledge's own posting
        line.transaction_id = None
    elif line.pledge_id is not None:
        campaigns.cancel_offline_gift(db.session.get(Pledge, line.pledge_id), actor_id, note)
        line.transaction_id = None
    else:
        _reverse_current(line)
    line.pledge_id = line.commitment_id = line.campaign_id = None
    line.note = note
    line.decided_by_id = actor_id
    line.decided_at = clock.now()
    _queue(line, line.reason or ("debit" if line.amount_cents < 0 else "unknown_reference"))
    db.session.flush()
    audit.record(
        db.session, actor_id, "bank_line.undone", "bank_line", line.id, before, {"status": "unmatched"}, note
    )
    return line


def _reason_message(reason: str) -> str:
    return {
        "unknown_reference": _("Onbekende bijdrage."),
        "amount_mismatch": _("Het bedrag valt buiten de grenzen van de oproep."),
        "already_paid": _("Deze bijdrage is al betaald."),
        "not_pending": _("Deze bijdrage wacht niet meer op een betaling."),
    }.get(reason, reason)
