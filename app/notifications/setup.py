"""Registers the pages, the nav link, status labels and the signal receivers of notifications."""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.campaigns.ports import PledgeMail
from app.core import ports
from app.core.setup import add_nav
from app.notifications import receivers, receivers_campaigns, receivers_payouts, tasks, views  # noqa: F401


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
    add_nav(app, "notifications.outbox", _l("Mails"), roles=("fund_manager", "admin"), group="oversight")
    receivers.connect()
    receivers_campaigns.connect()
    ports.provide(app, PledgeMail, receivers_campaigns.PledgeMails())
    receivers_payouts.connect()
