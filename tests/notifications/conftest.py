"""Fixtures for the notification tests: a real SMTP server, and the outbox rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.notifications.smtp_sink import start_sink


@pytest.fixture(scope="session")
def _smtp_server():
    sink, controller = start_sink()
    yield sink, controller
    controller.stop()


@pytest.fixture
def smtp(app, _smtp_server, monkeypatch):
    """The app delivers to a real SMTP server (aiosmtpd) for this test; `smtp` records."""
    sink, controller = _smtp_server
    sink.clear()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 6)
    yield sink
    sink.clear()


def rows(kind: str | None = None) -> list[OutboxMessage]:
    q = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        q = q.where(OutboxMessage.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(q))
