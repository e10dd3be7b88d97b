from __future__ import annotations

from flask import Flask

from app.demo.cli import LOADERS, STEPS, demo_cli  # noqa: F401 - STEPS: the order of the steps


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
