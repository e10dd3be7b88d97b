"""Wires the jury into the app: pages, signal receivers, links and labels."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts import events as account_events
from app.calls import events as call_events
from app.core.setup import add_nav, add_object_link, add_status_labels

# manage_views adds its routes to views.bp; tasks registers the Celery tasks.
from app.jury import manage_views, receivers, tasks, views  # noqa: F401

STATUS_LABELS = {
    "pending": _l("nog te verklaren"),
    "no_conflict": _l("geen belangenconflict"),
    "conflict": _l("belangenconflict"),
    "not_opened": _l("nog niet geopend"),
    "open": _l("open"),
    "invited": _l("uitgenodigd"),
    "unconfirmed": _l("e-mailadres nog niet bevestigd"),
    "active": _l("actief"),
}


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    account_events.user_registered.connect(receivers.seat_invited_juror)
    call_events.application_screened.connect(receivers.late_eligible_to_review)
    add_nav(app, "jury.my_assignments", _l("Jury"), roles=("juror",))
    add_object_link(app, "call", "jury.manage", _l("Jury"), roles=("fund_manager", "admin", "auditor"))
    add_object_link(
        app,
        "call",
        "jury.ranking_page",
        _l("Rangschikking en selectie"),
        ("fund_manager", "admin", "auditor"),
    )
    add_status_labels(app, STATUS_LABELS, kind="jury")
