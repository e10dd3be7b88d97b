"""Celery bound to the Flask app: every task runs inside an app context.

Without REDIS_URL (the embedded default of `make run`) tasks run eagerly, in-process,
through the same code path; with it, Redis is the broker and tasks go to the workers.
The beat schedule and the one-scheduler lock live in `workers/`.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

from app.core import tenancy

# Publishing happens in a web request (after its commit): when Redis is down it must fail
# within a few seconds, never hang. The row that asked for the work is committed already and
# the periodic sweeps pick it up once the broker is back.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
    # Unacknowledged tasks (acks_late) of a dead worker come back after this long; the
    # outbox lease and the sweeps recover much sooner, so keep it generous.
    "visibility_timeout": 3600,
}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A fresh app context, hence a fresh database session: an eager task runs inside
            # the caller's after_commit, where the caller's session may not emit SQL. Eager
            # tasks take the caller's app (when a process holds several apps, e.g. tests, the
            # last Celery app built is the current one, not necessarily the caller's); a
            # worker has no app context and takes the app it was built from.
            flask_app = current_app._get_current_object() if has_app_context() else app
            # Every task starts looking at every fund (it names its objects by id) and
            # gives an eager caller its own fund scope back afterwards.
            with flask_app.app_context(), tenancy.scoped(None):
                return self.run(*args, **kwargs)

    redis_url = app.config.get("REDIS_URL") or ""
    # Not made "current" for this thread: a process that builds a second app (tests, a
    # script) keeps sending through whatever set_default() chose, and can restore it.
    celery_app = Celery(app.name, task_cls=FlaskTask, set_as_current=False)
    celery_app.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=not redis_url,
        task_eager_propagates=True,
        # A task is acknowledged after it ran, so a worker killed mid-task leaves it queued.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Tasks are idempotent, so a task whose broker connection dropped may be cancelled and
        # redelivered rather than finish unacknowledged.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        # A worker waits out a Redis outage of any length instead of exiting.
        broker_connection_max_retries=None,
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        broker_transport_options=BROKER_TRANSPORT_OPTIONS,
        broker_connection_timeout=2,
        timezone="Europe/Brussels",
        enable_utc=True,
    )
    if app.config.get("PAYMENTS_QUEUE"):
        celery_app.conf.task_routes = {"payments.apply_received": {"queue": app.config["PAYMENTS_QUEUE"]}}
    celery_app.conf.update(app.config.get("CELERY", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
