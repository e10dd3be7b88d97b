"""The fund's bank account and the ledger accounts that mirror it.

`bank:<iban>` (debit) holds what the statements show on the account as the platform
books it; `bank:<iban>:suspense` (credit) holds lines waiting in the reconciliation
queue; `bank:<iban>:opening` (credit) the balance the account had before its first
imported statement. docs/ledger.md says what `flask ledger verify` compares.
"""

from __future__ import annotations


def bank(iban: str) -> str:
    return f"bank:{iban}"


def suspense(iban: str) -> str:
    return f"bank:{iban}:suspense"


def opening(iban: str) -> str:
    return f"bank:{iban}:opening"
