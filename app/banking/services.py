"""Bank transfers: the module other domains and the views import.

- ``import_file``: a CODA or CAMT.053 file in, its lines reconciled (``imports``).
- ``assign`` / ``undo`` / ``get_line``: the fund manager's reconciliation queue
  (``reconciliation``).
"""

from __future__ import annotations

from sqlalchemy import select

from app.banking.imports import ImportResult, import_file
from app.banking.models import BankLine
from app.banking.reconciliation import assign, get_line, undo
from app.extensions import db

__all__ = [
    "ImportResult",
    "assign",
    "get_line",
    "import_file",
    "lines",
    "undo",
]


def lines(status: str | None = None, after_id: int | None = None, limit: int = 50) -> list[BankLine]:
    """Statement lines, newest first, optionally by status (keyset paging on the id)."""
    query = select(BankLine).order_by(BankLine.id.desc()).limit(limit)
    if status:
        query = query.where(BankLine.status == status)
    if after_id:
        query = query.where(BankLine.id < after_id)
    return list(db.session.scalars(query))
