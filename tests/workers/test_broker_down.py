"""Publishing never hangs a web request: with the broker refusing connections, or accepting
them and never answering (a hung Redis), the request succeeds and the mail waits as a row."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from celery import _state as celery_state

from app import create_app
from app.config import Config
from app.core import tasks as core_tasks
from tests.notifications.conftest import rows
from tests.notifications.smtp_sink import free_port


@pytest.fixture
def black_hole():
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def broker_app(app, app_config, monkeypatch):
    saved_celery = (celery_state.default_app, celery_state._tls.current_app)
    monkeypatch.setattr(core_tasks, "_broker_down_until", 0.0)

    def build(redis_url: str):
        web = create_app(Config(**{**app_config.as_dict(), "REDIS_URL": redis_url}))
        web.extensions["celery"].set_current()  # its tasks go to that broker
        return web

    yield build
    celery_state.default_app, celery_state._tls.current_app = saved_celery


def _register(web, n: int) -> list[float]:
    took = []
    for i in range(n):
        client = web.test_client()
        started = time.monotonic()
        resp = client.post(
            "/account/register",
            data={"email": f"zonder-broker{i}@example.org", "password": "x" * 12, "password_again": "x" * 12},
        )
        took.append(time.monotonic() - started)
        assert resp.status_code == 302
    return took


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["refused", "hung"])
def test_requests_succeed_while_the_broker_is_unreachable(broker_app, black_hole, kind):
    port = free_port() if kind == "refused" else black_hole
    web = broker_app(f"redis://127.0.0.1:{port}/0")
    took = _register(web, 4)
    print(f"\nbroker {kind}: request times {', '.join(f'{t:.2f}s' for t in took)}")
    mails = rows("account_confirm")
    assert len(mails) == 4
    assert {m.status for m in mails} == {"pending"}  # committed rows: the sweep sends them later
