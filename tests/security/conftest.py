"""An app with the rate limits on (memory storage) and a clock the test moves."""

from __future__ import annotations

import time as real_time

import pytest

from app import create_app
from app.config import Config
from tests.conftest import CommittingClient


class FakeTime:
    """Stands in for the `time` module where the limits read the clock."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name):
        return getattr(real_time, name)


@pytest.fixture
def limit_clock(monkeypatch):
    import limits.storage.memory
    import limits.strategies

    import app.core.ratelimit

    fake = FakeTime()
    for module in (limits.storage.memory, limits.strategies, app.core.ratelimit):
        monkeypatch.setattr(module, "time", fake)
    return fake


@pytest.fixture
def limited_app(app_config, limit_clock):
    cfg = Config(
        **{
            **app_config.as_dict(),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_LOGIN": "8 per minute",
            "RATELIMIT_LOGIN_ACCOUNT": "3 per 15 minutes",
            "RATELIMIT_REGISTER": "2 per hour",
            "RATELIMIT_RESET": "2 per hour",
            "RATELIMIT_TOKEN": "2 per hour",
            "RATELIMIT_PLEDGE": "4 per hour",
            "RATELIMIT_PLEDGE_CAMPAIGN": "50 per hour",
            "RATELIMIT_PLEDGE_CHALLENGE_AFTER": 2,
        }
    )
    application = create_app(cfg)
    application.test_client_class = CommittingClient
    return application


@pytest.fixture
def limited(limited_app):
    return limited_app.test_client()
