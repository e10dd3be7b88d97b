"""Signals of the accounts domain (notifications listens to them)."""

from app.core.signals import streekfonds_signals

# sender: the User; kwargs: confirm_url
user_registered = streekfonds_signals.signal("user-registered")
# sender: the User; kwargs: reset_url
password_reset_requested = streekfonds_signals.signal("password-reset-requested")
# sender: the User whose log-in was slowed down after repeated failures; kwargs: address
login_throttled = streekfonds_signals.signal("login-throttled")
# sender: the User who already has the address someone tried to register with
registration_of_existing_address = streekfonds_signals.signal("registration-of-existing-address")
