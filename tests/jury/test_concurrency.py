"""Two fund managers confirming (or opening) at the same moment: one wins, the other is
told so, and nothing is done twice. Real commits on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.calls.models import Application, Call
from app.core.audit import AuditEvent
from app.core.errors import Conflict
from app.extensions import db
from app.jury import services as jury
from app.jury.models import Selection
from tests.jury.test_ranking_selection import _scenario

pytestmark = [pytest.mark.postgres, pytest.mark.committed, pytest.mark.usefixtures("jury_alone")]


def _race(app, n, work):
    barrier = threading.Barrier(n)
    results: list[str] = []

    def run():
        with app.test_request_context():
            try:
                barrier.wait(timeout=10)
                work()
                db.session.commit()
                results.append("ok")
            except Conflict as exc:
                db.session.rollback()
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)


def test_two_confirmations_at_once_make_one_selection(app):
    with app.test_request_context():
        s = _scenario(matching_budget_cents=1_000_000)
        jury.close_scoring(s.call, s.manager)
        ids = [s.x.id, s.y.id, s.z.id]
        call_id, manager_id = s.call.id, s.manager.id
        db.session.commit()

    def confirm():
        jury.confirm(db.session.get(Call, call_id), ids, {}, db.session.get(User, manager_id))

    assert _race(app, 3, confirm) == ["ok", "selection_confirmed", "selection_confirmed"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Selection.id))) == 1
        moves = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "application.selected")
        )
        assert moves == 3
        statuses = db.session.scalars(select(Application.status).where(Application.call_id == call_id)).all()
        assert sorted(statuses) == ["not_selected", "selected", "selected", "selected"]


def test_two_openings_at_once_open_once(app):
    from tests.jury.conftest import closed_call

    with app.test_request_context():
        call, apps, manager = closed_call(2)
        call_id, manager_id = call.id, manager.id
        db.session.commit()

    def open_():
        jury.open_scoring(db.session.get(Call, call_id), db.session.get(User, manager_id))

    assert _race(app, 2, open_) == ["ok", "window_opened"]
    with app.app_context():
        moves = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "application.in_review")
        )
        assert moves == 2
