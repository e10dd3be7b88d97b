from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.demo import campaigns, foundation, jury, matching, transparency
from app.extensions import db

STEPS = (foundation, jury, campaigns, matching, transparency)

demo_cli = AppGroup("demo", help="Demo data for trying the platform.")


@demo_cli.command("load")
def load():
    """Load the demo data (idempotent) and print the demo log-ins."""
    ctx: dict = {}
    for step in STEPS:
        step.load(ctx)
        db.session.commit()
    click.echo("Demo accounts (password for all: %s):" % ctx["password"])
    for role, user in ctx["users"].items():
        click.echo(f"  {role:<13} {user.email}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
