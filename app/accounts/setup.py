from flask import Flask, g
from flask_babel import lazy_gettext as _l

from app.accounts import admin_views, cli, services, views
from app.core.setup import add_nav
from app.extensions import db, login_manager


def _save_token_use(response):
    # A GET through the API commits nothing; keep the token's last use when that was all
    # the request changed (never commit a handler's half-done work).
    token = g.pop("touched_token", None)
    if token is not None and response.status_code < 500:
        dirty = set(db.session.dirty)
        if dirty <= {token} and not db.session.new and not db.session.deleted:
            db.session.commit()
    return response


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    add_nav(app, "accounts_admin.users", _l("Gebruikers"), ("admin",), group="oversight")
    app.after_request(_save_token_use)
    app.cli.add_command(cli.users_cli)
    login_manager.user_loader(services.load_session_user)
