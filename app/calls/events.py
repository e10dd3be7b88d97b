"""Signals of the calls domain."""

from app.core.signals import streekfonds_signals

call_published = streekfonds_signals.signal("call-published", doc="sender: the Call")
application_submitted = streekfonds_signals.signal(
    "application-submitted", doc="sender: the Application (status 'submitted')"
)
application_screened = streekfonds_signals.signal(
    "application-screened", doc="sender: the Application (status 'eligible' or 'ineligible')"
)
application_status_changed = streekfonds_signals.signal(
    "application-status-changed", doc="sender: the Application; kwargs: source, target"
)
