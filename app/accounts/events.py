"""Signals of the accounts domain (notifications listens to them)."""

from app.core.signals import streekfonds_signals

user_registered = streekfonds_signals.signal("user-registered", doc="sender: the User; kwargs: confirm_url")
password_reset_requested = streekfonds_signals.signal(
    "password-reset-requested", doc="sender: the User; kwargs: reset_url"
)
login_throttled = streekfonds_signals.signal(
    "login-throttled",
    doc="sender: the User whose log-in was slowed down after repeated failures; kwargs: address",
)
registration_of_existing_address = streekfonds_signals.signal(
    "registration-of-existing-address",
    doc="sender: the User who already has the address someone tried to register with",
)
