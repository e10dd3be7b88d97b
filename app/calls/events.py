"""Signals of the calls domain."""

from app.core.signals import streekfonds_signals

# sender: the Call
call_published = streekfonds_signals.signal("call-published")
# sender: the Application (status 'submitted')
application_submitted = streekfonds_signals.signal("application-submitted")
# sender: the Application (status 'eligible' or 'ineligible')
application_screened = streekfonds_signals.signal("application-screened")
# sender: the Application; kwargs: source, target
application_status_changed = streekfonds_signals.signal("application-status-changed")
