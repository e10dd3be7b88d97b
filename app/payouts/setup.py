"""Registers the pages, tasks, status labels and the campaign page's section of payouts."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.setup import add_nav, add_status_labels
from app.payouts import tasks  # noqa: F401 - registers the Celery tasks

REQUEST_LABELS = {
    "submitted": _l("ingediend"),
    "changes_requested": _l("wijzigingen gevraagd"),
    "approved": _l("goedgekeurd"),
    "scheduled": _l("in betaalbestand"),
    "paid": _l("betaald"),
    "failed": _l("teruggestort door de bank"),
    "rejected": _l("geweigerd"),
    "withdrawn": _l("ingetrokken"),
}
REPORT_LABELS = {
    "due": _l("nog in te dienen"),
    "submitted": _l("ingediend"),
    "changes_requested": _l("wijzigingen gevraagd"),
    "approved": _l("goedgekeurd"),
}
BATCH_LABELS = {"exported": _l("uitgevoerd"), "paid": _l("betaald")}


def _public_section(campaign):
    from app.payouts.public import campaign_public

    return campaign_public(campaign)


def register(app: Flask) -> None:
    from app.payouts import manage_views, request_views, views  # noqa: F401 - request_views adds routes

    app.register_blueprint(views.bp)
    app.register_blueprint(manage_views.bp)
    add_nav(app, "payouts_manage.index", _l("Uitbetalingen"), roles=("fund_manager", "admin", "auditor"))
    add_status_labels(app, REQUEST_LABELS, kind="payout")
    add_status_labels(app, REPORT_LABELS, kind="final_report")
    add_status_labels(app, BATCH_LABELS, kind="payout_batch")
    # The campaign page includes payouts/_public.html when this is defined.
    app.jinja_env.globals["payouts_public"] = _public_section
