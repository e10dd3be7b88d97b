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


@dataclass(frozen=True)
class StatementLine:
    """One booked movement. ``amount_cents`` is positive for money in, negative for out.

    ``reference`` identifies the line for good within its account, whatever file it
    came in: for CODA the statement year and number, the sequence and detail numbers;
    for CAMT.053 the bank's entry reference.
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
