"""Rate limits: Flask-Limiter's storage (Redis when REDIS_URL is set, else memory) and its
moving-window strategy, driven by explicit checks in the views.

The limits are settings (`RATELIMIT_*`, limits' notation, ";" between several). Views call
`hit()` where an attempt counts; per-account limits that count failures only use
`allowed()` before and `hit()` after a failure. Over a limit: 429 with Retry-After.
RATELIMIT_ENABLED=false (benchmarks, load tests) turns every check into a no-op.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

PREFIX = "streekfonds"


class LimitReached(TooManyRequests):
    """429 with Retry-After (seconds until the window lets one more through)."""


def client_address() -> str:
    # gunicorn sets REMOTE_ADDR from X-Forwarded-For only for the proxies it trusts
    # (GUNICORN_FORWARDED_ALLOW_IPS), so this is the client, not the proxy.
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    limiter = Limiter(
        key_func=client_address,
        storage_uri=uri,
        strategy="moving-window",
        key_prefix=PREFIX,
        enabled=bool(app.config.get("RATELIMIT_ENABLED", True)),
        # Errors of the storage (Redis down) must not take log-in down with them.
        swallow_errors=True,
    )
    limiter.init_app(app)
    app.extensions["streekfonds_limiter"] = limiter


def _limiter() -> Limiter:
    return current_app.extensions["streekfonds_limiter"]


def _items(setting: str) -> list[RateLimitItem]:
    return list(parse_many(current_app.config[setting]))


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _key(setting: str, key: str) -> tuple[str, str]:
    return (setting.lower(), str(key).strip().lower())


def retry_after(setting: str, key: str) -> int:
    """Seconds until `key` may try again under `setting` (0 when it may now)."""
    strategy = _limiter().limiter
    waits = [0]
    for item in _items(setting):
        stats = strategy.get_window_stats(item, *_key(setting, key))
        if stats.remaining <= 0:
            waits.append(math.ceil(stats.reset_time - time.time()))
    return max(waits)


def allowed(setting: str, key: str) -> bool:
    """Would one more attempt pass? Counts nothing."""
    if not enabled():
        return True
    strategy = _limiter().limiter
    return all(strategy.test(item, *_key(setting, key)) for item in _items(setting))


def remaining(setting: str, key: str) -> int:
    """Attempts left before the tightest limit of `setting` is reached."""
    if not enabled():
        return 1 << 30
    strategy = _limiter().limiter
    return min(strategy.get_window_stats(item, *_key(setting, key)).remaining for item in _items(setting))


def hit(setting: str, key: str, raise_when_over: bool = True) -> bool:
    """Count one attempt of `key`; False (or 429 when `raise_when_over`) past the limit."""
    if not enabled():
        return True
    strategy = _limiter().limiter
    ok = all([strategy.hit(item, *_key(setting, key)) for item in _items(setting)])
    if not ok and raise_when_over:
        refuse(setting, key)
    return ok


def refuse(setting: str, key: str) -> None:
    """Raise the 429 for `key` under `setting`."""
    raise LimitReached(
        description=_("Te veel pogingen. Probeer het later opnieuw."),
        retry_after=max(1, retry_after(setting, key)),
    )


def used(setting: str, key: str) -> int:
    """Attempts `key` already made in the tightest window of `setting`."""
    if not enabled():
        return 0
    strategy = _limiter().limiter
    return max(
        item.amount - strategy.get_window_stats(item, *_key(setting, key)).remaining
        for item in _items(setting)
    )
