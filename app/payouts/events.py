"""Signals of the payouts domain: notifications to whoever cares (the owner's mails). Each is
sent inside the transaction that changed the state, after its ledger postings are written;
no receiver decides or moves money."""

from app.core.signals import streekfonds_signals

final_report_reminder_due = streekfonds_signals.signal(
    "payouts-final-report-reminder-due",
    doc="sender: the FinalReport; kwargs: campaign, which ('before' or 'after'), ends_on (a date)",
)
payout_request_changed = streekfonds_signals.signal(
    "payouts-request-changed", doc="sender: the PayoutRequest; kwargs: campaign, status (its new status)"
)
