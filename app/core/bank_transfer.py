"""Paying the fund by bank transfer: its account, and what a payer needs to pay it.

The account is the fund's (``app.funds.services.account``; the default fund may still take
it from ``BANK_IBAN``, ``BANK_BIC``, ``BANK_BENEFICIARY``); without one nobody is offered a
transfer. A payment names what it pays by a
Belgian structured communication derived from the pledge's or commitment's id
(:mod:`app.core.structured_reference`), which the bank statement brings back.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import epc_qr
from app.core import structured_reference as ogm


@dataclass(frozen=True)
class FundAccount:
    iban: str
    bic: str
    beneficiary: str


@dataclass(frozen=True)
class TransferInstructions:
    iban: str
    bic: str
    beneficiary: str
    amount_cents: int
    structured_reference: str  # +++123/4567/89012+++

    @property
    def iban_grouped(self) -> str:
        """``BE68 5390 0754 7034``: how people read and type it."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    @property
    def qr_payload(self) -> str:
        return epc_qr.payload(
            name=self.beneficiary or "streekfonds",
            iban=self.iban,
            bic=self.bic,
            amount_cents=self.amount_cents,
            remittance=self.structured_reference,
        )


def instructions(
    kind: str, object_id: int, amount_cents: int, account: FundAccount | None
) -> TransferInstructions | None:
    """How to pay ``kind`` (``ogm.PLEDGE`` or ``ogm.COMMITMENT``) ``object_id`` into the
    fund's ``account`` by transfer; None without an account."""
    if account is None:
        return None
    digits = ogm.for_object(kind, object_id)
    return TransferInstructions(
        account.iban, account.bic, account.beneficiary, amount_cents, ogm.formatted(digits)
    )
