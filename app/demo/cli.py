"""`flask demo load`: the demo funds, step by step, one commit per step."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core import tenancy
from app.demo import banking, campaigns, foundation, funds, jury, matching, payouts, transparency
from app.extensions import db
from app.funds import services as fund_services

# The steps of `flask demo load`, in order (each module's `load(ctx)`).
LOADERS = (foundation, jury, campaigns, matching, payouts, banking, funds, transparency)
STEPS = tuple(step.__name__.rsplit(".", 1)[1] for step in LOADERS)

demo_cli = AppGroup("demo", help="Demo data for trying the platform.")


def load_all() -> dict:
    """Every step, one commit each; returns what the steps made (users, calls, ...)."""
    ctx: dict = {}
    home = fund_services.ensure_default_fund()
    db.session.commit()
    for step in LOADERS:
        # The steps act as the people of the default fund (its site); the funds step makes
        # the second fund and works in it, the transparency step looks at every fund.
        with tenancy.scoped({home}):
            step.load(ctx)
        db.session.commit()
    return ctx


@demo_cli.command("load")
def load():
    """Load the demo data (idempotent) and print the demo log-ins."""
    ctx = load_all()
    click.echo("Demo accounts (password for all: %s):" % ctx["password"])
    for role, user in ctx["users"].items():
        click.echo(f"  {role:<17} {user.email}")
    click.echo("Sites: / lists the funds; /f/<slug>/ is each fund's site (`flask funds list`).")
