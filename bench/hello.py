"""The floor for bench/pages.py: a Flask hello-world, served by the same gunicorn settings.

gunicorn 'bench.hello:create_app()'
"""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app
