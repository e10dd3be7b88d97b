"""The deploy files say what the code does: every setting documented, the commands right."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_every_setting_read_from_the_environment_is_documented():
    source = (ROOT / "app" / "config.py").read_text()
    read = set(re.findall(r'env\.get\("([A-Z0-9_]+)"', source))
    assert {"DATABASE_URL", "PUBLIC_BASE_URL", "REDIS_URL", "MAIL_SERVER", "OUTBOX_SWEEP_SECONDS"} <= read
    example = (DEPLOY / "streekfonds.env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.M))
    assert read - documented == set()


def test_gunicorn_config_loads():
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    assert conf["timeout"] >= 10 and conf["workers"] >= 1


def test_compose_runs_web_worker_beat_postgres_and_redis():
    compose = (DEPLOY / "compose.yaml").read_text()
    services = set(re.findall(r"^  ([a-z]+):\s*$", compose, flags=re.M))
    assert {"web", "worker", "beat", "postgres", "redis"} <= services
    assert '"workers.celery_app", "worker"' in compose and '"workers.celery_app", "beat"' in compose


def test_service_units_start_the_worker_and_the_one_beat():
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert "celery -A workers.celery_app worker" in units["streekfonds-worker.service"]
    assert "celery -A workers.celery_app beat" in units["streekfonds-beat.service"]
    assert "gunicorn -c deploy/gunicorn.conf.py" in units["streekfonds-web.service"]
