from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.log_redaction import SECRET_PATHS
from app.core.setup import add_nav
from app.privacy import cli, models, tasks, views  # noqa: F401 - the tables and tasks belong to the app


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.privacy_cli)
    add_nav(app, "privacy.notice", _l("Privacy"), footer=True)
    add_nav(app, "privacy.manage_requests", _l("Privacyverzoeken"), ("fund_manager", "admin"), footer=True)
    if "/privacy/requests/" not in SECRET_PATHS:
        SECRET_PATHS.append("/privacy/requests/")
