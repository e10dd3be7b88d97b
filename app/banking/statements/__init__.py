"""Bank statements in, as our own types: CODA (Febelfin 2.x) and ISO 20022 CAMT.053.

``parse_statements(data)`` detects the format by content, never by file name, and
answers a list of :class:`Statement` or raises :class:`StatementError` with one
sentence a fund manager can act on. Every statement's balances must add up
(opening + lines = closing), or the whole file is refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .camt053 import parse_camt053
from .coda import parse_coda
from .types import Statement, StatementError, StatementLine

__all__ = ["Statement", "StatementError", "StatementLine", "detect_format", "parse_statements"]


def detect_format(data: bytes) -> str | None:
    """``"camt.053"``, ``"coda"`` or None, from the bytes alone."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if head.startswith(b"<") and b"camt.053" in head:
        return "camt.053"
    if head[:1] == b"0" and head[1:5] == b"0000":
        return "coda"
    return None


def parse_statements(data: bytes) -> list[Statement]:
    """Every statement in the file ``data``, its balances checked."""
    fmt = detect_format(data)
    if fmt == "camt.053":
        statements = parse_camt053(data)
    elif fmt == "coda":
        statements = parse_coda(data)
    else:
        raise StatementError("not_a_statement", _l("Dit is geen CODA- of CAMT.053-rekeninguittreksel."))
    if not statements:
        raise StatementError("not_a_statement", _l("Het bestand bevat geen rekeninguittreksel."))
    for statement in statements:
        statement.check_balances()
    return statements
