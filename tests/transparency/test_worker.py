"""Reports through a real Celery worker on the real Redis and PostgreSQL: a request is a row,
then a task; the API shows the job move to done; a job whose task was lost is picked up by
the sealing task."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta

import pytest
from celery import _state as celery_state

from app import create_app
from app.config import Config
from app.core import clock
from app.extensions import db
from app.transparency.models import ReportJob
from tests import factories as f
from tests.workers.processes import CeleryProcess, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.committed, pytest.mark.slow]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def rig(app):
    redis_url = os.environ["REDIS_URL"]
    instance = tempfile.mkdtemp(prefix="sf-transparency-")
    settings = {
        "DATABASE_URL": PG_URL,
        "REDIS_URL": redis_url,
        # The worker starts as production would: keys that pass the start-up checks, demo mode.
        "SECRET_KEY": "worker-test-secret-0123456789abcdef0123",
        "PSEUDONYM_KEY": "worker-test-pseudonyms-0123456789abcdef",
        "DEMO_MODE": "1",
        "INSTANCE_PATH": instance,
        "PAYMENT_GATEWAY": "demo",
        "PYTHONUNBUFFERED": "1",
    }
    env = {**os.environ, **settings}
    env.pop("TESTING", None)
    saved = (celery_state.default_app, celery_state._tls.current_app)
    web = create_app(
        Config(
            instance_path=instance,
            SQLALCHEMY_DATABASE_URI=PG_URL,
            REDIS_URL=redis_url,
            SECRET_KEY=settings["SECRET_KEY"],
            PSEUDONYM_KEY=settings["PSEUDONYM_KEY"],
            WTF_CSRF_ENABLED=False,
            PAYMENT_GATEWAY="demo",
            TESTING=True,
        )
    )
    web.extensions["celery"].set_current()
    web.extensions["celery"].connection_for_write().default_channel.client.flushdb()
    worker = CeleryProcess("worker", env, "transparency").start()
    try:
        yield web
    finally:
        worker.stop()
        celery_state.default_app, celery_state._tls.current_app = saved
        with web.app_context():
            db.engine.dispose()


def _job(web, job_id):
    with web.app_context():
        job = db.session.get(ReportJob, job_id)
        state = (job.status, job.progress, job.report_id)
        db.session.remove()
        return state


def test_a_report_request_runs_on_the_worker(rig):
    with rig.app_context():
        manager = f.user("fund_manager")
        call = f.call(manager)
        headers = f.token_headers(manager)
        db.session.commit()
        call_id = call.id
        db.session.remove()
    client = rig.test_client()
    res = client.post(f"/api/v1/calls/{call_id}/reports", headers=headers)
    assert res.status_code == 202
    job_id = res.get_json()["job_id"]
    wait_until(lambda: _job(rig, job_id)[0] == "done", 60, "the worker to finish the report")
    body = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
    assert body["status"] == "done" and body["progress"] == 100 and body["report_id"]
    assert client.get(f"/api/v1/transparency/reports/{body['report_id']}").status_code == 200


def test_a_job_whose_task_was_lost_is_run_by_the_sealer(rig):
    from app.transparency.tasks import seal_ledger

    with rig.app_context():
        call = f.call()
        job = ReportJob(scope="call", call_id=call.id, created_at=clock.now() - timedelta(minutes=5))
        db.session.add(job)  # a row whose task never reached the broker
        db.session.commit()
        job_id = job.id
        db.session.remove()
    time.sleep(1)
    assert _job(rig, job_id)[0] == "queued"
    seal_ledger.apply_async()  # what beat sends every minute
    wait_until(lambda: _job(rig, job_id)[0] == "done", 60, "the lost job to be run")
