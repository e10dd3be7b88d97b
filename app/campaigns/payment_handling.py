"""What a payment event does to a pledge. Receivers of the payments signals.

Each receiver takes the pledge's row lock first (SELECT ... FOR UPDATE), so deliveries of
events about one pledge run one after the other, then checks the event against the
pledge (gateway, amount, currency: a mismatch is rejected and changes nothing), then moves
the pledge along PLEDGE_STATES. An event that does not fit the pledge's state any more (late,
or already applied) is ignored. An event about a payment we have not seen succeed yet (a
refund or dispute before the checkout completed) first asks the gateway for the payment's
current state and applies that.
"""

from __future__ import annotations

from functools import wraps

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.campaigns import events, money
from app.campaigns.models import PLEDGE_STATES, Pledge, Refund
from app.core import clock
from app.extensions import db
from app.payments import events as payment_events
from app.payments import services as payments
from app.payments.services import Outcome, PaymentUpdate

APPLIED = Outcome("applied")


def locked_pledge(pledge_id: int) -> Pledge | None:
    """The pledge with its row lock held until the transaction ends (PostgreSQL), and its
    campaign read in the same query (every receiver needs it; only the pledge is locked)."""
    return db.session.scalars(
        select(Pledge)
        .where(Pledge.id == pledge_id)
        .options(joinedload(Pledge.campaign, innerjoin=True))
        .with_for_update(of=Pledge)
        .execution_options(populate_existing=True)
    ).first()


def _mismatch(pledge: Pledge | None, update: PaymentUpdate, amount_required: bool) -> Outcome | None:
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


def _remember(pledge: Pledge, update: PaymentUpdate) -> None:
    if update.payment_intent_id and not pledge.payment_intent_id:
        pledge.payment_intent_id = update.payment_intent_id
    if update.charge_id and not pledge.charge_id:
        pledge.charge_id = update.charge_id


def _receiver(amount_required: bool):
    """Make `handler(pledge, update)` a receiver of a payments signal: it gets the pledge the
    update names, row-locked, after the update was checked against it (gateway, amount,
    currency) and the gateway's ids were remembered; a mismatch is answered for it."""

    def wrap(handler):
        @wraps(handler)
        def receive(sender, update: PaymentUpdate, **_):
            pledge = locked_pledge(update.pledge_id)
            bad = _mismatch(pledge, update, amount_required=amount_required)
            if bad:
                return bad
            _remember(pledge, update)
            return handler(pledge, update)

        return receive

    return wrap


def _late(pledge: Pledge, what: str) -> Outcome:
    return Outcome("ignored", f"{what}: pledge {pledge.id} is {pledge.status}")


def succeed(pledge: Pledge) -> None:
    """pending → succeeded: the money counts from now. A payment that lands on a campaign
    that already failed (all-or-nothing) or was cancelled is refunded at once."""
    PLEDGE_STATES.check(pledge.status, "succeeded")
    pledge.status = "succeeded"
    pledge.confirmed_at = clock.now()
    row = money.count_in(pledge, pledge.amount_cents, "pledge", f"pledge:{pledge.id}:in")
    db.session.flush()
    events.pledge_succeeded.send(pledge)
    events.pledge_succeeded_last.send(pledge)
    if row is not None and _must_refund(row.status, pledge):
        from app.campaigns import refunds

        refunds.refund_after_close(pledge)


def _must_refund(campaign_status: str, pledge: Pledge) -> bool:
    if campaign_status == "cancelled":
        return True
    return campaign_status == "failed" and pledge.campaign.call.all_or_nothing


def _catch_up(pledge: Pledge, update: PaymentUpdate) -> Outcome | None:
    """The event is about a payment still pending here: ask the gateway how it stands."""
    state = payments.payment_state(
        pledge.method,
        payment_intent_id=update.payment_intent_id or pledge.payment_intent_id,
        session_id=None
        if (update.payment_intent_id or pledge.payment_intent_id)
        else pledge.checkout_session_id,
    )
    if state is None or state.state != "succeeded":
        return _late(pledge, f"{update.event_type} for a payment that has not succeeded")
    if state.amount_cents != pledge.amount_cents or (state.currency and state.currency != pledge.currency):
        return Outcome("rejected", "the gateway's payment does not match the pledge")
    pledge.payment_intent_id = pledge.payment_intent_id or state.payment_intent_id
    pledge.charge_id = pledge.charge_id or state.charge_id
    succeed(pledge)
    return None


@_receiver(amount_required=True)
def on_succeeded(pledge: Pledge, update: PaymentUpdate):
    if pledge.status != "pending":
        return _late(pledge, "payment succeeded")
    succeed(pledge)
    return APPLIED


@_receiver(amount_required=False)
def on_processing(pledge: Pledge, update: PaymentUpdate):
    return Outcome("ignored", "checkout completed; the delayed payment is still on its way")


def _end(pledge: Pledge, update: PaymentUpdate, target: str, signal):
    if not PLEDGE_STATES.can(pledge.status, target):
        return _late(pledge, f"payment {target}")
    pledge.status = target
    db.session.flush()
    signal.send(pledge)
    return APPLIED


@_receiver(amount_required=False)
def on_failed(pledge: Pledge, update: PaymentUpdate):
    return _end(pledge, update, "failed", events.pledge_failed)


@_receiver(amount_required=False)
def on_expired(pledge: Pledge, update: PaymentUpdate):
    return _end(pledge, update, "expired", events.pledge_expired)


@_receiver(amount_required=True)
def on_refunded(pledge: Pledge, update: PaymentUpdate):
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    total = update.amount_refunded_cents or 0
    _confirm_refund_rows(pledge, update)
    if pledge.status not in ("succeeded", "partially_refunded"):
        return _late(pledge, "refund")
    delta = total - pledge.refunded_cents
    if delta <= 0:
        return Outcome("ignored", f"refund of {total} cents already counted")
    apply_refund(pledge, total, delta)
    return APPLIED


def apply_refund(pledge: Pledge, total: int, delta: int) -> None:
    """The pledge has now `total` cents refunded (`delta` more than before)."""
    target = "refunded" if total >= pledge.amount_cents else "partially_refunded"
    PLEDGE_STATES.check(pledge.status, target)
    pledge.status = target
    pledge.refunded_cents = total
    money.count_out(pledge, delta, "pledge_refund", f"pledge:{pledge.id}:refunded:{total}")
    db.session.flush()
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


@_receiver(amount_required=True)
def on_dispute_opened(pledge: Pledge, update: PaymentUpdate):
    if pledge.dispute_id == update.dispute_id:
        return _late(pledge, f"dispute {update.dispute_id} seen before")
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    if pledge.status not in ("succeeded", "partially_refunded"):
        return _late(pledge, "dispute")
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


@_receiver(amount_required=True)
def on_dispute_closed(pledge: Pledge, update: PaymentUpdate):
    if pledge.status == "pending":
        late = _catch_up(pledge, update)
        if late:
            return late
    if pledge.status in ("succeeded", "partially_refunded") and pledge.dispute_id is None:
        # The closing arrived before the opening: open it first, then close it.
        _open_dispute(pledge, update)
    if pledge.status != "disputed" or pledge.dispute_id != update.dispute_id:
        return _late(pledge, "dispute closed")
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
    events.pledge_dispute_closed.send(pledge, won=bool(update.dispute_won))
    return APPLIED


def connect() -> None:
    """Connect the receivers (module functions: connecting twice is a no-op in blinker)."""
    payment_events.payment_succeeded.connect(on_succeeded)
    payment_events.payment_processing.connect(on_processing)
    payment_events.payment_failed.connect(on_failed)
    payment_events.payment_expired.connect(on_expired)
    payment_events.payment_refunded.connect(on_refunded)
    payment_events.payment_dispute_opened.connect(on_dispute_opened)
    payment_events.payment_dispute_closed.connect(on_dispute_closed)
