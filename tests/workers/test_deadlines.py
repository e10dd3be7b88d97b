"""Scheduled transitions, with the clock moved: each runs once, late or doubled runs change
nothing, the next run catches up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.calls import services as calls
from app.calls import tasks as call_tasks
from app.core import clock
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications import delivery
from app.notifications import tasks as notification_tasks
from app.notifications.models import OutboxMessage
from tests import factories


def test_calls_open_and_close_at_their_times():
    start = clock.now()
    the_call = factories.call(open_now=False)  # opens in a day, closes in 30
    opens, closes = the_call.opens_at, the_call.closes_at
    applicant = factories.user("applicant")
    assert not the_call.is_open_for_submissions()
    clock.travel_to(opens)
    assert the_call.is_open_for_submissions()  # opening is read from opens_at, no task needed
    factories.application(the_call, owner=applicant)
    clock.travel_to(closes - timedelta(seconds=1))
    assert call_tasks.close_due.apply().result == 0
    assert the_call.status == "published"
    clock.travel_to(closes)
    assert call_tasks.close_due.apply().result == 1
    db.session.refresh(the_call)
    assert the_call.status == "closed"
    # A doubled or late run changes nothing.
    clock.travel_to(closes + timedelta(days=3))
    assert call_tasks.close_due.apply().result == 0
    audits = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "call.closed", AuditEvent.object_id == the_call.id)
    ).all()
    assert len(audits) == 1
    assert start < closes


def test_a_missed_run_catches_up_every_due_call():
    a = factories.call(closes_at=clock.now() + timedelta(days=1))
    b = factories.call(closes_at=clock.now() + timedelta(days=2))
    c = factories.call(closes_at=clock.now() + timedelta(days=9))
    clock.travel_to(clock.now() + timedelta(days=3))  # beat was down for days
    assert sorted(calls.close_due_calls()) == sorted([a.id, b.id])
    assert c.status == "published"


def test_the_sweep_picks_up_what_a_lost_task_left(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 120)
    start = clock.now()
    clock.travel_to(start)
    from app.notifications.outbox import queue

    row_id = queue(
        "password_reset", "lost@example.org", dedupe_key="lost", context={"name": "L", "reset_url": "u"}
    )
    db.session.flush()
    db.session.info.pop("streekfonds_pending_tasks", None)  # the task never reached the broker
    db.session.commit()
    row = db.session.get(OutboxMessage, row_id)
    assert row.status == "pending"
    # Within the lease the sweep assumes the task is on its way.
    clock.travel_to(start + timedelta(seconds=119))
    assert notification_tasks.sweep_outbox.apply().result == 0
    clock.travel_to(start + timedelta(seconds=121))
    assert notification_tasks.sweep_outbox.apply().result == 1
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 1)
    # A doubled sweep finds nothing.
    assert notification_tasks.sweep_outbox.apply().result == 0


def test_a_claim_whose_worker_died_is_retried_after_the_lease(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 120)
    start = clock.now()
    clock.travel_to(start)
    from app.notifications.outbox import queue

    row_id = queue(
        "password_reset", "killed@example.org", dedupe_key="killed", context={"name": "K", "reset_url": "u"}
    )
    db.session.info.pop("streekfonds_pending_tasks", None)
    db.session.commit()
    claimed = delivery.claim(row_id)  # ... and the worker is killed here, before sending
    assert claimed.status == "sending" and claimed.lease_until == start + timedelta(seconds=120)
    assert delivery.deliver(row_id) == "not_claimed"  # a second worker keeps off a live lease
    clock.travel_to(start + timedelta(seconds=121))
    assert notification_tasks.sweep_outbox.apply().result == 1
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_stale_worker_cannot_overwrite_a_newer_attempt(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 120)
    start = clock.now()
    clock.travel_to(start)
    from app.notifications.outbox import queue

    row_id = queue(
        "password_reset", "slow@example.org", dedupe_key="slow", context={"name": "S", "reset_url": "u"}
    )
    db.session.info.pop("streekfonds_pending_tasks", None)
    db.session.commit()
    first = delivery.claim(row_id)
    clock.travel_to(start + timedelta(seconds=121))
    second = delivery.claim(row_id)
    assert second is not None and second.attempts == 2
    # The first worker wakes up and reports failure: ignored, attempt 2 owns the row.
    assert delivery._finish(first, 1, status="failed") is False
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    assert (row.status, row.attempts) == ("sending", 2)


def test_juror_reminders_go_once_a_day_while_scoring_is_open():
    from app.jury import jurors, window
    from app.jury import tasks as jury_tasks
    from tests.notifications.conftest import rows

    manager = factories.user("fund_manager")
    the_call = factories.call(manager)
    application = factories.application(the_call, status="eligible")
    juror = factories.user("juror", locale="fr")
    jurors.add_juror(the_call, juror.email, manager)
    jurors.assign(the_call, juror.email, application.id, manager)
    clock.travel_to(the_call.closes_at)
    window.open_scoring(the_call, manager)
    jury_tasks.send_reminders.apply()
    jury_tasks.send_reminders.apply()  # a doubled beat run
    [reminder] = rows("juror_reminder")
    assert (reminder.recipient, reminder.locale) == (juror.email, "fr")
    clock.travel_to(the_call.closes_at + timedelta(days=1))
    jury_tasks.send_reminders.apply()
    assert len(rows("juror_reminder")) == 2
