"""One scheduler at a time: beat runs its schedule only while it holds a lock in Redis.

Start as many beat processes as you like (two hosts, a restart overlapping the old one): the
one holding `streekfonds:beat-lock` sends the periodic tasks, the others wait and take over
within LOCK_TTL seconds after it stops renewing (crash, host gone, Redis restarted). The
lock is SET NX PX with a random token; renewing and releasing check the token (Lua), so a
beat never extends or frees another's lock. Even with a split second of overlap the tasks
are idempotent transitions, so a doubled run changes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from celery.beat import Scheduler

log = logging.getLogger(__name__)
LOCK_KEY = "streekfonds:beat-lock"
LOCK_TTL = 60  # seconds
STANDBY_SLEEP = 5.0

_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class BeatLock:
    """A lease in Redis that one holder renews; another may take it once it expired."""

    def __init__(self, client: redis.Redis, key: str = LOCK_KEY, ttl: int = LOCK_TTL):
        self.client = client
        self.key = key
        self.ttl_ms = ttl * 1000
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.held = False

    def hold(self) -> bool:
        """Take or renew the lock; False while another holder has it or Redis is down."""
        try:
            if self.held and self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
                return True
            was_held = self.held
            self.held = bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))
            if self.held and not was_held:
                log.info("beat: holding the scheduler lock (%s)", self.token)
            elif was_held and not self.held:
                log.warning("beat: lost the scheduler lock; standing by")
            return self.held
        except redis.RedisError as exc:
            if self.held:
                log.warning("beat: cannot renew the scheduler lock (%s); standing by", exc)
            self.held = False
            return False

    def release(self) -> None:
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            pass
        self.held = False


class SingleBeatScheduler(Scheduler):
    """Celery's in-memory scheduler that ticks only while it holds the BeatLock."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = self.app.conf.broker_url
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=3)
        self.lock = BeatLock(client)
        # Renew well inside the TTL, whatever the schedule's longest interval.
        self.max_interval = min(self.max_interval or LOCK_TTL, LOCK_TTL / 4)

    def tick(self, *args, **kwargs):
        if not self.lock.hold():
            return STANDBY_SLEEP
        return min(super().tick(*args, **kwargs), LOCK_TTL / 4)

    def close(self):
        self.lock.release()
        super().close()
