"""Real processes for the worker tests: our own redis-server (so a test can stop it), a
Celery worker and a beat started with `celery -A workers.celery_app`, each on its own port
and with its own log file. Every process is stopped by its pid, never by name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not happen within {timeout}s")


class RedisServer:
    """A throw-away redis-server without persistence: stopping it loses what it held."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        _wait(up, 10, "redis-server start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


class CeleryProcess:
    """`celery -A workers.celery_app worker|beat` with the given environment."""

    def __init__(self, kind: str, env: dict[str, str], name: str = "w"):
        self.kind = kind
        self.env = env
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"sf-{kind}-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def start(self, ready_timeout: float = 30, marker: str | None = None) -> CeleryProcess:
        args = [CELERY, "-A", "workers.celery_app", self.kind, "--loglevel=info"]
        if self.kind == "worker":
            args += [
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}-{os.getpid()}@%h",
            ]
        else:
            args += ["--schedule", str(self.log.with_suffix(".schedule"))]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        marker = marker or ("ready." if self.kind == "worker" else "beat: holding the scheduler lock")
        _wait(
            lambda: marker in self.output() or self.proc.poll() is not None,
            ready_timeout,
            f"{self.kind} start",
        )
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.kind} exited:\n{self.output()[-3000:]}")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, nothing cleaned up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(predicate, timeout: float, what: str) -> None:
    _wait(predicate, timeout, what)
