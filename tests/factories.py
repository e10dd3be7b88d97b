"""Factories for the tests of every domain. Each returns flushed objects."""

from __future__ import annotations

import itertools
from datetime import timedelta

from app.accounts import services as accounts
from app.calls import services as calls
from app.core import clock
from app.extensions import db

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def user(*roles: str, email: str | None = None, **kw):
    roles = roles or ("applicant",)
    email = email or f"{roles[0]}{next(_seq)}@example.org"
    return accounts.create_user(email, PASSWORD, list(roles), confirmed=True, **kw)


def token_headers(u) -> dict:
    _t, clear = accounts.create_api_token(u, "test")
    db.session.flush()
    return {"Authorization": f"Bearer {clear}"}


CRITERIA = [
    {"key": "impact", "label": "Impact", "weight": 2, "max_score": 10},
    {"key": "feasibility", "label": "Haalbaarheid", "weight": 1, "max_score": 5},
]


def call(manager=None, publish=True, open_now=True, **values):
    manager = manager or user("fund_manager")
    now = clock.now()
    base = {
        "title": f"Oproep {next(_seq)}",
        "description": "Projecten voor de streek.",
        "theme": "klimaat",
        "municipalities": ["Gent", "Lochristi", "Melle"],
        "opens_at": now - timedelta(days=1) if open_now else now + timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "criteria": CRITERIA,
    }
    base.update(values)
    c = calls.create_call(base, manager)
    if publish:
        calls.publish_call(c, manager)
    return c


COMPLETE = {
    "title": "Buurtmoestuin",
    "summary": "Een moestuin voor de buurt.",
    "description": "We leggen een moestuin aan met en voor de buren.",
    "municipality": "Gent",
    "applicant_type": "association",
    "organisation": "Buurtwerking vzw",
    "enterprise_number": "0123.456.749",
    "budget_cents": 1_200_000,
    "target_cents": 500_000,
}


def application(the_call=None, owner=None, status="draft", **values):
    """An application brought to `status` along the real transitions."""
    the_call = the_call or call()
    owner = owner or user("applicant")
    app = calls.create_application(the_call, {**COMPLETE, **values}, owner)
    if status == "draft":
        return app
    calls.submit_application(app, owner)
    if status == "submitted":
        return app
    manager = user("fund_manager")
    if status in ("eligible", "in_review", "selected", "not_selected"):
        calls.screen_application(app, True, "", manager)
        for nxt in {
            "in_review": ["in_review"],
            "selected": ["in_review", "selected"],
            "not_selected": ["in_review", "not_selected"],
        }.get(status, []):
            calls.set_application_status(app, nxt, manager.id)
    elif status == "ineligible":
        calls.screen_application(app, False, "Buiten het werkgebied.", manager)
    elif status == "withdrawn":
        calls.withdraw_application(app, owner)
    return app
