"""Signals of the accounts domain (notifications listens to them)."""

from app.core.signals import streekfonds_signals

user_registered = streekfonds_signals.signal("user-registered", doc="sender: the User; kwargs: confirm_url")
password_reset_requested = streekfonds_signals.signal(
    "password-reset-requested", doc="sender: the User; kwargs: reset_url"
)
