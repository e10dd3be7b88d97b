"""Signals of the jury domain (campaigns, matching and notifications listen to them)."""

from app.core.signals import streekfonds_signals

selection_confirming = streekfonds_signals.signal(
    "selection-confirming",
    doc="sender: the Call; kwargs: applications=[Application] (the selection about to be confirmed). "
    "Sent inside the confirm transaction BEFORE any status changes; a receiver may raise a DomainError "
    "(e.g. Conflict code `match_not_covered`) to refuse the whole confirmation.",
)
selection_confirmed = streekfonds_signals.signal(
    "selection-confirmed", doc="sender: the Call; kwargs: selected=[Application], not_selected=[Application]"
)
juror_invited = streekfonds_signals.signal(
    "juror-invited", doc="sender: the Call; kwargs: user=User or None, email=str, invite_url=str"
)
juror_reminder_due = streekfonds_signals.signal(
    "juror-reminder-due", doc="sender: the Call; kwargs: user=User (a juror with unsubmitted assignments)"
)
