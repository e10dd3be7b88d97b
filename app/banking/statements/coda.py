"""CODA (Febelfin "Coded statement of account", version 2.x) into our types.

The record layout is read by ``febelfin-coda``, the parser the Tryton foundation
maintains for its own Belgian accounting (stable, BSD-licensed, no dependencies).
That library states its checks as ``assert`` and walks records without checking
their length, so this module adds what a strict import needs: every record 128
characters, the file's encoding decided once, its assertions turned into our
StatementError, and the amounts turned into exact cents.
"""

from __future__ import annotations

import io

from coda import CODA
from flask_babel import lazy_gettext as _l

from .types import Statement, StatementError, StatementLine, line_key, statement_number_of, to_cents

RECORD_LENGTH = 128
# Movement types 0-3 stand on the statement; 5-9 detail a globalised movement.
_TOP_LEVEL = {"0", "1", "2", "3"}


def _text(data: bytes) -> str:
    # Belgian banks write CODA in Windows-1252; some export UTF-8. A record is 128
    # characters either way, so decode first and count characters afterwards.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _records(data: bytes) -> list[str]:
    try:
        text = _text(data)
    except UnicodeDecodeError as exc:
        raise StatementError("not_a_statement", _l("Het CODA-bestand is geen leesbare tekst.")) from exc
    records = [r for r in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if r.strip()]
    for number, record in enumerate(records, start=1):
        if len(record) != RECORD_LENGTH:
            raise StatementError(
                "bad_record",
                _l(
                    "CODA-record %(number)s heeft %(length)s tekens in plaats van 128.",
                    number=number,
                    length=len(record),
                ),
            )
    return records


def _iban(account: str) -> str:
    return account.replace(" ", "").upper()


def _line(statement, move) -> StatementLine:
    structured = None
    free_text = ""
    if move.communication_type in {"101", "102"}:
        structured = move.communication
    else:
        free_text = (move.communication or "").strip()
    year = statement.new_balance_date.year
    return StatementLine(
        reference=line_key(year, statement.new_sequence, int(move.sequence)),
        amount_cents=to_cents(move.amount),
        booking_date=move.entry_date,
        value_date=move.value_date,
        counterparty_name=(move.counterparty_name or "").strip(),
        counterparty_account=_iban((move.counterparty_account or "")[:34]),
        structured_reference=structured,
        free_text=free_text,
        end_to_end_id=None,
        reversal=move.amount < 0 and move.transaction_family == "01" and move.transaction_transaction == "07",
    )


def parse_coda(data: bytes) -> list[Statement]:
    """Every statement in a CODA file; StatementError for anything malformed."""
    records = _records(data)
    try:
        parsed = CODA(io.StringIO("\n".join(records) + "\n"))
    except (AssertionError, ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        raise StatementError(
            "bad_coda",
            _l("Het CODA-bestand klopt niet met de Febelfin-opmaak (%(detail)s).", detail=type(exc).__name__),
        ) from exc
    statements = []
    for st in parsed.statements:
        if st.new_balance is None or st.account_currency != "EUR":
            raise StatementError("bad_coda", _l("Een CODA-uittreksel zonder eindsaldo of niet in euro."))
        moves = [m for m in st.moves if m.transaction_type in _TOP_LEVEL]
        statements.append(
            Statement(
                format="coda",
                account_iban=_iban(st.account),
                statement_number=statement_number_of(st.new_sequence),
                statement_date=st.new_balance_date,
                opening_balance_cents=to_cents(st.old_balance),
                closing_balance_cents=to_cents(st.new_balance),
                lines=tuple(_line(st, m) for m in moves),
            )
        )
    return statements
