"""What a bank statement says, in our own types (integer cents, dates, plain strings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l


class StatementError(ValueError):
    """A file we refuse whole; ``code`` is stable, ``message`` is for people (Dutch source)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def to_cents(amount: Decimal | str) -> int:
    """Exact euros to integer cents; refuses fractions of a cent."""
    try:
        value = Decimal(amount) * 100
    except (InvalidOperation, TypeError) as exc:
        raise StatementError("bad_amount", _l("Onleesbaar bedrag: %(amount)s.", amount=str(amount))) from exc
    if value != value.to_integral_value():
        raise StatementError(
            "bad_amount", _l("Bedrag met een fractie van een cent: %(amount)s.", amount=str(amount))
        )
    return int(value)


def line_key(year: int, statement_number: str, sequence: int) -> str:
    """The identity of a movement on its account: statement year, number and sequence.

    The same in CODA and CAMT.053, so a statement imported in one format and then in the
    other is recognised line by line.
    """
    return f"{year}/{statement_number_of(statement_number)}/{sequence}"


def statement_number_of(raw: str) -> str:
    """A statement number as both formats agree on it: ``"007"`` and ``"7"`` are one."""
    raw = raw.strip()
    return str(int(raw)) if raw.isdigit() else raw


@dataclass(frozen=True)
class StatementLine:
    """One booked movement. ``amount_cents`` is positive for money in, negative for out.

    ``reference`` identifies the line for good within its account, whatever file it
    came in: the statement's year and number and the line's sequence (``line_key``); a
    CAMT.053 statement without a numeric number falls back on the bank's entry reference.
    """

    reference: str
    amount_cents: int
    booking_date: date
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_account: str = ""
    structured_reference: str | None = None  # twelve digits as the bank passed them
    free_text: str = ""
    end_to_end_id: str | None = None
    reversal: bool = False


@dataclass(frozen=True)
class Statement:
    format: str  # "coda" | "camt.053"
    account_iban: str
    statement_number: str
    statement_date: date
    opening_balance_cents: int
    closing_balance_cents: int
    lines: tuple[StatementLine, ...]

    def check_balances(self) -> None:
        """Refuses a statement whose lines do not lead from opening to closing balance."""
        total = sum(line.amount_cents for line in self.lines)
        if self.opening_balance_cents + total != self.closing_balance_cents:
            raise StatementError(
                "balances_do_not_add_up",
                _l(
                    "Uittreksel %(number)s: beginsaldo plus bewegingen is niet het eindsaldo.",
                    number=self.statement_number,
                ),
            )
        references = [line.reference for line in self.lines]
        if len(set(references)) != len(references):
            raise StatementError(
                "duplicate_line",
                _l("Uittreksel %(number)s bevat een beweging twee keer.", number=self.statement_number),
            )
