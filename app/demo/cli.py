"""`flask demo load`: the demo fund, step by step, one commit per step."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.demo import banking, campaigns, foundation, jury, matching, payouts, transparency
from app.extensions import db

# The steps of `flask demo load`, in order (each module's `load(ctx)`).
LOADERS = (foundation, jury, campaigns, matching, payouts, banking, transparency)
STEPS = tuple(step.__name__.rsplit(".", 1)[1] for step in LOADERS)

demo_cli = AppGroup("demo", help="Demo data for trying the platform.")


@demo_cli.command("load")
def load():
    """Load the demo data (idempotent) and print the demo log-ins."""
    ctx: dict = {}
    for step in LOADERS:
        step.load(ctx)
        db.session.commit()
    click.echo("Demo accounts (password for all: %s):" % ctx["password"])
    for role, user in ctx["users"].items():
        click.echo(f"  {role:<13} {user.email}")
