"""Receivers for the signals of payouts: the final report's reminders to the project's owner."""

from __future__ import annotations

from flask_babel import format_date

from app.accounts.models import User
from app.extensions import db
from app.notifications.outbox import public_url
from app.notifications.receivers import to_user


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


def connect_payouts(events) -> None:
    events.final_report_reminder_due.connect(on_final_report_reminder_due, weak=False)
