"""Signals of the accounts domain (notifications listens to them)."""

from app.core.signals import streekfonds_signals

# sender: the User; kwargs: confirm_url
user_registered = streekfonds_signals.signal("user-registered")
# sender: the User; kwargs: reset_url
password_reset_requested = streekfonds_signals.signal("password-reset-requested")
