"""The project's end date, its final report and the reminders around the end date.

Approval of the final report releases what was held back (see figures). Reminders go out a
week before and a week after the end date, once each per end date: the report row keeps
the date each went out for, and the notification's dedupe key does the same for the mail.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign
from app.core import audit, clock
from app.core.errors import ValidationFailed
from app.extensions import db
from app.payouts import access
from app.payouts.events import final_report_reminder_due
from app.payouts.figures import is_settled
from app.payouts.models import REPORT_STATES, FinalReport, Invoice

REMIND_DAYS = 7


def report_of(campaign: Campaign, create: bool = False, lock: bool = False) -> FinalReport | None:
    query = select(FinalReport).where(FinalReport.campaign_id == campaign.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    report = db.session.scalar(query)
    if report is None and create:
        report = FinalReport(campaign_id=campaign.id, status="due", spending=[])
        db.session.add(report)
        db.session.flush()
    return report


def set_project_end(campaign_id: int, ends_on: Any, user) -> FinalReport:
    """The owner says when the project ends (the final report is due after it)."""
    campaign = access.campaign_for(campaign_id, user, owner=True)
    if not isinstance(ends_on, date):
        raise ValidationFailed(
            _("Geef een geldige datum."), details={"ends_on": [_("Geef een geldige datum.")]}
        )
    report = report_of(campaign, create=True, lock=True)
    before = report.project_ends_on
    report.project_ends_on = ends_on
    db.session.flush()
    audit.record(
        db.session,
        user.id,
        "payout.project_end_set",
        "campaign",
        campaign.id,
        {"ends_on": before},
        {"ends_on": ends_on},
    )
    return report


def _spending(campaign: Campaign, lines: Any) -> list[dict]:
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed(
            _("Geef minstens één uitgave."), details={"spending": [_("Geef minstens één uitgave.")]}
        )
    out = []
    for i, line in enumerate(lines):
        desc = str((line or {}).get("description") or "").strip()
        cents = (line or {}).get("amount_cents")
        invoice_id = (line or {}).get("invoice_id")
        errors = []
        if not desc:
            errors.append(_("Beschrijf de uitgave."))
        if not isinstance(cents, int) or isinstance(cents, bool) or cents < 0:
            errors.append(_("Het bedrag moet 0 of meer zijn."))
        if invoice_id is not None:
            inv = db.session.get(Invoice, invoice_id) if isinstance(invoice_id, int) else None
            if inv is None or inv.campaign_id != campaign.id:
                errors.append(_("Deze facturen horen niet bij het project."))
        if errors:
            raise ValidationFailed(errors[0], details={f"spending.{i}": errors})
        out.append({"description": desc[:300], "amount_cents": cents, "invoice_id": invoice_id})
    return out


def submit_report(campaign_id: int, values: dict, user) -> FinalReport:
    """The owner submits (or, after a request for changes, resubmits) the final report:
    what was done, and the spending against the application's budget."""
    campaign = access.campaign_for(campaign_id, user, owner=True)
    if not is_settled(campaign):
        raise access.conflict(_("De campagne is nog niet geslaagd en afgerekend."), "campaign_not_settled")
    summary = str(values.get("summary") or "").strip()
    if not summary:
        raise ValidationFailed(
            _("Dit veld is verplicht."), details={"summary": [_("Dit veld is verplicht.")]}
        )
    spending = _spending(campaign, values.get("spending"))
    report = report_of(campaign, create=True, lock=True)
    REPORT_STATES.check(report.status, "submitted")
    before = report.status
    report.summary, report.spending, report.status = summary[:20000], spending, "submitted"
    report.submitted_at, report.reason = clock.now(), None
    db.session.flush()
    audit.record(
        db.session,
        user.id,
        "payout.final_report_submitted",
        "campaign",
        campaign.id,
        {"status": before},
        {"status": report.status},
    )
    return report


def decide_report(campaign_id: int, user, approve: bool, reason: str | None = None) -> FinalReport:
    """A fund manager approves the report (releasing what was held back) or asks changes."""
    access.require_manager(user)
    campaign = access.campaign_for(campaign_id, user)
    access.not_own_project(user, campaign)
    report = report_of(campaign, lock=True)
    target = "approved" if approve else "changes_requested"
    REPORT_STATES.check(report.status if report else "due", target)
    if not approve:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed(
                _("Dit veld is verplicht."), details={"reason": [_("Dit veld is verplicht.")]}
            )
    before, report.status, report.reason = report.status, target, reason
    if approve:
        report.approved_at, report.approved_by_id = clock.now(), user.id
        # The campaign page shows the approved report: its cached page and validators move.
        campaigns.refresh_campaign_figures(db.session, campaign.id)
    db.session.flush()
    audit.record(
        db.session,
        user.id,
        f"payout.final_report_{target}",
        "campaign",
        campaign.id,
        {"status": before},
        {"status": target},
        reason,
    )
    return report


def spending_total(report: FinalReport | None) -> int:
    return sum(int(line.get("amount_cents") or 0) for line in (report.spending if report else []))


def send_reminders(today: date | None = None) -> list[tuple[int, str]]:
    """Signal the reminders that are due (a week before and after the end date), once per
    report, end date and kind. Returns [(campaign_id, "before"|"after")]."""
    today = today or clock.now().astimezone(clock.BRUSSELS).date()
    sent = []
    rows = db.session.scalars(
        select(FinalReport)
        .where(
            FinalReport.project_ends_on.is_not(None),
            FinalReport.status.in_(("due", "changes_requested")),
            FinalReport.project_ends_on <= today + timedelta(days=REMIND_DAYS),
            or_(
                FinalReport.reminded_before_for.is_(None),
                FinalReport.reminded_before_for != FinalReport.project_ends_on,
                FinalReport.reminded_after_for.is_(None),
                FinalReport.reminded_after_for != FinalReport.project_ends_on,
            ),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for report in rows:
        ends = report.project_ends_on
        campaign = db.session.get(Campaign, report.campaign_id)
        if report.reminded_before_for != ends and ends - timedelta(
            days=REMIND_DAYS
        ) <= today < ends + timedelta(days=REMIND_DAYS):
            report.reminded_before_for = ends
            final_report_reminder_due.send(report, campaign=campaign, which="before", ends_on=ends)
            sent.append((campaign.id, "before"))
        if report.reminded_after_for != ends and today >= ends + timedelta(days=REMIND_DAYS):
            report.reminded_after_for = ends
            report.reminded_before_for = ends  # too late for the first one
            final_report_reminder_due.send(report, campaign=campaign, which="after", ends_on=ends)
            sent.append((campaign.id, "after"))
    db.session.flush()
    return sent
