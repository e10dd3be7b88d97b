from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts import admin_views, cli, services, views
from app.core.setup import add_nav
from app.extensions import login_manager


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    add_nav(app, "accounts_admin.users", _l("Gebruikers"), ("admin",))
    app.cli.add_command(cli.users_cli)
    login_manager.user_loader(services.load_session_user)
