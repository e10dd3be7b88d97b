"""`celery -A workers.celery_app worker` / `beat`: the app is built once per process.

Every domain's `tasks.py` is imported here (those that exist), so the worker knows every task
and beat schedules only tasks that exist. The one-scheduler lock: see workers/beat.py.
"""

from app import DOMAINS, create_app
from workers import schedule

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.autodiscover_tasks([f"app.{name}" for name in DOMAINS], force=True)
celery.conf.beat_schedule = schedule.build(flask_app.config, celery.tasks)
celery.conf.beat_scheduler = "workers.beat:SingleBeatScheduler"
