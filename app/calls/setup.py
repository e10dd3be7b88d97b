from flask import Flask
from flask_babel import lazy_gettext as _l

from app.calls import manage_views, tasks, views  # noqa: F401 - manage_views adds routes to views.bp; tasks register
from app.calls.forms import APPLICANT_TYPE_LABELS
from app.core.setup import add_nav, add_status_labels

STATUS_LABELS = {
    "draft": _l("ontwerp"),
    "submitted": _l("ingediend"),
    "eligible": _l("ontvankelijk"),
    "ineligible": _l("niet ontvankelijk"),
    "in_review": _l("bij de jury"),
    "selected": _l("geselecteerd"),
    "not_selected": _l("niet geselecteerd"),
    "withdrawn": _l("ingetrokken"),
    "published": _l("gepubliceerd"),
    "closed": _l("afgesloten"),
}


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    add_status_labels(app, STATUS_LABELS)
    add_nav(app, "calls.about", _l("Over het fonds"), footer=True)
    add_nav(app, "calls.contact", _l("Contact"), footer=True)
    # Applicant types show in reports and tables by the same mechanism as states.
    add_status_labels(app, APPLICANT_TYPE_LABELS)
