from flask import Flask

from app.accounts import cli, services, views
from app.extensions import login_manager


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
    login_manager.user_loader(services.load_session_user)
