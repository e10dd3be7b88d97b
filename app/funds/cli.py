"""`flask funds create SLUG --name NAME [...]` and `flask funds list`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.extensions import db
from app.funds import services

funds_cli = AppGroup("funds", help="Create and list the funds this installation hosts.")


@funds_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The fund's name, e.g. 'Streekfonds West-Vlaanderen'.")
@click.option("--region", default="", help="The region it serves.")
@click.option("--contact-email", default=None)
@click.option("--iban", default=None, help="The account backers transfer to.")
@click.option("--bic", default=None)
@click.option("--beneficiary", default=None)
@click.option("--mail-from", default=None, help="The address its mail goes out under.")
@click.option("--mail-from-name", default=None)
@click.option("--colour", "primary_colour", default=None, help="#rrggbb, readable under white text.")
@click.option("--host", "hosts", multiple=True, help="A host name that shows this fund's site (repeatable).")
@click.option("--footer", default=None)
def create(slug, **options):
    """Create a fund (its site: /f/SLUG/)."""
    values = {k: v for k, v in options.items() if v not in (None, ())}
    if "hosts" in values:
        values["hosts"] = list(values["hosts"])
    try:
        services.ensure_default_fund()
        fund = services.create(slug, values)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created fund {fund.id} {fund.slug} ({fund.name})")


@funds_cli.command("list")
def list_funds():
    """Every fund: id, slug, name, hosts."""
    services.ensure_default_fund()
    db.session.commit()
    services.forget()
    for fund in services.all_funds():
        hosts = ",".join(fund.hosts)
        click.echo(f"{fund.id}\t{fund.slug}\t{fund.name}\t{hosts}")
