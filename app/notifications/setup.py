"""Registers the pages, the nav link, status labels and the signal receivers of notifications."""

from __future__ import annotations

import importlib
import logging

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.setup import add_nav
from app.notifications import receivers, receivers_campaigns, receivers_payouts, views


def _events(domain: str):
    """A domain's events module, or None while that domain is not installed."""
    try:
        return importlib.import_module(f"app.{domain}.events")
    except ModuleNotFoundError as exc:
        if exc.name != f"app.{domain}.events":
            raise
        return None


def _mail_log(app: Flask) -> None:
    """Without a mail server, mails go to the log: make sure that log is seen (`make run`)."""
    if app.config.get("MAIL_SERVER"):
        return
    mail_log = logging.getLogger("streekfonds.mail")
    if mail_log.level == logging.NOTSET:
        mail_log.setLevel(logging.INFO)
    if not mail_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
        mail_log.addHandler(handler)


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    _mail_log(app)
    add_nav(app, "notifications.outbox", _l("Mails"), roles=("fund_manager", "admin"))
    receivers.connect_core()
    jury = _events("jury")
    if jury is not None:
        receivers.connect_jury(jury)
    campaigns = _events("campaigns")
    if campaigns is not None:
        receivers_campaigns.connect_campaigns(campaigns)
    matching = _events("matching")
    if matching is not None:
        receivers_campaigns.connect_matching(matching)
    payouts = _events("payouts")
    if payouts is not None:
        receivers_payouts.connect_payouts(payouts)
