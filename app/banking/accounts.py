"""The fund's bank account and the ledger accounts that mirror it.

`bank:<iban>` (debit) holds what the statements show on the account as the platform
books it; `bank:<iban>:suspense` (credit) holds lines waiting in the reconciliation
queue; `bank:<iban>:opening` (credit) the balance the account had before its first
imported statement. docs/ledger.md says what `flask ledger verify` compares.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class FundAccount:
    iban: str
    bic: str
    beneficiary: str


def fund_account() -> FundAccount | None:
    """The account backers and sponsors pay into, or None when none is configured."""
    cfg = current_app.config
    if not cfg.get("BANK_IBAN"):
        return None
    return FundAccount(cfg["BANK_IBAN"], cfg.get("BANK_BIC", ""), cfg.get("BANK_BENEFICIARY", ""))


def bank(iban: str) -> str:
    return f"bank:{iban}"


def suspense(iban: str) -> str:
    return f"bank:{iban}:suspense"


def opening(iban: str) -> str:
    return f"bank:{iban}:opening"
