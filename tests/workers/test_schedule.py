"""The beat schedule, the one-scheduler lock, and a doubled beat run."""

from __future__ import annotations

import importlib
import os
from datetime import timedelta

import pytest
from sqlalchemy import text

from app import DOMAINS
from app.core import clock
from app.extensions import db
from workers import schedule
from workers.beat import BeatLock

REQUIRED = {
    "calls.close_due",
    "campaigns.close_due",
    "campaigns.expire_pending",
    "matching.settle_due",
    "jury.send_reminders",
    "payouts.send_final_report_reminders",
    "notifications.sweep_outbox",
    "ledger.verify",
}


def test_the_schedule_names_every_routine_step_and_the_sweep_interval():
    entries = schedule.entries({"OUTBOX_SWEEP_SECONDS": 60})
    assert set(entries) >= REQUIRED
    assert entries["notifications.sweep_outbox"]["schedule"] == timedelta(seconds=60)
    assert schedule.entries({"OUTBOX_SWEEP_SECONDS": 15})["notifications.sweep_outbox"][
        "schedule"
    ] == timedelta(seconds=15)


def test_tasks_no_domain_defines_are_left_out():
    built = schedule.build({"OUTBOX_SWEEP_SECONDS": 60}, {"calls.close_due", "notifications.sweep_outbox"})
    assert set(built) == {"calls.close_due", "notifications.sweep_outbox"}
    assert built["calls.close_due"]["task"] == "calls.close_due"


def _registered(app):
    for name in DOMAINS:
        try:
            importlib.import_module(f"app.{name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{name}.tasks":
                raise
    return app.extensions["celery"].tasks


def _snapshot() -> dict:
    out = {}
    for table in db.metadata.sorted_tables:
        cols = [c.name for c in table.columns]
        pk = [c.name for c in table.primary_key.columns] or cols[:1]
        order = ", ".join(f'"{c}"' for c in pk)
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}')).all()
        out[table.name] = [tuple(r) for r in rows]
    return out


def test_a_doubled_beat_run_changes_nothing(app):
    from tests import factories

    tasks = _registered(app)
    start = clock.now()
    clock.travel_to(start)
    due = factories.call(closes_at=start + timedelta(hours=1))
    factories.application(status="submitted")  # an outbox row (application received)
    db.session.info.pop("streekfonds_pending_tasks", None)  # ... whose task got lost
    db.session.commit()
    clock.travel_to(start + timedelta(days=2))
    names = [n for n in schedule.entries(app.config) if n in tasks]
    assert REQUIRED & set(names) == REQUIRED & set(tasks)
    for name in names:
        tasks[name].apply()
    first = _snapshot()
    from app.calls.models import Call
    from app.notifications.models import OutboxMessage

    db.session.expire_all()
    assert db.session.get(Call, due.id).status == "closed"
    assert {r.status for r in db.session.scalars(db.select(OutboxMessage))} == {"sent"}
    for name in names:
        tasks[name].apply()
    assert _snapshot() == first


@pytest.mark.redis
def test_only_one_beat_holds_the_lock():
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    key = f"streekfonds:test-beat-lock:{os.getpid()}"
    client.delete(key)
    first, second = BeatLock(client, key, ttl=2), BeatLock(client, key, ttl=2)
    try:
        assert first.hold() is True
        assert second.hold() is False
        assert first.hold() is True  # renewing
        assert second.hold() is False
        # The holder stops (crash): the standby takes over once the lease ran out.
        client.pexpire(key, 1)
        import time

        time.sleep(0.05)
        assert second.hold() is True
        assert first.hold() is False  # the old holder cannot renew another's lock
        first.release()  # nor release it
        assert client.get(key).decode() == second.token
        second.release()
        assert client.get(key) is None
    finally:
        client.delete(key)


def test_a_beat_without_redis_stands_by():
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    lock = BeatLock(
        redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    )
    assert lock.hold() is False
