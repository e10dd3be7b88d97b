"""Registers the pages, tasks, status labels, the campaign page's section and the ledger
check of payouts."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.setup import add_nav, add_status_labels
from app.matching import services as matching
from app.payouts import checks, manage_views, request_views, tasks, views  # noqa: F401 - tasks, request_views: on import
from app.payouts.public import campaign_public

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


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(manage_views.bp)
    add_nav(
        app,
        "payouts_manage.index",
        _l("Uitbetalingen"),
        roles=("fund_manager", "admin", "auditor"),
        group="money",
    )
    add_status_labels(app, REQUEST_LABELS, kind="payout")
    add_status_labels(app, REPORT_LABELS, kind="final_report")
    add_status_labels(app, BATCH_LABELS, kind="payout_batch")
    # The campaign page includes payouts/_public.html when this is defined.
    app.jinja_env.globals["payouts_public"] = campaign_public
    # `flask ledger verify` checks that no project is paid more than raised + matched.
    matching.add_check(app, checks.NAME, checks.check_payouts)
