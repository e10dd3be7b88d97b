"""`flask ledger verify` (exit 1 on any violation) and `flask matching settle-due`."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.matching import tasks
from app.matching.verify import verify_ledger

ledger_cli = AppGroup("ledger", help="The double-entry journal.")
matching_cli = AppGroup("matching", help="Sponsor matching.")


@ledger_cli.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def verify(as_json: bool) -> None:
    """Check every ledger invariant; exits 1 when one is violated."""
    result = verify_ledger()
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        for check in result["checks"]:
            click.echo(f"{'ok  ' if check['ok'] else 'FAIL'} {check['name']} ({check['violations']})")
        for v in result["violations"]:
            click.echo(f"  - {v['check']}: {v['message']}")
        click.echo("ledger ok" if result["ok"] else f"{len(result['violations'])} violation(s)")
    if not result["ok"]:
        sys.exit(1)


@matching_cli.command("settle-due")
def settle_due() -> None:
    """Settle every closed campaign that has no pending pledge."""
    click.echo(f"settled: {tasks.settle_due.run()}")
