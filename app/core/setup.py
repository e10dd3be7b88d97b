"""Binds the extensions and the cross-cutting pieces: errors, i18n, template filters."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from app.core import append_only, clock, demo_mode, formhelp, log_redaction, ratelimit, security_headers  # noqa: F401 - append_only: create_all installs its triggers
from app.core.celery import celery_init_app
from app.core.errors import DomainError
from app.core.money import format_cents
from app.core.sharedpage import SharedPages
from app.core.signals import signals_command
from app.extensions import babel, csrf, db, login_manager, migrate

bp = Blueprint("core", __name__)
log = logging.getLogger("streekfonds")


def select_locale() -> str:
    if not has_request_context():  # tasks, CLI, signal receivers outside a request
        return "nl"
    if "lang" in request.args and request.args["lang"] in ("nl", "en", "fr"):
        return request.args["lang"]
    if session.get("locale") in ("nl", "en", "fr"):
        return session["locale"]
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.locale
    return browser_language()


def browser_language() -> str:
    """For a visitor who chose nothing: the first language of the browser's Accept-Language
    (by quality, then in the header's order) that we speak, by its primary tag; else Dutch."""
    for value, quality in request.accept_languages:
        primary = value.split("-")[0].split("_")[0].lower()
        if quality > 0 and primary in ("nl", "en", "fr"):
            return primary
    return "nl"


def init_extensions(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "connect_args": {"timeout": 30, "check_same_thread": False},
        }
    elif uri.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }
    db.init_app(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            _sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Brussels")
    celery_init_app(app)
    ratelimit.init_app(app)
    _templates(app)
    _errors(app)
    demo_mode.init_app(app)
    security_headers.init_app(app)
    app.wsgi_app = SharedPages(app.wsgi_app)  # in front of Flask, behind the rest
    app.wsgi_app = log_redaction.RedactTokensInLog(app.wsgi_app)
    log_redaction.install_log_filter()
    app.before_request(_forget_previous_request)


def _forget_previous_request() -> None:
    # `g` lives as long as the app context. Flask reuses an app context that is already
    # pushed (tests, a CLI command that serves requests), so without this the user, API
    # user and locale of an earlier request would leak into the next one.
    from flask import g

    for key in ("_login_user", "api_user", "_flask_babel"):
        g.pop(key, None)


def _sqlite_pragmas(engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy recipe).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")


def money(cents) -> str:
    return format_cents(cents, str(get_locale() or "nl"))


def decimal(value, digits: int = 2) -> str:
    """A number the way the page's language writes it: 71,67 in Dutch and French, 71.67 in
    English (scores, percentages); '' for None."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def local_dt(value: datetime | None, fmt: str = "d MMMM yyyy, HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


# The staff menu's groups, in order (add_nav's `group`): a fund manager sees his many links
# sorted under a few headings in a bar of their own instead of one long row.
STAFF_GROUPS = (
    ("money", _l("Geld")),
    ("oversight", _l("Toezicht")),
)


def add_nav(
    app: Flask, endpoint: str, label, roles: tuple[str, ...] = (), footer=False, group=None, when=None
) -> None:
    """Let a domain put a link in the main menu (or the footer), shown to `roles` or to all.

    `group` (a STAFF_GROUPS key) puts it in the staff menu under that heading; `when`, a
    function of the user, shows it only when it answers true (e.g. to a campaign's owner).
    """
    app.extensions.setdefault("streekfonds_nav", []).append((endpoint, label, roles, footer, group, when))


def _visible_nav():
    from flask import current_app

    for endpoint, label, roles, in_footer, group, when in current_app.extensions.get("streekfonds_nav", []):
        if roles and not (current_user.is_authenticated and current_user.has_role(*roles)):
            continue
        if when is not None and not (current_user.is_authenticated and when(current_user)):
            continue
        yield {"url": url_for(endpoint), "label": label, "footer": in_footer, "group": group}


def _nav(footer: bool):
    return [
        item for item in _visible_nav() if item["footer"] == footer and not (item["group"] and not footer)
    ]


def staff_nav_groups() -> list[dict]:
    """The staff menu: [{"label", "items"}] for the groups that have a visible link."""
    items = [item for item in _visible_nav() if item["group"] and not item["footer"]]
    return [
        {"label": label, "items": [i for i in items if i["group"] == key]}
        for key, label in STAFF_GROUPS
        if any(i["group"] == key for i in items)
    ]


def add_object_link(app: Flask, kind: str, endpoint: str, label, roles: tuple[str, ...] = ()):
    """Let a domain link from another domain's page, e.g. kind 'call' → the jury page of a
    call (the endpoint takes `<kind>_id`). Shown to `roles`, or to all when empty."""
    app.extensions.setdefault("streekfonds_links", []).append((kind, endpoint, label, roles))


def object_links(kind: str, obj) -> list[dict]:
    from flask import current_app

    items = []
    for k, endpoint, label, roles in current_app.extensions.get("streekfonds_links", []):
        if k != kind:
            continue
        if roles and not (current_user.is_authenticated and current_user.has_role(*roles)):
            continue
        items.append({"url": url_for(endpoint, **{f"{kind}_id": obj.id}), "label": label})
    return items


def add_status_labels(app: Flask, labels: dict, kind: str | None = None) -> None:
    """Translated labels for stable state codes, shown by the `status_badge` macro.

    Codes are shared by every domain ("submitted" is an application's and a tax
    certificate's state), so the shared table keeps the FIRST label given for a code (the
    lower domain's). A domain whose code means something else registers its labels under a
    `kind` and shows them with `status_label(code, kind)` / `status_badge(code, kind)`.
    """
    if kind is not None:
        app.extensions.setdefault("streekfonds_status_labels_by_kind", {}).setdefault(kind, {}).update(labels)
        return
    shared = app.extensions.setdefault("streekfonds_status_labels", {})
    for code, label in labels.items():
        if code in shared and str(shared[code]) != str(label):
            log.warning("status label %r kept as %r; register %r under a kind", code, shared[code], label)
            continue
        shared[code] = label


def status_label(code: str, kind: str | None = None) -> str:
    from flask import current_app

    if kind is not None:
        by_kind = current_app.extensions.get("streekfonds_status_labels_by_kind", {}).get(kind, {})
        if code in by_kind:
            return str(by_kind[code])
    return str(current_app.extensions.get("streekfonds_status_labels", {}).get(code, code))


def _templates(app: Flask) -> None:
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["object_links"] = object_links
    app.jinja_env.globals["call_links"] = lambda call: object_links("call", call)
    app.jinja_env.globals["nav_items"] = lambda: _nav(False)
    app.jinja_env.globals["footer_items"] = lambda: _nav(True)
    app.jinja_env.globals["staff_nav_groups"] = staff_nav_groups
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.globals["now"] = clock.now
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
    formhelp.register(app)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def _kept_headers(exc: HTTPException) -> dict:
    """The headers an error carries that the client needs (429's Retry-After)."""
    return {k: v for k, v in exc.get_headers() if k in ("Retry-After", "WWW-Authenticate")}


def _errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return jsonify(exc.to_dict()), exc.status
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            details = {}
            data = getattr(exc, "data", None) or {}
            if data.get("messages"):  # webargs: {"json": {"field": ["msg"]}}
                for location, messages in data["messages"].items():
                    if isinstance(messages, dict):
                        details.update(messages)
                    else:  # a body that is no JSON at all: {"json": ["Invalid JSON body."]}
                        details.setdefault("_" + str(location), []).extend(messages)
                code = "validation_error"
            body = {"error": {"code": code, "message": exc.description or exc.name, "details": details}}
            if exc.code == 422 and details:
                body["error"]["message"] = "invalid input"
            elif exc.code == 400 and details:  # a body that cannot be parsed at all
                body["error"].update(code="bad_request", message="invalid request body")
            return jsonify(body), exc.code, _kept_headers(exc)
        messages = {
            400: _("Dit verzoek klopt niet. Herlaad de pagina en probeer opnieuw."),
            403: _("Je hebt geen toegang tot deze pagina."),
            404: _("Deze pagina bestaat niet."),
            405: _("Dit kan hier niet."),
            413: _("Dit bestand of formulier is te groot."),
        }
        msg = messages.get(exc.code, exc.description)
        return render_template("error.html", status=exc.code, message=msg), exc.code, _kept_headers(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise exc
        if wants_json():
            body = {"error": {"code": "internal_error", "message": "internal error", "details": {}}}
            return jsonify(body), 500
        return render_template("error.html", status=500, message=_("Er liep iets mis.")), 500


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`: an open redirect is a
    phishing aid. Browsers read a backslash as a slash ("/\\evil.example" leads off-site),
    and control characters are dropped by some, so neither is accepted."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 for c in target)
        and not urlsplit(target).netloc
        and not urlsplit(target).scheme
    ):
        return target
    return fallback


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code in ("nl", "en", "fr"):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("calls.home")))


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(signals_command)
