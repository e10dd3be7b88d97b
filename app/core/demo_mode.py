"""Demo mode: the demo pages exist only then, and every page says the site is a demo."""

from __future__ import annotations

from flask import Flask, abort, current_app, request


def _demo_pages_only_in_demo_mode() -> None:
    # The demo checkout "pays" without money and /demo/mails shows every mail: neither
    # may exist on a real site, whatever PAYMENT_GATEWAY says.
    if request.path.startswith("/demo/") and not current_app.config.get("DEMO_MODE"):
        abort(404)


def init_app(app: Flask) -> None:
    app.before_request(_demo_pages_only_in_demo_mode)
    app.jinja_env.globals["demo_mode"] = lambda: bool(current_app.config.get("DEMO_MODE"))
