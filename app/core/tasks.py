"""Queue Celery tasks only after the database commit, so a worker never sees a missing row.

A task queued inside a transaction that rolls back is dropped with it. Without a broker
(REDIS_URL unset) Celery runs tasks eagerly, so the same code path runs in-process.
"""

from __future__ import annotations

import logging
import time

from celery import current_app as celery_current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "streekfonds_pending_tasks"


def enqueue_after_commit(session: Session, task, *args, **kwargs) -> None:
    """Send `task` with these arguments once `session` commits; forget it on rollback.

    `task` is a task object or its registered name ("campaigns.refund_pledge"): services
    queue tasks by name, so a service never imports the tasks module that imports it."""
    session.info.setdefault(_KEY, []).append((task, args, kwargs))


def task_named(name: str):
    """The registered Celery task of that name (services name tasks; tasks import services)."""
    return celery_current_app.tasks[name]


# After a failed publish, skip publishing for a few seconds: with a hung broker every try
# costs a socket timeout, and a web request must not pay that once per task.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


# Tasks whose calls of one transaction are sent as one message with all their arguments
# (the task takes any number of ids): a group of confirmed pledges queues fifty receipt
# mails, and one message costs the broker and the worker less than fifty.
BATCHED_TASKS: set[str] = set()


def batched(task):
    """Mark a task that takes `*ids` (each call's positional arguments are concatenated)."""
    BATCHED_TASKS.add(task.name)
    return task


def _merged(pending: list) -> list:
    out: list = []
    merged: dict[str, list] = {}
    for task, args, kwargs in pending:
        name = task if isinstance(task, str) else getattr(task, "name", None)
        if name in BATCHED_TASKS and not kwargs:
            if name in merged:
                merged[name].extend(args)
                continue
            merged[name] = list(args)
            out.append((task, merged[name], {}))
        else:
            out.append((task, args, kwargs))
    return out


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    global _broker_down_until
    if session.in_nested_transaction():
        return  # SQLAlchemy fires after_commit for a released SAVEPOINT too; wait for the real commit
    pending = _merged(session.info.pop(_KEY, []))
    for task, args, kwargs in pending:
        if isinstance(task, str):
            task = task_named(task)
        app = getattr(task, "app", None)
        eager = bool(app is not None and app.conf.task_always_eager)
        if not eager and time.monotonic() < _broker_down_until:
            # The row that asked for this work is committed; a periodic sweep picks it up.
            log.warning("broker down; %s left for the sweep", getattr(task, "name", task))
            continue
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - the broker may be down
            if not eager:
                _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            log.exception("could not queue %s; the sweep will retry", getattr(task, "name", task))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
