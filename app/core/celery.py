"""Celery bound to the Flask app: every task runs inside an app context.

Without REDIS_URL (the embedded default of `make run`) tasks run eagerly, in-process,
through the same code path; with it, Redis is the broker and tasks go to the workers.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    redis_url = app.config.get("REDIS_URL") or ""
    celery_app = Celery(app.name, task_cls=FlaskTask)
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
        broker_connection_retry_on_startup=True,
        # Publishing must not hang a web request when Redis is down: fail fast, the outbox
        # sweep sends it later.
        broker_transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                  "visibility_timeout": 3600},
        broker_connection_timeout=2,
        timezone="Europe/Brussels",
        enable_utc=True,
    )
    celery_app.conf.update(app.config.get("CELERY", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
