"""What the jury does when other domains send their signals."""

from __future__ import annotations

from app.calls import services as calls
from app.jury import jurors, window


def seat_invited_juror(user, **kwargs) -> None:
    """accounts.user_registered: an invited address registering takes its jury seats."""
    jurors.on_user_registered(user)


def late_eligible_to_review(application, **kwargs) -> None:
    """calls.application_screened: an application found eligible while the scoring window
    is already open goes straight to the jury, like the others did when it opened."""
    if application.status == "eligible" and window.window_state(application.call) == "open":
        calls.set_application_status(application, "in_review", None, note="jury")
