"""`python -m workers.run_due`: every scheduled step once, in-process, for installations
without Redis (make run). A real subprocess on its own SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from celery import _state as celery_state

from app import create_app
from app.calls.models import Call
from app.config import Config
from app.core import clock
from app.extensions import db
from workers.schedule import entries

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_run_due_runs_every_step_and_closes_what_is_due(app_config):
    from tests import factories

    instance = tempfile.mkdtemp(prefix="sf-run-due-")
    url = f"sqlite:///{instance}/run_due.sqlite"
    saved = (celery_state.default_app, celery_state._tls.current_app)
    own = create_app(
        Config(**{**app_config.as_dict(), "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    )
    celery_state.default_app, celery_state._tls.current_app = saved
    original_session = db.session
    try:
        with own.app_context():
            db.session = db._make_scoped_session({})
            db.create_all()
            due = factories.call(closes_at=clock.now() + timedelta(seconds=1))
            due.closes_at = clock.now() - timedelta(minutes=1)
            db.session.commit()
            due_id = due.id
            db.session.remove()
        # As `make run`: demo mode, whose keys are generated into the instance folder.
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "REDIS_URL": "",
            "DEMO_MODE": "1",
        }
        done = subprocess.run(
            [sys.executable, "-m", "workers.run_due"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        printed = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
        assert set(entries({})) <= set(printed)
        assert printed["calls.close_due"] == "1"
        assert "FAILED" not in done.stdout
        with own.app_context():
            assert db.session.get(Call, due_id).status == "closed"
            db.session.remove()
            db.engine.dispose()
    finally:
        db.session = original_session
