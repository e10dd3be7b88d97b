"""The Alembic revisions and the models agree: an EMPTY PostgreSQL database upgraded to head
has exactly the schema `db.metadata` describes (autogenerate finds nothing to do).

Generic on purpose: it checks whatever revisions and models exist, so a domain that adds a
model without a revision (or the other way round) fails here.
"""

from __future__ import annotations

import logging
import os
import tempfile

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from celery import _state as celery_state
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app import create_app
from app.config import Config
from app.extensions import db

pytestmark = pytest.mark.postgres

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


@pytest.fixture
def empty_database():
    """A fresh database next to the test database: `<name>_migrations`, dropped afterwards."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_migrations"
    params = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username or "root"}
    if url.password:
        params["password"] = url.password
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def keep_logging():
    """alembic's env.py runs logging.fileConfig, which silences the loggers that exist."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    loggers = {
        name: (lg.disabled, lg.level, list(lg.handlers))
        for name, lg in logging.root.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, (disabled, level, handlers) in loggers.items():
        lg = logging.getLogger(name)
        lg.disabled, lg.level, lg.handlers[:] = disabled, level, handlers


@pytest.fixture
def migration_app(empty_database, keep_logging):
    before = (celery_state.default_app, celery_state._tls.current_app)
    application = create_app(
        Config(
            instance_path=tempfile.mkdtemp(prefix="streekfonds-migrations-"),
            SQLALCHEMY_DATABASE_URI=empty_database,
            TESTING=True,
            REDIS_URL="",
            SECRET_KEY="migrations",
        )
    )
    celery_state.default_app, celery_state._tls.current_app = before
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _describe(item) -> str:
    """One line per difference: the operation and what it touches, not the whole Table repr."""
    if isinstance(item, list):  # modify_* come grouped per column
        return "; ".join(_describe(i) for i in item)
    op, *rest = item
    names = []
    for part in rest:
        name = getattr(part, "name", None)
        table = getattr(getattr(part, "table", None), "name", None)
        if name:
            names.append(f"{table}.{name}" if table and table != name else str(name))
        elif isinstance(part, str):
            names.append(part)
    return f"{op} {' '.join(names)}"


def test_upgrade_an_empty_database_to_head_matches_the_models(migration_app):
    with migration_app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == [], "models and migrations differ (a revision is missing?):\n" + "\n".join(
            _describe(d) for d in diff
        )
        assert {t.name for t in db.metadata.sorted_tables} | {"alembic_version"} == tables


def test_every_revision_downgrades_to_an_empty_database(migration_app):
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)  # and back up again
        assert "users" in inspect(db.engine).get_table_names()


def test_the_migrations_make_append_only_tables_refuse_changes(migration_app):
    """Every table the models mark append-only gets its refusing trigger from a migration."""
    from app.core.append_only import append_only_tables

    with migration_app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            triggered = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE '%%_append_only'"
                )
            }
        assert append_only_tables(), "no table is marked append-only"
        assert set(append_only_tables()) <= triggered, set(append_only_tables()) - triggered
        with db.engine.connect() as conn:
            conn.exec_driver_sql(
                "INSERT INTO audit_events (created_at, action, object_type, fund_id) "
                "VALUES (now(), 'x', 'y', (SELECT min(id) FROM funds))"
            )
            with pytest.raises(Exception, match="append-only"):
                conn.exec_driver_sql("UPDATE audit_events SET action = 'z'")
            conn.rollback()
