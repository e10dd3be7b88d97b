from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.setup import add_nav, add_status_labels
from app.extensions import csrf
from app.payments import models, tasks, views  # noqa: F401 - the tables and the task belong to the app

STATUS_LABELS = {
    "applied": _l("verwerkt"),
    "ignored": _l("genegeerd"),
    "rejected": _l("geweigerd"),
    "received": _l("ontvangen"),
}


def register(app: Flask) -> None:
    # Stripe signs its webhook; it cannot carry our CSRF token. The demo page's forms do.
    csrf.exempt("app.payments.views.stripe_webhook")
    app.register_blueprint(views.bp)
    add_status_labels(app, STATUS_LABELS, kind="payment_event")
    add_nav(
        app,
        "payments.payment_events",
        _l("Betaalgebeurtenissen"),
        ("fund_manager", "admin", "auditor"),
        footer=True,
    )
