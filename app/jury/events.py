"""Signals of the jury domain: notifications to whoever cares (mails). What must happen when
a selection is confirmed is called directly through app/jury/ports.py."""

from app.core.signals import streekfonds_signals

selection_confirmed = streekfonds_signals.signal(
    "selection-confirmed", doc="sender: the Call; kwargs: selected=[Application], not_selected=[Application]"
)
juror_invited = streekfonds_signals.signal(
    "juror-invited", doc="sender: the Call; kwargs: user=User or None, email=str, invite_url=str"
)
juror_reminder_due = streekfonds_signals.signal(
    "juror-reminder-due", doc="sender: the Call; kwargs: user=User (a juror with unsubmitted assignments)"
)
