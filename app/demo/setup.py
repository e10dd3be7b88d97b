from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

STEPS = ("foundation", "jury", "campaigns", "matching", "payouts", "notifications", "transparency")

demo_cli = AppGroup("demo", help="Demo data for trying the platform.")


@demo_cli.command("load")
def load():
    """Load the demo data (idempotent) and print the demo log-ins."""
    ctx: dict = {}
    for step in STEPS:
        try:
            module = importlib.import_module(f"app.demo.{step}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.demo.{step}":
                raise
            continue
        module.load(ctx)
        db.session.commit()
    click.echo("Demo accounts (password for all: %s):" % ctx["password"])
    for role, user in ctx["users"].items():
        click.echo(f"  {role:<13} {user.email}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
