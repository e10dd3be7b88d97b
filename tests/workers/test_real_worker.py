"""Real parts: a Celery worker and beat (subprocesses) on our own redis-server, PostgreSQL,
and an SMTP server (aiosmtpd). Faults: a worker killed mid-delivery, Redis stopped under
traffic. Assertions are on what arrived at the SMTP server."""

from __future__ import annotations

import os
import tempfile
import time

import pytest
from celery import _state as celery_state
from sqlalchemy import func, select

from app import create_app
from app.config import Config
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.notifications.smtp_sink import free_port, start_sink
from tests.workers.processes import CeleryProcess, RedisServer, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.committed, pytest.mark.slow]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
LEASE = 6  # the SMTP timeout is a third of it: 2 s


@pytest.fixture(scope="module")
def smtp_server():
    sink, controller = start_sink()
    yield sink, controller
    controller.stop()


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rig(app, smtp_server, redis_server):
    """The web app (test client) with Redis as broker, a beat and a worker (real processes),
    shared by the tests of this module (starting Celery takes seconds)."""
    sink, controller = smtp_server
    instance = tempfile.mkdtemp(prefix="sf-workers-")
    settings = {
        "DATABASE_URL": PG_URL,
        "REDIS_URL": redis_server.url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(controller.port),
        "MAIL_FROM": "Streekfonds <noreply@streekfonds.test>",
        "OUTBOX_LEASE_SECONDS": str(LEASE),
        "OUTBOX_RETRY_SECONDS": "1",
        "OUTBOX_SWEEP_SECONDS": "5",
        "PUBLIC_BASE_URL": "http://testserver.local",
        # The worker starts as production would: keys that pass the start-up checks, demo mode.
        "SECRET_KEY": "worker-test-secret-0123456789abcdef0123",
        "PSEUDONYM_KEY": "worker-test-pseudonyms-0123456789abcdef",
        "DEMO_MODE": "1",
        "INSTANCE_PATH": instance,
        "PAYMENT_GATEWAY": "demo",
        "WTF_CSRF_ENABLED": "0",
    }
    env = {**os.environ, **settings, "PYTHONUNBUFFERED": "1"}
    env.pop("TESTING", None)
    saved_celery = (celery_state.default_app, celery_state._tls.current_app)
    web = create_app(
        Config(
            instance_path=instance,
            SQLALCHEMY_DATABASE_URI=PG_URL,
            REDIS_URL=redis_server.url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_FROM=settings["MAIL_FROM"],
            OUTBOX_LEASE_SECONDS=LEASE,
            PUBLIC_BASE_URL="http://testserver.local",
            SECRET_KEY=settings["SECRET_KEY"],
            PSEUDONYM_KEY=settings["PSEUDONYM_KEY"],
            RATELIMIT_ENABLED=False,  # many registrations from one test address
            WTF_CSRF_ENABLED=False,
            PAYMENT_GATEWAY="demo",
            TESTING=True,
        )
    )
    web.extensions["celery"].set_current()  # the web app's tasks go to our redis-server
    processes: list[CeleryProcess] = []

    class Rig:
        sink = smtp_server[0]
        redis = redis_server
        app = web
        worker: CeleryProcess
        beat: CeleryProcess

        @staticmethod
        def process(kind: str, name: str = "w", marker: str | None = None) -> CeleryProcess:
            proc = CeleryProcess(kind, env, name)
            processes.append(proc)
            return proc.start(marker=marker)

        @staticmethod
        def register(email: str) -> tuple[int, float]:
            """A visitor registers on the site: (status code, seconds the request took)."""
            client = web.test_client()
            started = time.monotonic()
            resp = client.post(
                "/account/register",
                data={
                    "email": email,
                    "password": "een lang wachtwoord",
                    "password_again": "een lang wachtwoord",
                },
            )
            return resp.status_code, time.monotonic() - started

        @staticmethod
        def rows() -> list[OutboxMessage]:
            with web.app_context():
                rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
                db.session.expunge_all()
                db.session.remove()
                return rows

        @staticmethod
        def sent_count() -> int:
            with web.app_context():
                n = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
                db.session.remove()
                return n

    try:
        Rig.beat = Rig.process("beat")
        Rig.worker = Rig.process("worker", "main")
        yield Rig
    finally:
        for proc in processes:
            proc.stop()
        if redis_server.proc is None:
            redis_server.start()
        redis_server_flush(redis_server)
        with web.app_context():
            db.session.remove()
            db.engine.dispose()
        celery_state.default_app, celery_state._tls.current_app = saved_celery


@pytest.fixture
def worker_rig(rig):
    rig.sink.clear()
    yield rig
    rig.sink.clear()


def redis_server_flush(server: RedisServer) -> None:
    import redis

    redis.Redis.from_url(server.url).flushall()


def _by_recipient(sink) -> dict[str, list]:
    return sink.by_recipient()


def test_a_registration_mail_goes_through_a_real_worker_once(worker_rig):
    rig = worker_rig
    status, _took = rig.register("eerste@example.org")
    assert status == 302
    [msg] = rig.sink.wait_for(1)
    [row] = rig.rows()
    assert msg["To"] == "eerste@example.org"
    assert msg["Subject"] == "Bevestig je e-mailadres"
    assert msg["Message-ID"] == f"<outbox-{row.id}@streekfonds.test>"
    wait_until(lambda: rig.rows()[0].status == "sent", 10, "row marked sent")
    assert rig.rows()[0].attempts == 1


def test_redis_stopped_under_traffic_loses_nothing_and_sends_once(worker_rig):
    rig = worker_rig
    rig.sink.delay = 0.5  # a slow mail server: a queue builds up in Redis
    before = [f"voor{i}@example.org" for i in range(6)]
    during = [f"tijdens{i}@example.org" for i in range(6)]
    timings = []
    for email in before:
        status, took = rig.register(email)
        assert status == 302
        timings.append(took)
    print(f"\nrequests with Redis up: max {max(timings):.2f}s, mean {sum(timings) / len(timings):.2f}s")
    unsent = 6 - rig.sent_count()
    rig.redis.stop()  # queued and unacknowledged tasks are gone with it
    print(f"{unsent} of 6 mails not yet sent when Redis stopped")
    timings = []
    for email in during:
        status, took = rig.register(email)
        assert status == 302  # the site keeps working while the broker is down
        timings.append(took)
    print(
        f"\nrequests while Redis was down: max {max(timings):.2f}s, mean {sum(timings) / len(timings):.2f}s"
    )
    assert len(rig.rows()) == 12  # every mail is a committed row
    time.sleep(1)
    rig.sink.delay = 0.0
    rig.redis.start()
    back = time.monotonic()
    wait_until(lambda: rig.sent_count() == 12, 60, "every mail sent after Redis came back")
    print(f"all 12 sent {time.monotonic() - back:.1f}s after Redis came back")
    time.sleep(1.5)  # room for duplicates
    received = _by_recipient(rig.sink)
    assert sorted(received) == sorted(before + during)
    assert all(len(msgs) == 1 for msgs in received.values()), {k: len(v) for k, v in received.items()}
    ids = {f"<outbox-{r.id}@streekfonds.test>" for r in rig.rows()}
    assert {m["Message-ID"] for m in rig.sink.messages} == ids


def test_a_worker_killed_mid_delivery_is_retried_after_its_lease(worker_rig):
    rig = worker_rig
    first = rig.worker
    rig.sink.hold_next = True  # the server keeps the first delivery waiting ...
    assert rig.register("gedood@example.org")[0] == 302
    assert rig.sink.holding.wait(20), first.output()[-2000:]
    first.kill()  # ... and the worker dies in the middle of it
    killed_at = time.monotonic()
    rig.sink.release.set()  # the server refuses the half-delivered mail (nothing committed)
    [row] = rig.rows()
    assert (row.status, row.attempts) == ("sending", 1)
    rig.worker = rig.process("worker", "second")
    wait_until(lambda: rig.rows()[0].status == "sent", 30, "redelivery after the lease")
    print(f"\nredelivered {time.monotonic() - killed_at:.1f}s after the kill (lease {LEASE}s, sweep 5s)")
    [row] = rig.rows()
    assert row.attempts == 2
    time.sleep(1)  # room for a duplicate to show up, if there were one
    assert [m["Message-ID"] for m in rig.sink.messages] == [f"<outbox-{row.id}@streekfonds.test>"]


def _kill_as_each_mail_arrives(rig, hook: str, prefix: str, total: int = 20) -> list[str]:
    """SIGKILL the worker at the sink's `hook` ("after_accept": right after the server's
    "250" to DATA; "at_quit": when the sender says QUIT) for each of `total` mails in turn,
    start a new worker each time, and return the outbox ids of the mails that came twice.

    Asserts what must hold whatever the timing: no mail is lost, each copy that arrived is
    one attempt on its row, and every copy carries the row's Message-ID (so the receiving
    side can drop a repeat)."""
    import signal
    import threading

    killed_ids: set[str] = set()
    killed = threading.Event()

    def kill_on_first_arrival(msg):
        outbox_id = str(msg["X-Streekfonds-Outbox"])
        proc = rig.worker.proc
        if outbox_id in killed_ids or proc is None or proc.poll() is not None:
            return
        killed_ids.add(outbox_id)
        proc.send_signal(signal.SIGKILL)  # no wait here: this is the SMTP server's loop
        killed.set()

    setattr(rig.sink, hook, kill_on_first_arrival)
    for i in range(total):
        assert rig.register(f"{prefix}{i:02d}@example.org")[0] == 302
    for round_no in range(total):
        assert killed.wait(60), f"round {round_no}: no mail arrived\n{rig.worker.output()[-2000:]}"
        killed.clear()
        rig.worker.proc.wait(10)
        rig.worker = rig.process("worker", f"{prefix}{round_no}")
    assert len(killed_ids) == total
    wait_until(lambda: rig.sent_count() == total, 90, "every mail marked sent")
    time.sleep(1.5)  # room for a late duplicate
    rows = {str(r.id): r for r in rig.rows()}
    copies: dict[str, list] = {}
    for msg in list(rig.sink.messages):
        copies.setdefault(str(msg["X-Streekfonds-Outbox"]), []).append(msg)
    assert sorted(copies) == sorted(rows)  # nothing lost
    for key, msgs in copies.items():
        assert len(msgs) == rows[key].attempts, (key, len(msgs), rows[key].attempts)
        assert {m["Message-ID"] for m in msgs} == {f"<outbox-{key}@streekfonds.test>"}
    return sorted(k for k, msgs in copies.items() if len(msgs) > 1)


def test_a_worker_killed_the_moment_each_of_20_mails_is_accepted(worker_rig):
    """The kill lands right after the server's "250" to DATA: what remains of the window is
    the one UPDATE that marks the row sent, and an instant kill still beats it. Reported,
    not asserted: the count depends on which of the two wins."""
    doubled = _kill_as_each_mail_arrives(worker_rig, "after_accept", "dataok")
    print(f"\nSIGKILL right after the server's 250 to DATA, each of 20 mails: {len(doubled)} doubled")


def test_a_worker_killed_when_it_says_quit_after_each_of_20_mails_doubles_none(worker_rig):
    """The row is marked sent before QUIT, so a worker that dies any time after that (here:
    as the server reads its QUIT) never sends the mail again. Before issue 15 the row was
    marked after QUIT's reply and each of these 20 mails came twice."""
    doubled = _kill_as_each_mail_arrives(worker_rig, "at_quit", "quit")
    print(f"\nSIGKILL as the server reads QUIT, each of 20 mails: {len(doubled)} doubled")
    assert doubled == []


def test_a_second_beat_stands_by_until_the_first_one_stops(worker_rig):
    rig = worker_rig
    standby = rig.process("beat", "standby", marker="beat: Starting")
    time.sleep(6)  # longer than a standby's wait between two tries
    assert "holding the scheduler lock" not in standby.output()
    rig.beat.stop()  # a clean stop releases the lock; a crash would let it expire (60 s)
    wait_until(lambda: "holding the scheduler lock" in standby.output(), 20, "the standby takes over")
    rig.beat = standby
