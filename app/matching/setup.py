from flask import Flask
from flask_babel import lazy_gettext as _l

from app.campaigns.ports import Matching
from app.core import ports
from app.core.setup import add_nav, add_object_link, add_status_labels
from app.jury.ports import MatchReservation
from app.matching import (
    audit,
    cli,
    for_campaigns,
    models,  # noqa: F401 - the tables belong to every app
    portal_views,
    reservations,
    tasks,  # noqa: F401 - registers the Celery tasks
    views,
)

STATUS_LABELS = {
    "projected": _l("geprojecteerd"),
    "settled": _l("afgerekend"),
    "released": _l("vrijgegeven"),
}


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(portal_views.bp)
    add_nav(app, "sponsor_portal.portal", _l("Sponsorportaal"), ("sponsor",))
    app.cli.add_command(cli.ledger_cli)
    app.cli.add_command(cli.matching_cli)
    add_nav(app, "matching.sponsors", _l("Sponsors"), ("fund_manager", "admin", "auditor"), group="money")
    add_object_link(
        app, "campaign", "matching.campaign_audit", _l("Verdubbeling"), ("fund_manager", "admin", "auditor")
    )
    add_status_labels(app, STATUS_LABELS)
    ports.provide(app, Matching, for_campaigns.CampaignMatching())
    ports.provide(app, MatchReservation, for_campaigns.reserve_selection)
    app.extensions["streekfonds_selection_planner"] = reservations.planner_factory
    app.extensions["streekfonds_matched_cents"] = audit.matched_cents
    app.extensions["streekfonds_pledge_effect"] = audit.pledge_effect_cents
