"""Receivers for the signals of payouts: the owner hears of decisions on a payout request and
is reminded of the final report."""

from __future__ import annotations

from flask_babel import format_date

from app.accounts.models import User
from app.extensions import db
from app.notifications.outbox import public_url
from app.notifications.receivers import to_user
from app.payouts import events as payout_events


def on_final_report_reminder_due(report, campaign=None, which: str = "before", ends_on=None, **_kw) -> None:
    """Once per project, end date and kind (`before` / `after`): the dedupe key says so."""
    owner = db.session.get(User, campaign.owner_id)
    to_user(
        "final_report_reminder",
        owner,
        f"final_report_reminder:{campaign.id}:{which}:{ends_on.isoformat()}",
        {
            "campaign_title": campaign.title,
            "which": which,
            "ends_on": format_date(ends_on, "d MMMM yyyy"),
            "payouts_url": public_url("payouts.project", campaign_id=campaign.id),
        },
    )


# The moments the owner hears of: a decision on the request, or the money moving.
TOLD = ("changes_requested", "approved", "rejected", "paid", "failed")


def on_payout_request_changed(request, campaign=None, status: str = "", **_kw) -> None:
    """One mail per request, status, round and transfer attempt (a doubled signal writes nothing)."""
    if status not in TOLD:
        return
    owner = db.session.get(User, campaign.owner_id)
    to_user(
        "payout_request_changed",
        owner,
        f"payout_request:{request.id}:{status}:r{request.round}:a{request.attempts}",
        {
            "campaign_title": campaign.title,
            "request_id": request.id,
            "amount_cents": int(request.amount_cents),
            "status": status,
            "reason": request.reason or "",
            "request_url": public_url("payouts.request_page", request_id=request.id),
        },
    )


def connect() -> None:
    payout_events.final_report_reminder_due.connect(on_final_report_reminder_due, weak=False)
    payout_events.payout_request_changed.connect(on_payout_request_changed, weak=False)
