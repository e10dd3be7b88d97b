"""Building blocks for the matching tests: sponsors, a confirmed selection (through the
jury's signal), campaigns, and payment events applied through the payments domain."""

from __future__ import annotations

import itertools

from app.calls import services as calls
from app.campaigns import services as campaigns
from app.campaigns.refunds import record_offline_gift
from app.core import ports
from app.extensions import db
from app.jury import events as jury_events
from app.jury.ports import MatchReservation, SelectionCampaigns
from app.matching import services as matching
from app.payments import services as payments
from tests import factories

_ids = itertools.count(1)


def commitment(amount_cents: int, name: str | None = None, **earmark):
    sponsor = matching.create_sponsor({"name": name or f"Sponsor {next(_ids)}"}, None)
    return matching.add_commitment(sponsor, {"amount_cents": amount_cents, "earmark": earmark}, None)


def balances(c) -> tuple[int, int, int]:
    b = matching.commitment_balances(c)
    return b["available_cents"], b["reserved_cents"], b["matched_cents"]


def in_review(call, target_cents: int, municipality: str = "Gent", **values):
    return factories.application(
        call, status="in_review", target_cents=target_cents, municipality=municipality, **values
    )


def confirm(call, applications) -> None:
    """What the jury's confirmation does, as far as matching and campaigns see it."""
    ports.get(MatchReservation)(call, list(applications))
    for a in applications:
        calls.set_application_status(a, "selected", None)
    ports.get(SelectionCampaigns)(call, list(applications))
    jury_events.selection_confirmed.send(call, selected=list(applications), not_selected=[])


def open_campaign(application):
    campaign = campaigns.create_campaign(application)
    campaigns.open_campaign(campaign, None)
    return campaign


def pending(campaign, amount_cents: int, email: str = "backer@example.org", **values):
    pledge, _token = campaigns.create_pledge(
        campaign, {"amount_cents": amount_cents, "email": email, "display_name": "B", **values}
    )
    return pledge


def _event(kind: str, obj: dict) -> dict:
    return {"id": f"evt_{next(_ids)}_{kind}", "type": kind, "data": {"object": obj}}


def succeed(pledge, event_id: str | None = None) -> dict:
    event = _event(
        "checkout.session.completed",
        {
            "id": pledge.checkout_session_id,
            "payment_status": "paid",
            "amount_total": pledge.amount_cents,
            "currency": "eur",
            "payment_intent": pledge.payment_intent_id,
            "metadata": {"pledge_id": str(pledge.id)},
        },
    )
    if event_id:
        event["id"] = event_id
    payments.handle_event(event, pledge.method)
    db.session.refresh(pledge)
    return event


def fail(pledge) -> None:
    payments.handle_event(
        _event(
            "checkout.session.expired",
            {
                "id": pledge.checkout_session_id,
                "metadata": {"pledge_id": str(pledge.id)},
            },
        ),
        pledge.method,
    )
    db.session.refresh(pledge)


def give(campaign, amount_cents: int, email: str = "backer@example.org", **values):
    """A pledge that succeeded."""
    p = pending(campaign, amount_cents, email, **values)
    succeed(p)
    return p


def refund(pledge, total_refunded_cents: int) -> None:
    payments.handle_event(
        _event(
            "charge.refunded",
            {
                "id": f"ch_{pledge.id}",
                "amount": pledge.amount_cents,
                "currency": "eur",
                "payment_intent": pledge.payment_intent_id,
                "amount_refunded": total_refunded_cents,
                "metadata": {"pledge_id": str(pledge.id)},
            },
        ),
        pledge.method,
    )
    db.session.refresh(pledge)


def _charge(pledge) -> dict:
    return {
        "id": f"ch_{pledge.id}",
        "amount": pledge.amount_cents,
        "currency": "eur",
        "payment_intent": pledge.payment_intent_id,
        "amount_refunded": pledge.refunded_cents,
        "metadata": {"pledge_id": str(pledge.id)},
    }


def dispute(pledge, won: bool | None = None) -> None:
    """Open a dispute (won=None) or close the open one."""
    if won is None:
        obj = {
            "id": f"dp_{pledge.id}",
            "charge": _charge(pledge),
            "amount": pledge.amount_cents - pledge.refunded_cents,
            "status": "needs_response",
        }
        payments.handle_event(_event("charge.dispute.created", obj), pledge.method)
    else:
        obj = {
            "id": f"dp_{pledge.id}",
            "charge": _charge(pledge),
            "amount": pledge.amount_cents,
            "status": "won" if won else "lost",
        }
        payments.handle_event(_event("charge.dispute.closed", obj), pledge.method)
    db.session.refresh(pledge)


def offline(campaign, amount_cents: int, email: str | None = None):
    return record_offline_gift(
        campaign,
        {
            "amount_cents": amount_cents,
            "method": "bank_transfer",
            "reference": f"REF{next(_ids)}",
            "email": email,
        },
        None,
    )


def close(campaign, cancel: bool = False):
    return campaigns.close_campaign(campaign, None, cancel=cancel)


def assert_ledger_clean() -> None:
    result = matching.verify_ledger()
    assert result["ok"], result["violations"]
