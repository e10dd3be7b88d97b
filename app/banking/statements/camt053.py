"""ISO 20022 CAMT.053 (bank-to-customer statement) into our types.

A small, strict reader of the published message layout, any ``camt.053.001.*``
version (Belgian banks send .02 and .08). XML is read through defusedxml, so a file
with entities or external references is refused, not expanded. The maintained
Python libraries for CAMT were young (0.0.x) when we chose; the part we need is a
few dozen paths, written out here where a reader can check them.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.etree.ElementTree import Element  # noqa: S405 - types only; parsing goes through defusedxml

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import lazy_gettext as _l

from .types import Statement, StatementError, StatementLine, line_key, statement_number_of, to_cents

_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."


def _ns(root: Element) -> str:
    tag = root.tag
    if not tag.startswith("{" + _PREFIX):
        raise StatementError("not_a_statement", _l("Dit XML-bestand is geen CAMT.053-uittreksel."))
    return tag[1 : tag.index("}")]


class _Reader:
    def __init__(self, ns: str) -> None:
        self.ns = ns

    def path(self, element: Element | None, path: str) -> Element | None:
        if element is None:
            return None
        return element.find("/".join(f"{{{self.ns}}}{p}" for p in path.split("/")))

    def all(self, element: Element, path: str) -> list[Element]:
        return element.findall("/".join(f"{{{self.ns}}}{p}" for p in path.split("/")))

    def text(self, element: Element | None, path: str, default: str = "") -> str:
        found = self.path(element, path)
        return (found.text or "").strip() if found is not None and found.text else default

    def date(self, element: Element | None, path: str) -> date | None:
        node = self.path(element, path)
        if node is None:
            return None
        value = self.text(node, "Dt") or self.text(node, "DtTm")[:10]
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise StatementError(
                "bad_camt", _l("Onleesbare datum in CAMT.053: %(value)s.", value=value)
            ) from exc

    def signed_cents(self, element: Element) -> int:
        amount = self.path(element, "Amt")
        if amount is None or (amount.get("Ccy") or "EUR") != "EUR":
            raise StatementError("bad_camt", _l("Een CAMT.053-bedrag ontbreekt of is niet in euro."))
        cents = to_cents((amount.text or "").strip())
        indicator = self.text(element, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise StatementError("bad_camt", _l("Een CAMT.053-bedrag zonder CRDT of DBIT."))
        return cents if indicator == "CRDT" else -cents


def _balance(r: _Reader, stmt: Element, codes: tuple[str, ...]) -> tuple[int, date | None] | None:
    for bal in r.all(stmt, "Bal"):
        if r.text(bal, "Tp/CdOrPrtry/Cd") in codes:
            return r.signed_cents(bal), r.date(bal, "Dt")
    return None


def _line(r: _Reader, entry: Element, number: str, day: date, index: int) -> StatementLine:
    if number.isdigit():
        reference = line_key(day.year, number, index)
    else:
        reference = r.text(entry, "AcctSvcrRef") or r.text(entry, "NtryRef") or f"{number}/{index}"
    amount = r.signed_cents(entry)
    tx = r.path(entry, "NtryDtls/TxDtls")
    party = "Dbtr" if amount > 0 else "Cdtr"
    name = r.text(tx, f"RltdPties/{party}/Nm") or r.text(tx, f"RltdPties/{party}/Pty/Nm")
    account = r.text(tx, f"RltdPties/{party}Acct/Id/IBAN")
    structured = None
    for cri in r.all(tx, "RmtInf/Strd/CdtrRefInf") if tx is not None else []:
        if r.text(cri, "Tp/Issr") == "BBA" or r.text(cri, "Tp/CdOrPrtry/Cd") == "SCOR":
            structured = r.text(cri, "Ref").replace("+", "").replace("/", "").replace(" ", "") or None
            break
    free_text = " ".join(
        (u.text or "").strip() for u in (r.all(tx, "RmtInf/Ustrd") if tx is not None else [])
    ).strip()
    return StatementLine(
        reference=reference,
        amount_cents=amount,
        booking_date=r.date(entry, "BookgDt") or r.date(entry, "ValDt") or date.min,
        value_date=r.date(entry, "ValDt"),
        counterparty_name=name,
        counterparty_account=account.replace(" ", "").upper(),
        structured_reference=structured,
        free_text=free_text,
        end_to_end_id=(r.text(tx, "Refs/EndToEndId") or None) if tx is not None else None,
        reversal=r.text(entry, "RvslInd").lower() == "true",
    )


def parse_camt053(data: bytes) -> list[Statement]:
    """Every ``Stmt`` of a CAMT.053 document; StatementError for anything malformed."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise StatementError("not_a_statement", _l("Het XML-bestand is niet leesbaar.")) from exc
    r = _Reader(_ns(root))
    statements = []
    for stmt in r.all(root, "BkToCstmrStmt/Stmt"):
        number = r.text(stmt, "ElctrncSeqNb") or r.text(stmt, "LglSeqNb") or r.text(stmt, "Id")
        iban = r.text(stmt, "Acct/Id/IBAN").replace(" ", "").upper()
        opening = _balance(r, stmt, ("OPBD", "PRCD"))
        closing = _balance(r, stmt, ("CLBD",))
        if not iban or opening is None or closing is None:
            raise StatementError(
                "bad_camt",
                _l("Uittreksel %(number)s mist de rekening, het begin- of het eindsaldo.", number=number),
            )
        created = r.text(stmt, "CreDtTm")
        statement_date = closing[1] or (datetime.fromisoformat(created[:19]).date() if created else None)
        if statement_date is None:
            raise StatementError("bad_camt", _l("Uittreksel %(number)s heeft geen datum.", number=number))
        entries = r.all(stmt, "Ntry")
        statements.append(
            Statement(
                format="camt.053",
                account_iban=iban,
                statement_number=statement_number_of(number),
                statement_date=statement_date,
                opening_balance_cents=opening[0],
                closing_balance_cents=closing[0],
                lines=tuple(_line(r, e, number, statement_date, i) for i, e in enumerate(entries, start=1)),
            )
        )
    return statements
