"""`flask users create EMAIL --role R [--role R2] [--password P]` and `flask users token EMAIL`."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import ROLES
from app.core.errors import DomainError
from app.extensions import db
from app.funds import services as fund_services

users_cli = AppGroup("users", help="Manage users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True)
@click.option("--password", default=None, help="Generated and printed when left out.")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--fund",
    "funds",
    multiple=True,
    help="The fund (slug) a fund role is held in; repeatable; '*' for every fund. "
    "Without it: the only fund (required where there are several).",
)
def create_user(email, roles, password, name, funds):
    """Create a confirmed user with these roles."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(
            email, password, list(roles), name, confirmed=True, funds=list(funds) or None
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created user {user.id} {user.email} roles={_grants(user)}")
    if generated:
        click.echo(f"password: {password}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
def create_token(email, name):
    """Create an API token for EMAIL and print it (shown only once)."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    _token, clear = services.create_api_token(user, name)
    db.session.commit()
    click.echo(clear)


@users_cli.command("roles")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True)
@click.option("--fund", "funds", multiple=True, help="As for `users create`.")
def set_roles(email, roles, funds):
    """Give EMAIL exactly these roles (the fund roles in --fund)."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        services.set_roles(user, list(roles), list(funds) or None)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"{user.email} roles={_grants(user)}")


def _grants(user) -> str:
    """`fund_manager@oost,applicant`: each role, with the fund it is held in."""
    parts = []
    for row in user.role_rows:
        where = "" if row.fund_id is None else f"@{fund_services.slug_of(row.fund_id)}"
        parts.append(f"{row.role}{where}")
    return ",".join(sorted(parts))
