"""`flask transparency verify|seal|check|report`.

`verify` needs no database: it checks downloaded files only, exactly as documented in
docs/transparency.md, and exits 1 with one line per failure.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.calls.models import Call
from app.extensions import db
from app.transparency import services
from app.transparency.chain import verify_ledger, verify_report

transparency_cli = AppGroup("transparency", help="The public ledger and the transparency reports.")


def verify_files(ledger_path: str, report_path: str | None) -> tuple[list[str], str]:
    """(failures, summary line) for a downloaded export and, optionally, a report."""
    try:
        with open(ledger_path, encoding="utf-8") as fh:
            check = verify_ledger(fh, keep_records=report_path is not None)
    except (OSError, UnicodeDecodeError) as exc:
        return [f"ledger: cannot read {ledger_path}: {exc}"], ""
    failures = list(check.failures)
    summary = f"ledger: {check.count} records, head seq {check.head_seq} hash {check.head_hash}"
    if report_path:
        try:
            with open(report_path, "rb") as fh:
                report = json.loads(fh.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return [*failures, f"report: cannot read {report_path}: {exc}"], summary
        if not isinstance(report, dict):
            return [*failures, "report: not a JSON object"], summary
        failures += verify_report(check, report)
        summary += f"; report: {len(report.get('campaigns') or [])} campaigns checked"
    return failures, summary


@transparency_cli.command("verify")
@click.argument("ledger", type=click.Path(dir_okay=False))
@click.option(
    "--report", "report", type=click.Path(dir_okay=False), default=None, help="A downloaded JSON report."
)
def verify(ledger, report):
    """Check a downloaded ledger export (and a report against it); exit 1 on any failure."""
    failures, summary = verify_files(ledger, report)
    if failures:
        for line in failures:
            click.echo(f"FAIL {line}", err=True)
        sys.exit(1)
    click.echo(f"OK {summary}")


@transparency_cli.command("seal")
def seal():
    """Seal every committed transaction and audit event now (what beat does periodically)."""
    count = services.seal_ledger()
    db.session.commit()
    audit = services.seal_audit_trail()
    db.session.commit()
    head = services.ledger_head()
    click.echo(f"sealed {count} transactions and {audit} audit events; head seq {head['seq']} {head['hash']}")


@transparency_cli.command("check")
def check():
    """Compare the seals with the journal and the audit trail in the database; exit 1 on any
    change made behind the platform's back."""
    failures = services.check_seals() + services.verify_audit_trail()
    for line in failures:
        click.echo(f"FAIL {line}", err=True)
    if failures:
        sys.exit(1)
    click.echo(f"OK ledger head {services.ledger_head()['seq']}, {services.unsealed_count()} not sealed yet")


@transparency_cli.command("report")
@click.option("--call", "call_id", type=int, default=None)
@click.option("--year", type=int, default=None)
def report(call_id, year):
    """Generate a report now (call or fund year) and print its id, version and digest."""
    if (call_id is None) == (year is None):
        raise click.UsageError("give --call ID or --year YEAR")
    if call_id is not None:
        call = db.session.get(Call, call_id)
        if call is None:
            raise click.ClickException(f"no call {call_id}")
        job = services.request_call_report(call, None)
    else:
        job = services.request_fund_report(year, None)
    db.session.commit()  # runs the task (eagerly without a broker)
    job = services.get_job(job.id)
    click.echo(f"job {job.id}: {job.status}" + (f", report {job.report_id}" if job.report_id else ""))
