"""Test fixtures: one app per session, one rolled-back transaction per test.

The same suite runs on SQLite (default) and PostgreSQL (TEST_DATABASE_URL). Tests marked
`postgres` need the real thing; `redis` needs REDIS_URL. Without them they are skipped, or,
with REQUIRE_SERVICES=1, they fail.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from flask import current_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import text

from app import create_app
from app.config import Config
from app.core import clock, pagecache, sharedpage, tenancy
from app.extensions import db
from app.funds import services as funds

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"
# scripts/test.sh sets this on the SQLite pass when a PostgreSQL pass follows.
PG_PASS_FOLLOWS = os.environ.get("STREEKFONDS_PG_PASS") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not PG_URL:
            if PG_PASS_FOLLOWS:
                item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass"))
            elif REQUIRE:
                item.add_marker(
                    pytest.mark.xfail(reason="REQUIRE_SERVICES=1 and no PostgreSQL", strict=True, run=False)
                )
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            if REQUIRE:
                raise pytest.UsageError("REQUIRE_SERVICES=1 but REDIS_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL)"))


@pytest.fixture(scope="session")
def app_config():
    instance = tempfile.mkdtemp(prefix="streekfonds-test-")
    url = PG_URL or f"sqlite:///{instance}/test.sqlite"
    return Config(
        instance_path=instance,
        SQLALCHEMY_DATABASE_URI=url,
        TESTING=True,
        WTF_CSRF_ENABLED=False,
        SECRET_KEY="test-secret",
        PUBLIC_BASE_URL="http://testserver.local",
        REDIS_URL="",  # tests that need the broker build their own app (tests/workers)
        SERVER_NAME=None,
        PUBLIC_PAGE_MAX_AGE=0,  # every view reads the campaign's version (test_query_counts tries 5 s)
        PAYMENT_GATEWAY="demo",
        DEMO_MODE=True,
        # Tests log in many times from one address; tests/accounts/test_rate_limits.py turns
        # the limits on for the tests that prove them.
        RATELIMIT_ENABLED=False,
        DATA_ENCRYPTION_KEY="",
        MAIL_SERVER="",
        # Still argon2id, with cheap parameters: the defaults take ~0.6 s per hash here.
        ARGON2_PARAMS={"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    )


@pytest.fixture(scope="session")
def app(app_config):
    application = create_app(app_config)
    application.test_client_class = CommittingClient  # app.test_client() commits first too
    with application.app_context():
        _reset_schema()
    yield application
    with application.app_context():
        db.engine.dispose()


def _reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()
    # The default fund exists in every installation (the first migration of issue 14 makes
    # it); everything a test makes without naming a fund belongs to it.
    funds.ensure_default_fund()
    db.session.commit()


@pytest.fixture(autouse=True)
def _clock(app):
    clock.reset()
    pagecache.clear()  # rendered pages of an earlier test's (rolled back) rows
    sharedpage.clear()
    sharedpage.clear()
    app.extensions.pop("funds_directory", None)  # funds an earlier test made (rolled back)
    tenancy.set_scope(None)
    yield
    clock.reset()
    tenancy.set_scope(None)


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's Session.get_bind answers the ENGINE for every mapped table and
    ignores the session's `bind`, so without this the test's work would be committed for real
    on a connection of its own, never rolled back."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(autouse=True)
def _db(request, app):
    """Each test in a transaction rolled back at the end (SAVEPOINTs for its commits).

    Tests marked `committed` commit for real instead; the tables are emptied afterwards.
    """
    if "committed" in request.keywords:
        ctx = app.app_context()
        ctx.push()
        yield
        db.session.remove()
        _empty_tables()
        ctx.pop()
        return
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        ctx.pop()


def _empty_tables():
    empty_tables(db.engine, current_app.config["DEFAULT_FUND_SLUG"])
    current_app.extensions.pop("funds_directory", None)


def empty_tables(engine, default_fund_slug: str) -> None:
    """Every table emptied except the default fund's row (it stays, as after a migration)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name != "funds"]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))
        conn.execute(text("DELETE FROM funds WHERE slug <> :slug"), {"slug": default_fund_slug})


class CommittingClient(FlaskClient):
    """A request sees what a real client would: what the test committed. Factories only
    flush; committing first (inside a test's rolled-back transaction that only releases a
    SAVEPOINT) keeps the test's data when a request rolls back after an error."""

    def open(self, *args, **kwargs):
        db.session.commit()
        response = super().open(*args, **kwargs)
        # A server sends the whole body, then closes the response, which runs its
        # call_on_close work (the password-reset mail is done after the answer); so do we.
        response.get_data()
        response.close()
        return response


@pytest.fixture
def client(app):
    return CommittingClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def csrf_app(app_config):
    """An app with CSRF protection on, for the tests that prove forms need the token."""
    cfg = Config(**{**app_config.as_dict(), "WTF_CSRF_ENABLED": True})
    application = create_app(cfg)
    application.test_client_class = CommittingClient
    return application
