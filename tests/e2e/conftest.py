"""Browser tests: the real app behind a real HTTP server, driven by headless Chromium.

How it fits together (read this before writing a test in tests/e2e):

- ``live_app`` (session): a SECOND app, built with ``create_app`` on its own SQLite file
  (``create_all``), CSRF ON, ``TESTING`` off, tasks eager (no REDIS_URL), demo payments.
  It never shares a database with the ``app`` fixture of tests/conftest.py.
- ``live_server`` (session): ``live_app`` served by werkzeug's ``make_server`` (threaded) in a
  daemon thread on a free port of 127.0.0.1. ``live_server.url`` is e.g.
  ``http://127.0.0.1:41234``; ``PUBLIC_BASE_URL`` is set to it, so links in mails work.
  Every 5xx answer is recorded in ``live_server.errors``; a test whose pages caused one FAILS
  at teardown (a page that crashes is a bug even when the test did not look at it).
- ``_db`` (autouse, overrides the rolled-back ``_db`` of tests/conftest.py for this folder):
  pushes ``live_app``'s app context for the test, so ``db.session`` in the test body is the
  live database. Data are COMMITTED (the server runs in other threads and only sees
  committed rows); every table is emptied after each test. Create data through the UI, or
  with services / ``tests.factories`` followed by ``db.session.commit()``, or with the
  ``live`` helpers below that commit for you. To read what the server changed, use
  ``live.reload(obj)`` (or ``db.session.commit()`` then query): the test's open transaction
  keeps its old snapshot, so ``expire_all()`` alone reads stale rows.
- ``live`` (function): helpers bound to the live app:
  ``live.url``, ``live.user(*roles, email=None, password=PASSWORD) -> User`` (confirmed,
  committed), ``live.call(**values) -> Call`` (published and open unless told otherwise,
  committed), ``live.commit()``, ``live.reload(obj)``, ``live.mails`` (links sent by
  accounts signals: ``live.mails["confirm"][email]`` / ``live.mails["reset"][email]``).
- ``browser`` (session): Debian's Chromium (``/usr/bin/chromium``, or CHROMIUM_PATH) through
  ``playwright.sync_api``, headless, with the flags CI needs. Without Chromium (or without
  the playwright package) the browser tests are SKIPPED with the reason, and FAIL when
  REQUIRE_SERVICES=1.
- ``page`` (function): a fresh browser context (own cookies; Dutch, Brussels time) with
  ``base_url=live_server.url``, so ``page.goto("/calls")`` works. On a failing test a
  screenshot and the HTML are written to $E2E_ARTIFACTS (default: a temp folder) and the
  path is printed.
- ``login(page, email, password=PASSWORD)`` / ``logout(page)``: through the real forms.

Every test in this folder is marked ``browser`` and ``committed`` automatically (and
scripts/test.sh runs them only in the SQLite pass: ``-m "not browser"`` on PostgreSQL).
The clock: ``app.core.clock`` is process-wide, so ``clock.travel_to`` in a test moves the
server's clock as well (the autouse ``_clock`` fixture resets it after each test).
Celery: creating a second app makes its Celery app the current one; the fixtures keep the
session app's Celery for the other tests and make the live one current in the server's
threads and in the e2e test's own thread only.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery import _state as celery_state
from werkzeug.serving import make_server

from app import create_app
from app.accounts import events as account_events
from app.config import Config
from app.extensions import db
from app.funds import services as funds
from tests import factories
from tests.conftest import empty_tables

PASSWORD = factories.PASSWORD
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.committed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --- the live app and its server ---------------------------------------------------------


@pytest.fixture(scope="session")
def live_app():
    instance = tempfile.mkdtemp(prefix="streekfonds-e2e-")
    config = Config(
        instance_path=instance,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance}/e2e.sqlite",
        TESTING=False,
        WTF_CSRF_ENABLED=True,
        # As `make run`: demo mode, which generates its keys into the instance folder.
        DEMO_MODE=True,
        SECRET_KEY="",
        RATELIMIT_ENABLED=False,
        REDIS_URL="",
        SERVER_NAME=None,
        PAYMENT_GATEWAY="demo",
        DATA_ENCRYPTION_KEY="",
        MAIL_SERVER="",
        ARGON2_PARAMS={"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    )
    before = (celery_state.default_app, celery_state._tls.current_app)
    application = create_app(config)
    # create_app made its Celery app the default and current one; give the rest of the
    # session back what it had, so eager tasks of other tests run in their own app.
    if before[0] is not None:
        celery_state.default_app = before[0]
    celery_state._tls.current_app = before[1]
    with application.app_context():
        db.create_all()
        funds.ensure_default_fund()
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()
    shutil.rmtree(instance, ignore_errors=True)


class _LiveServer:
    """The WSGI app in a thread; remembers every 5xx answer."""

    def __init__(self, application):
        self.app = application
        self.errors: list[str] = []
        self._celery = application.extensions["celery"]
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        application.config["PUBLIC_BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, name="e2e-server", daemon=True)

    def _wsgi(self, environ, start_response):
        self._celery.set_current()  # this request's thread: tasks run in the live app

        def recording_start_response(status, headers, exc_info=None):
            if status[:1] == "5":
                self.errors.append(f"{status} on {environ['REQUEST_METHOD']} {environ.get('PATH_INFO')}")
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_app):
    server = _LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _db(live_app):
    """Overrides tests/conftest.py's `_db`: the live app's context, real commits, tables
    emptied afterwards."""
    celery_before = celery_state._tls.current_app
    live_app.extensions["celery"].set_current()
    ctx = live_app.app_context()
    ctx.push()
    try:
        yield
    finally:
        db.session.remove()
        empty_tables(db.engine, live_app.config["DEFAULT_FUND_SLUG"])
        live_app.extensions.pop("funds_directory", None)
        ctx.pop()
        celery_state._tls.current_app = celery_before


# --- data helpers -------------------------------------------------------------------------


class _Mails:
    """Links the accounts domain sends (confirm, reset), by e-mail address."""

    def __init__(self):
        self.links: dict[str, dict[str, str]] = {"confirm": {}, "reset": {}}

    def __getitem__(self, kind):
        return self.links[kind]

    def on_registered(self, user, confirm_url=None, **_kw):
        self.links["confirm"][user.email] = confirm_url

    def on_reset(self, user, reset_url=None, **_kw):
        self.links["reset"][user.email] = reset_url


@pytest.fixture
def live(live_server):
    mails = _Mails()
    account_events.user_registered.connect(mails.on_registered, weak=False)
    account_events.password_reset_requested.connect(mails.on_reset, weak=False)

    def user(*roles, email=None, password=PASSWORD, **kw):
        u = factories.user(*roles, email=email, **kw)
        if password != PASSWORD:
            from app.accounts import services

            services.change_password(u, password)
        db.session.commit()
        return u

    def call(**values):
        c = factories.call(**values)
        db.session.commit()
        return c

    def reload(obj):
        # End the test's own transaction: SQLite (WAL) and PostgreSQL keep showing a reader
        # the snapshot it started with, so expire_all() alone would read stale rows.
        db.session.commit()
        return db.session.get(type(obj), obj.id)

    try:
        yield SimpleNamespace(
            url=live_server.url,
            app=live_server.app,
            user=user,
            call=call,
            commit=db.session.commit,
            reload=reload,
            mails=mails,
        )
    finally:
        account_events.user_registered.disconnect(mails.on_registered)
        account_events.password_reset_requested.disconnect(mails.on_reset)


# --- the browser --------------------------------------------------------------------------


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-BE", timezone_id="Europe/Brussels")
    context.set_default_timeout(10_000)
    the_page = context.new_page()
    errors_before = len(live_server.errors)
    yield the_page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        _save_artifacts(request.node.name, the_page)
    context.close()
    new_errors = live_server.errors[errors_before:]
    if new_errors:
        pytest.fail("the server answered with an error: " + "; ".join(new_errors), pytrace=False)


def _save_artifacts(name: str, the_page) -> None:
    folder = Path(os.environ.get("E2E_ARTIFACTS") or tempfile.gettempdir()) / "streekfonds-e2e"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"[^\w.-]", "_", name)
    try:
        the_page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(the_page.content(), encoding="utf-8")
        print(f"\ne2e artifacts: {stem}.png, {stem}.html (page {the_page.url})")
    except Exception as exc:  # the page may be gone; the test's own failure matters more
        print(f"\ne2e artifacts not saved: {exc}")


def login(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form and wait until the site shows the logged-in menu."""
    page.goto("/account/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("header.site button:has-text('Afmelden')")


def logout(page) -> None:
    page.locator("header.site button:has-text('Afmelden')").click()
    page.wait_for_selector("header.site a:has-text('Aanmelden')")


@pytest.fixture(name="login")
def login_fixture():
    """`login(page, email, password=PASSWORD)` as a fixture, for tests that prefer that."""
    return login


@pytest.fixture(name="logout")
def logout_fixture():
    return logout
