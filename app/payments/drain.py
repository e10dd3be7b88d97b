"""Kicking the applier of received gateway events (the task `payments.apply_received`), once
per burst rather than once per webhook.

The webhook commits its event, then calls `kick()`. Publishing a Celery task costs more than
recording the event, and one run of the applier takes every event received so far, so a
kick publishes only when no kick is pending: a key in Redis set with SET NX (it expires
after KICK_TTL_MS, should its task be lost). The applier clears the key before each look at
the table (`clear()`), so an event committed after its last look kicks again, and none is
left behind. Beat runs the same task every minute: a kick lost with the broker is caught
there. Without a broker Celery runs the task eagerly: `kick()` applies at once and says so.
"""

from __future__ import annotations

import logging

import redis
from flask import current_app

from app.core.tasks import task_named

log = logging.getLogger(__name__)
KICK_KEY = "streekfonds:payments:apply-kick"
# Long enough to cover a burst, short enough that a kick whose task was lost (the broker
# went away after the key was set) holds back the next one for no more than this.
KICK_TTL_MS = 1_000
_CLIENT = "streekfonds_payments_redis"


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return None
    client = current_app.extensions.get(_CLIENT)
    if client is None:
        client = current_app.extensions[_CLIENT] = redis.Redis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1
        )
    return client


def kick() -> bool:
    """Have the received events applied; True when they were applied here and now (no broker)."""
    task = task_named("payments.apply_received")
    if task.app.conf.task_always_eager:
        task.apply_async()
        return True
    client = _redis()
    try:
        if client is not None and not client.set(KICK_KEY, b"1", nx=True, px=KICK_TTL_MS):
            return False  # a run is queued or running, and will look again before it ends
    except redis.RedisError:
        log.warning("could not check the applier's kick key; publishing anyway")
    try:
        task.apply_async()
    except Exception:  # noqa: BLE001 - the broker may be down: beat's run catches up
        log.exception("could not queue payments.apply_received; beat's run will apply the events")
    return False


def clear() -> None:
    """The applier is about to look at the table: the next webhook must kick again."""
    client = _redis()
    if client is None:
        return
    try:
        client.delete(KICK_KEY)
    except redis.RedisError:
        log.warning("could not clear the applier's kick key; it expires by itself")
