"""Registers the transparency domain: models, CLI, pages, receivers. Beat runs
`transparency.seal_ledger` every minute (workers/schedule.py)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

# models: the tables belong to every app; tasks: they register with Celery.
from app.core.setup import add_nav, add_object_link, add_status_labels
from app.transparency import cli, models, overseer, receivers, tasks, views  # noqa: F401


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.transparency_cli)
    receivers.connect()
    overseer.install(app)
    add_status_labels(
        app,
        {
            "job_queued": _l("in de wachtrij"),
            "job_running": _l("bezig"),
            "job_done": _l("klaar"),
            "job_failed": _l("mislukt"),
            "not_proposed": _l(
                "niet voorgesteld: paste niet meer in het verdubbelingsbudget, "
                "het maximum per gemeente of het sponsorgeld"
            ),
            "not_scored": _l("niet gescoord door de jury"),
            "over_budget": _l("paste niet meer in het verdubbelingsbudget"),
            "municipality_full": _l("het maximum aantal projecten voor deze gemeente was bereikt"),
            "match_not_covered": _l("het sponsorgeld kon de verdubbeling niet meer dekken"),
            "not_confirmed": _l("voorgesteld maar niet bevestigd"),
        },
    )

    add_nav(app, "transparency.index", _l("Transparantie"))
    add_nav(
        app,
        "transparency.audit_trail",
        _l("Audittrail"),
        roles=("auditor", "fund_manager", "admin"),
        group="oversight",
    )
    add_object_link(
        app,
        "call",
        "transparency.call_reports",
        _l("Transparantierapporten"),
        roles=("fund_manager", "admin", "auditor"),
    )
