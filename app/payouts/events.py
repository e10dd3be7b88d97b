"""Signals of the payouts domain (notifications connects its receivers to them)."""

from app.core.signals import streekfonds_signals

# sender=the FinalReport; kwargs: campaign, which ("before" or "after"), ends_on (a date).
final_report_reminder_due = streekfonds_signals.signal("payouts-final-report-reminder-due")
# sender=the PayoutRequest; kwargs: campaign, status (its new status).
payout_request_changed = streekfonds_signals.signal("payouts-request-changed")
