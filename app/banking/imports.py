"""Importing a statement file: parse, refuse whole or store, then reconcile each new line.

A line is known for good by its account and its ``line_key`` (statement year and number
and sequence for CODA, the bank's entry reference for CAMT.053), never by the file it
came in: importing a file, or a line, a second time changes nothing and is counted as a
duplicate. The first statement ever imported for an account also books the balance the
account had before (`bank_opening`), so the ledger's bank account follows the bank's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.banking import accounts
from app.banking.models import BankLine, BankStatement
from app.banking.reconciliation import reconcile_new_line
from app.banking.statements import Statement, StatementError, parse_statements
from app.core import audit, clock, tenancy
from app.core.errors import ValidationFailed
from app.core.sql import insert_once
from app.extensions import db
from app.funds import services as funds
from app.ledger import services as ledger


@dataclass
class ImportResult:
    """What one file did; ``created`` is False when every line was known already."""

    statements: list[BankStatement] = field(default_factory=list)
    format: str = ""
    lines: int = 0
    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0
    created: bool = False


def _statement_row(
    st: Statement, digest: str, actor_id: int | None, fund_id: int
) -> tuple[BankStatement, bool]:
    # INSERT … ON CONFLICT DO NOTHING: two imports of one statement at once store it once
    # (the second waits for the first's commit, then finds it).
    table = BankStatement.__table__
    new_id = insert_once(
        db.session,
        table,
        {
            "account_iban": st.account_iban,
            "format": st.format,
            "statement_number": st.statement_number,
            "statement_date": st.statement_date,
            "opening_balance_cents": st.opening_balance_cents,
            "closing_balance_cents": st.closing_balance_cents,
            "file_sha256": digest,
            "imported_by_id": actor_id,
            "imported_at": clock.now(),
            "fund_id": fund_id,
        },
        ["account_iban", "statement_number", "statement_date"],
        returning=table.c.id,
    )
    row = db.session.scalar(
        select(BankStatement).where(
            BankStatement.account_iban == st.account_iban,
            BankStatement.statement_number == st.statement_number,
            BankStatement.statement_date == st.statement_date,
        )
    )
    return row, new_id is not None


def _book_opening(st: Statement, fund_id: int) -> None:
    # Once per account, whichever statement comes first (the key decides).
    if st.opening_balance_cents:
        ledger.record(
            "bank_opening",
            {
                accounts.bank(st.account_iban): st.opening_balance_cents,
                accounts.opening(st.account_iban): -st.opening_balance_cents,
            },
            idempotency_key=f"bank:{st.account_iban}:opening",
            memo=f"balance before statement {st.statement_number}",
            fund_id=fund_id,
        )


def import_file(data: bytes, actor_id: int | None) -> ImportResult:
    """Store and reconcile the statements in ``data`` (CODA or CAMT.053, by content).

    Refuses with 422 (and stores nothing) a file that is neither, whose balances do not
    add up, or that is not of the fund's account. Lines seen before are counted as
    duplicates and change nothing.
    """
    try:
        statements = parse_statements(data)
    except StatementError as exc:
        raise ValidationFailed(str(exc.message), code=exc.code, details={"file": [str(exc.message)]}) from exc
    fund_ids = set()
    for st in statements:
        fund = funds.fund_for_iban(st.account_iban)
        looking_at = tenancy.current_scope()
        if fund is None or (looking_at is not None and fund.id not in looking_at):
            message = _(
                "Dit uittreksel is niet van de rekening van het fonds (%(iban)s).", iban=st.account_iban
            )
            raise ValidationFailed(message, code="unknown_account", details={"file": [message]})
        fund_ids.add(fund.id)
    fund_id = fund_ids.pop() if len(fund_ids) == 1 else None
    if fund_id is None:
        message = _("Een bestand mag alleen uittreksels van één fonds bevatten.")
        raise ValidationFailed(message, code="unknown_account", details={"file": [message]})
    digest = hashlib.sha256(data).hexdigest()
    with tenancy.scoped({fund_id}):  # a line only ever pays what belongs to this fund
        return _store(statements, digest, actor_id, fund_id)


def _store(statements: list[Statement], digest: str, actor_id: int | None, fund_id: int) -> ImportResult:
    result = ImportResult(format=statements[0].format)
    table = BankLine.__table__
    for st in statements:
        _book_opening(st, fund_id)
        row, new = _statement_row(st, digest, actor_id, fund_id)
        result.statements.append(row)
        result.created |= new
        for line in st.lines:
            result.lines += 1
            line_id = insert_once(
                db.session,
                table,
                {
                    "statement_id": row.id,
                    "account_iban": st.account_iban,
                    "line_key": line.reference[:120],
                    "amount_cents": line.amount_cents,
                    "booking_date": line.booking_date,
                    "value_date": line.value_date,
                    "counterparty_name": line.counterparty_name[:140],
                    "counterparty_account": line.counterparty_account[:40],
                    "structured_reference": (line.structured_reference or "")[:12] or None,
                    "free_text": line.free_text,
                    "end_to_end_id": (line.end_to_end_id or "")[:40] or None,
                    "reversal": line.reversal,
                    "status": "unmatched",
                    "reason": None,
                    "fund_id": fund_id,
                },
                ["account_iban", "line_key"],
                returning=table.c.id,
            )
            if line_id is None:
                result.duplicates += 1
                continue
            result.created = True
            bank_line = db.session.get(BankLine, line_id)
            reconcile_new_line(bank_line)
            if bank_line.status == "matched":
                result.matched += 1
            else:
                result.unmatched += 1
    db.session.flush()
    if result.created:
        audit.record(
            db.session,
            actor_id,
            "bank_statement.imported",
            "bank_statement",
            result.statements[0].id,
            None,
            {
                "format": result.format,
                "lines": result.lines,
                "matched": result.matched,
                "unmatched": result.unmatched,
                "duplicates": result.duplicates,
            },
            None,
        )
    return result
