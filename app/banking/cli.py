"""`flask bank import FILE`: the statement import of the bank page, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.banking import services
from app.core.errors import DomainError
from app.extensions import db

bank_cli = AppGroup("bank", help="Bank statements (CODA, CAMT.053).")


@bank_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_statement(path: str) -> None:
    """Import a statement file; exits 1 with one line when the file is refused."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        click.echo(f"error: {exc.strerror}: {path}", err=True)
        sys.exit(1)
    try:
        result = services.import_file(data, None)
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"{result.format}: {result.lines} lines, {result.matched} matched, "
        f"{result.unmatched} unmatched, {result.duplicates} duplicates"
    )
