"""Many gateway updates at once: the applier's group (payments' PaymentGroupReceiver).

`apply_payments(updates)` has the effect of `confirmation.apply_payment` on each update in
turn, inside the applier's transaction. Successful payments that follow each other are
confirmed together (`succeed_together`): their ledger postings in one statement, each
campaign's raised figure moved once, and matching's drawing group locking the shared rows
once. Everything else, and any group that fails, goes through `confirmation` one update
at a time. The steps and the lock order are those of confirmation.py (docs/flows.md).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.campaigns import confirmation, events, money
from app.campaigns.models import PLEDGE_STATES, Pledge
from app.campaigns.ports import Matching, PledgeMail
from app.core import clock, ports, tenancy
from app.core.errors import DomainError
from app.extensions import db
from app.payments.services import GatewayUnavailable, Outcome, PaymentUpdate


def apply_payments(updates: list[PaymentUpdate]) -> list[Outcome | None]:
    """Apply many new gateway updates in their order, with the effect of `apply_payment` on
    each in turn (payments' PaymentGroupReceiver; the outcomes come back in the same order,
    None for one that must wait because the gateway did not answer).

    Every pledge named is locked first, in one statement and in id order, before any
    campaign row: two groups that share pledges then wait for each other on the pledges
    alone and never deadlock (the lock order stays pledge → campaign → match →
    commitments). Successful payments of different pledges that follow each other are
    then confirmed as one group (`succeed_together`). Should anything in a group fail, it
    is rolled back and its updates are applied one by one, so one bad update costs the
    others nothing. Every other update (refunds, disputes, failures) is applied alone."""
    pledges = _lock_pledges({u.pledge_id for u in updates if u.pledge_id is not None})
    outcomes: list[Outcome | None] = []
    run: list[PaymentUpdate] = []
    for update in updates:
        if update.kind == "succeeded" and update.pledge_id not in {u.pledge_id for u in run}:
            run.append(update)
            continue
        outcomes += _confirm_together(run, pledges)
        run = []
        if update.kind == "succeeded":
            run.append(update)
        else:
            outcomes.append(_apply_alone(update))
    return outcomes + _confirm_together(run, pledges)


def _lock_pledges(ids: set[int]) -> dict[int, Pledge]:
    """These pledges with their row locks held until the transaction ends (taken in id
    order), each with its campaign."""
    if not ids:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            select(Pledge)
            .where(Pledge.id.in_(sorted(ids)))
            .options(joinedload(Pledge.campaign, innerjoin=True))
            .order_by(Pledge.id)
            .with_for_update(of=Pledge)
            .execution_options(populate_existing=True)
        )
    }


def _apply_alone(update: PaymentUpdate) -> Outcome | None:
    """One update in its own SAVEPOINT: a domain error undoes its changes only."""
    try:
        with db.session.begin_nested(), tenancy.scoped(None):
            return confirmation.apply_payment(update)
    except GatewayUnavailable:
        return None
    except DomainError as exc:
        return Outcome("ignored", f"{exc.code}: {exc.message}")


def _confirm_together(updates: list[PaymentUpdate], pledges: dict[int, Pledge]) -> list[Outcome | None]:
    if len(updates) < 2:
        return [_apply_alone(update) for update in updates]
    try:
        with db.session.begin_nested():
            outcomes: list[Outcome | None] = []
            ready: list[Pledge] = []
            for update in updates:
                pledge = pledges.get(update.pledge_id)
                bad = confirmation.mismatch(pledge, update, amount_required=True)
                if bad is None and pledge.status != "pending":
                    bad = confirmation.late_outcome(pledge, "payment succeeded")
                if bad is None:
                    confirmation.remember_ids(pledge, update)
                    ready.append(pledge)
                outcomes.append(bad or confirmation.APPLIED)
            succeed_together(ready)
            return outcomes
    except DomainError:
        return [_apply_alone(update) for update in updates]


def succeed_together(pledges: list[Pledge]) -> None:
    """pending → succeeded for many pledges (rows locked), with the effect of `succeed` on
    each in turn: the money of all of them counts first (their postings in one statement,
    each campaign's raised figure moved once), then each pledge's receipt, draw and signal,
    in their order. Their confirmation times follow that order too (a microsecond apart),
    so a backer's cap is spent by their gifts in the order they were paid."""
    now = clock.now()
    for position, pledge in enumerate(pledges):
        PLEDGE_STATES.check(pledge.status, "succeeded")
        pledge.status = "succeeded"
        pledge.confirmed_at = now + timedelta(microseconds=position)
    counted, campaign_rows = money.count_in_together(pledges)
    db.session.flush()
    campaigns = list({pledge.campaign_id: pledge.campaign for pledge in pledges}.values())
    with ports.get(Matching).drawing_together(campaigns):
        for pledge in pledges:
            with tenancy.scoped({pledge.fund_id}):  # its mails' sender and links, its ledger
                ports.get(PledgeMail).receipt(pledge)
                ports.get(Matching).pledge_counted(pledge)
                events.pledge_succeeded.send(pledge)
                if pledge.id in counted and confirmation.must_refund(
                    campaign_rows[pledge.campaign_id].status, pledge
                ):
                    confirmation.refund_after_close(pledge)
