"""What a payment does to a pledge: the one path every euro of a pledge takes.

`apply_payment(update)` is the one function a gateway update reaches (payments' event log
calls it through its PaymentReceiver port, provided in campaigns' setup). In one
transaction and in the order written here it:

  1. locks the pledge row (SELECT ... FOR UPDATE), so the events about one pledge run one
     after the other, and checks the update against it (gateway, amount, currency: a
     mismatch is rejected and changes nothing);
  2. moves the pledge along PLEDGE_STATES and posts its ledger lines (`money`), which also
     updates the campaign's cached raised figure under the campaign's row lock;
  3. writes the outbox rows of the mails this change owes (the PledgeMail port:
     notifications);
  4. asks matching for its part (the Matching port): the live draw, a settlement that was
     waiting for this pledge, or the match a refund gives back. Matching takes the
     project's match row and then the shared commitment rows: last, because those locks
     are held until commit by every campaign's pledges.

Lock order, everywhere: pledge row → campaign row → project match row → commitment rows.

An update that does not fit the pledge's state any more (late, or already applied) is
ignored. One about a payment not seen to succeed yet (a refund or dispute before the
checkout completed) first asks the gateway how the payment stands and applies that.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.campaigns import events, money
from app.campaigns.models import PLEDGE_STATES, REFUNDABLE, Campaign, Pledge, Refund
from app.campaigns.ports import Matching, PledgeMail
from app.core import clock, ports, tenancy
from app.core.tasks import enqueue_after_commit
from app.extensions import db
from app.payments import services as payments
from app.payments.services import Outcome, PaymentState, PaymentUpdate

APPLIED = Outcome("applied")


def locked_pledge(pledge_id: int) -> Pledge | None:
    """The pledge with its row lock held until the transaction ends (PostgreSQL), and its
    campaign read in the same query (every step needs it; only the pledge is locked)."""
    return db.session.scalars(
        select(Pledge)
        .where(Pledge.id == pledge_id)
        .options(joinedload(Pledge.campaign, innerjoin=True))
        .with_for_update(of=Pledge)
        .execution_options(populate_existing=True)
    ).first()


# --- the one entry -------------------------------------------------------------------------


def apply_payment(update: PaymentUpdate) -> Outcome:
    """Apply one new gateway update to its pledge (see the module doc for the order)."""
    handler, amount_required = _HANDLERS[update.kind]
    pledge = locked_pledge(update.pledge_id)
    bad = mismatch(pledge, update, amount_required=amount_required)
    if bad:
        return bad
    if tenancy.current_scope() is None:
        # A webhook or task sees every fund; from here on it works in the pledge's fund
        # (its mails' sender and links, its ledger).
        tenancy.set_scope({pledge.fund_id})
    remember_ids(pledge, update)
    return handler(pledge, update)


def mismatch(pledge: Pledge | None, update: PaymentUpdate, amount_required: bool) -> Outcome | None:
    if pledge is None:
        return Outcome("rejected", f"unknown pledge {update.pledge_id}")
    if pledge.method != update.gateway:
        return Outcome("rejected", f"pledge {pledge.id} was not paid through {update.gateway}")
    if update.amount_cents is None and amount_required:
        return Outcome("rejected", "the event carries no amount")
    if update.amount_cents is not None and update.amount_cents != pledge.amount_cents:
        return Outcome(
            "rejected", f"amount mismatch: event {update.amount_cents}, pledge {pledge.amount_cents} cents"
        )
    if update.currency is not None and update.currency != pledge.currency:
        return Outcome("rejected", f"currency mismatch: event {update.currency}, pledge {pledge.currency}")
    if pledge.checkout_session_id and update.session_id and update.session_id != pledge.checkout_session_id:
        return Outcome("rejected", "checkout session does not belong to this pledge")
    return None


def remember_ids(pledge: Pledge, update: PaymentUpdate) -> None:
    if update.payment_intent_id and not pledge.payment_intent_id:
        pledge.payment_intent_id = update.payment_intent_id
    if update.charge_id and not pledge.charge_id:
        pledge.charge_id = update.charge_id


def late_outcome(pledge: Pledge, what: str) -> Outcome:
    return Outcome("ignored", f"{what}: pledge {pledge.id} is {pledge.status}")


# --- the money counts: pending → succeeded --------------------------------------------------


def succeed(pledge: Pledge) -> None:
    """pending → succeeded: the money counts from now (the pledge row is locked). A payment
    that lands on a campaign that already failed (all-or-nothing) or was cancelled is
    refunded at once."""
    PLEDGE_STATES.check(pledge.status, "succeeded")
    pledge.status = "succeeded"
    pledge.confirmed_at = clock.now()
    campaign_row = money.count_in(pledge, pledge.amount_cents, "pledge", f"pledge:{pledge.id}:in")
    db.session.flush()
    ports.get(PledgeMail).receipt(pledge)
    ports.get(Matching).pledge_counted(pledge)
    events.pledge_succeeded.send(pledge)  # a notification: nothing in the app decides on it
    if campaign_row is not None and must_refund(campaign_row.status, pledge):
        refund_after_close(pledge)


def must_refund(campaign_status: str, pledge: Pledge) -> bool:
    if campaign_status == "cancelled":
        return True
    return campaign_status == "failed" and pledge.campaign.call.all_or_nothing


def _on_succeeded(pledge: Pledge, update: PaymentUpdate) -> Outcome:
    if pledge.status != "pending":
        return late_outcome(pledge, "payment succeeded")
    succeed(pledge)
    return APPLIED


def _on_processing(pledge: Pledge, update: PaymentUpdate) -> Outcome:
    return Outcome("ignored", "checkout completed; the delayed payment is still on its way")


def _catch_up(pledge: Pledge, update: PaymentUpdate) -> Outcome | None:
    """The event is about a payment still pending here: ask the gateway how it stands."""
    intent = update.payment_intent_id or pledge.payment_intent_id
    state = payments.payment_state(
        pledge.method, payment_intent_id=intent, session_id=None if intent else pledge.checkout_session_id
    )
    if state is None or state.status != "succeeded":
        return late_outcome(pledge, f"{update.event_type} for a payment that has not succeeded")
    if state.amount_cents != pledge.amount_cents or (state.currency and state.currency != pledge.currency):
        return Outcome("rejected", "the gateway's payment does not match the pledge")
    pledge.payment_intent_id = pledge.payment_intent_id or state.payment_intent_id
    pledge.charge_id = pledge.charge_id or state.charge_id
    succeed(pledge)
    return None


def apply_state(pledge_id: int, state: PaymentState) -> None:
    """The sweep of stale pending pledges: apply what the gateway says of one now."""
    pledge = locked_pledge(pledge_id)
    if pledge is None or pledge.status != "pending":
        return
    if state.status == "succeeded" and state.amount_cents == pledge.amount_cents:
        pledge.payment_intent_id = pledge.payment_intent_id or state.payment_intent_id
        succeed(pledge)
    elif state.status in ("expired", "failed"):
        _end(pledge, state.status)


# --- the payment never came: pending → failed | expired ------------------------------------


def _end(pledge: Pledge, target: str) -> Outcome:
    if not PLEDGE_STATES.can(pledge.status, target):
        return late_outcome(pledge, f"payment {target}")
    pledge.status = target
    db.session.flush()
    ports.get(Matching).pledge_resolved(pledge)  # a closed campaign may settle now
    (events.pledge_failed if target == "failed" else events.pledge_expired).send(pledge)
    return APPLIED


# --- money back: refunds ---------------------------------------------------------------------


def _on_refunded(pledge: Pledge, update: PaymentUpdate) -> Outcome:
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    total = update.amount_refunded_cents or 0
    _confirm_refund_rows(pledge, update)
    if pledge.status not in REFUNDABLE:
        return late_outcome(pledge, "refund")
    delta = total - pledge.refunded_cents
    if delta <= 0:
        return Outcome("ignored", f"refund of {total} cents already counted")
    apply_refund(pledge, total, delta)
    return APPLIED


def apply_refund(pledge: Pledge, total: int, delta: int) -> None:
    """The pledge (row locked) has now `total` cents refunded (`delta` more than before)."""
    target = "refunded" if total >= pledge.amount_cents else "partially_refunded"
    PLEDGE_STATES.check(pledge.status, target)
    pledge.status = target
    pledge.refunded_cents = total
    money.count_out(pledge, delta, "pledge_refund", f"pledge:{pledge.id}:refunded:{total}")
    db.session.flush()
    ports.get(PledgeMail).refunded(pledge, delta)
    ports.get(Matching).pledge_returned(pledge)
    events.pledge_refunded.send(pledge, amount_cents=delta)


def _confirm_refund_rows(pledge: Pledge, update: PaymentUpdate) -> None:
    ours = {int(v): k for k, v in update.refund_ids.items()}
    if not ours:
        return
    rows = db.session.scalars(select(Refund).where(Refund.pledge_id == pledge.id, Refund.id.in_(ours)))
    for refund in rows:
        if refund.status != "succeeded":
            refund.status = "succeeded"
            refund.confirmed_at = clock.now()
            refund.gateway_refund_id = refund.gateway_refund_id or ours[refund.id]


def dispatch_refund(pledge: Pledge, refund: Refund) -> None:
    """A refund row was written: offline money paid back by hand stops counting now; an
    online refund asks its gateway after commit (task `campaigns.refund_pledge`)."""
    if pledge.refunded_by_hand:
        refund.status = "succeeded"
        refund.confirmed_at = clock.now()
        apply_refund(pledge, pledge.refunded_cents + refund.amount_cents, refund.amount_cents)
    else:
        enqueue_after_commit(db.session, "campaigns.refund_pledge", refund.id)


def refund_after_close(pledge: Pledge) -> Refund | None:
    """The automatic full refund of a pledge of a failed all-or-nothing (or cancelled)
    campaign, at most once per pledge (unique once_key), whatever runs it twice."""
    left = pledge.amount_cents - pledge.refunded_cents
    if pledge.status not in REFUNDABLE or left <= 0:
        return None
    refund = Refund(
        pledge_id=pledge.id, amount_cents=left, reason="campaign_closed", once_key="campaign_closed"
    )
    try:
        with db.session.begin_nested():
            db.session.add(refund)
            db.session.flush()
    except IntegrityError:
        return None
    dispatch_refund(pledge, refund)
    return refund


# --- disputes --------------------------------------------------------------------------------


def _on_dispute_opened(pledge: Pledge, update: PaymentUpdate) -> Outcome:
    if pledge.dispute_id == update.dispute_id:
        return late_outcome(pledge, f"dispute {update.dispute_id} seen before")
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    if pledge.status not in REFUNDABLE:
        return late_outcome(pledge, "dispute")
    _open_dispute(pledge, update)
    return APPLIED


def _open_dispute(pledge: Pledge, update: PaymentUpdate) -> None:
    # While a dispute is open the bank has taken the money back: it stops counting.
    left = pledge.amount_cents - pledge.refunded_cents
    amount = min(update.dispute_amount_cents or left, left)
    PLEDGE_STATES.check(pledge.status, "disputed")
    pledge.status = "disputed"
    pledge.dispute_id = update.dispute_id
    pledge.disputed_cents = amount
    money.count_out(pledge, amount, "pledge_dispute", f"pledge:{pledge.id}:dispute:{update.dispute_id}")
    db.session.flush()
    events.pledge_dispute_opened.send(pledge)


def _on_dispute_closed(pledge: Pledge, update: PaymentUpdate) -> Outcome:
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    if pledge.status in REFUNDABLE and pledge.dispute_id is None:
        # The closing arrived before the opening: open it first, then close it.
        _open_dispute(pledge, update)
    if pledge.status != "disputed" or pledge.dispute_id != update.dispute_id:
        return late_outcome(pledge, "dispute closed")
    if update.dispute_won:
        back = "partially_refunded" if pledge.refunded_cents else "succeeded"
        PLEDGE_STATES.check("disputed", back)
        pledge.status = back
        money.count_in(
            pledge,
            pledge.disputed_cents,
            "pledge_dispute_won",
            f"pledge:{pledge.id}:dispute:{update.dispute_id}:won",
        )
        pledge.disputed_cents = 0
    else:
        pledge.status = "dispute_lost"
    db.session.flush()
    if not update.dispute_won:
        ports.get(Matching).pledge_returned(pledge)
    events.pledge_dispute_closed.send(pledge, won=bool(update.dispute_won))
    return APPLIED


# kind → (handler, whether the update must carry an amount)
_HANDLERS: dict[str, tuple[Callable[[Pledge, PaymentUpdate], Outcome], bool]] = {
    "succeeded": (_on_succeeded, True),
    "processing": (_on_processing, False),
    "failed": (lambda pledge, update: _end(pledge, "failed"), False),
    "expired": (lambda pledge, update: _end(pledge, "expired"), False),
    "refunded": (_on_refunded, True),
    "dispute_opened": (_on_dispute_opened, True),
    "dispute_closed": (_on_dispute_closed, True),
}


def close_refunds(campaign: Campaign) -> None:
    """Every paid pledge of a failed all-or-nothing or cancelled campaign is refunded."""
    for pledge in db.session.scalars(
        select(Pledge).where(Pledge.campaign_id == campaign.id, Pledge.status.in_(REFUNDABLE))
    ):
        refund_after_close(pledge)
