"""Bank transfers: the module other domains and the views import.

- ``import_file``: a CODA or CAMT.053 file in, its lines reconciled (``imports``).
- ``assign`` / ``undo`` / ``get_line``: the fund manager's reconciliation queue
  (``reconciliation``).
- ``transfer_instructions``: what a backer or sponsor needs to pay by transfer: the
  fund's account, the structured communication and the EPC QR payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.banking import accounts, epc_qr
from app.banking import structured_reference as ogm
from app.banking.imports import ImportResult, import_file
from app.banking.models import BankLine
from app.banking.reconciliation import assign, get_line, undo
from app.extensions import db

__all__ = [
    "ImportResult",
    "TransferInstructions",
    "assign",
    "get_line",
    "import_file",
    "lines",
    "transfer_instructions",
    "undo",
]


@dataclass(frozen=True)
class TransferInstructions:
    iban: str
    bic: str
    beneficiary: str
    amount_cents: int
    structured_reference: str  # +++123/4567/89012+++

    @property
    def qr_payload(self) -> str:
        return epc_qr.payload(
            name=self.beneficiary or "streekfonds",
            iban=self.iban,
            bic=self.bic,
            amount_cents=self.amount_cents,
            remittance=self.structured_reference,
        )


def transfer_instructions(kind: str, object_id: int, amount_cents: int) -> TransferInstructions | None:
    """How to pay pledge or commitment ``object_id`` by transfer; None without a fund account."""
    account = accounts.fund_account()
    if account is None:
        return None
    digits = ogm.for_object(ogm.PLEDGE if kind == "pledge" else ogm.COMMITMENT, object_id)
    return TransferInstructions(
        account.iban, account.bic, account.beneficiary, amount_cents, ogm.formatted(digits)
    )


def lines(status: str | None = None, after_id: int | None = None, limit: int = 50) -> list[BankLine]:
    """Statement lines, newest first, optionally by status (keyset paging on the id)."""
    query = select(BankLine).order_by(BankLine.id.desc()).limit(limit)
    if status:
        query = query.where(BankLine.status == status)
    if after_id:
        query = query.where(BankLine.id < after_id)
    return list(db.session.scalars(query))
