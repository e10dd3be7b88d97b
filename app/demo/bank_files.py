"""Statement files built from the published layouts (Febelfin CODA 2.x, ISO 20022
camt.053.001.08): the demo writes one to import, and each test states exactly what its bank sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape


@dataclass
class Move:
    amount_cents: int  # positive: money in
    structured: str | None = None  # twelve digits
    free_text: str = ""
    name: str = ""
    account: str = ""
    booked: date = date(2026, 11, 20)
    end_to_end_id: str | None = None
    reversal: bool = False


@dataclass
class Stmt:
    iban: str
    number: int
    opening_cents: int
    moves: list[Move] = field(default_factory=list)
    day: date = date(2026, 11, 20)

    @property
    def closing_cents(self) -> int:
        return self.opening_cents + sum(m.amount_cents for m in self.moves)


# -- CODA -------------------------------------------------------------------------------


def _ddmmyy(d: date) -> str:
    return d.strftime("%d%m%y")


def _signed(cents: int) -> str:
    # A sign digit (0 credit, 1 debit) and 15 digits with three decimals.
    return ("1" if cents < 0 else "0") + f"{abs(cents) * 10:015d}"


def _record(*parts: str) -> str:
    record = "".join(parts)
    if len(record) != 128:
        raise ValueError(f"a CODA record has 128 characters, not {len(record)}: {record!r}")
    return record


def coda(*statements: Stmt, created: date = date(2026, 11, 21)) -> bytes:
    """A CODA file holding ``statements`` (each a 0…9 block), Windows-1252 encoded."""
    out: list[str] = []
    for st in statements:
        account = st.iban.ljust(31) + "   EUR"
        out.append(
            _record(
                "00000",
                _ddmmyy(created),
                "300",
                "05",
                " ",
                " " * 7,
                "0000000000",
                "STREEKFONDS VZW".ljust(26),
                "GKCCBEBB".ljust(11),
                "00412345678",
                " ",
                "00000",
                " " * 16,
                " " * 16,
                " " * 7,
                "2",
            )
        )
        records = 0
        out.append(
            _record(
                "12",
                f"{st.number:03d}",
                account,
                _signed(st.opening_cents),
                _ddmmyy(st.day),
                "STREEKFONDS VZW".ljust(26),
                "Zichtrekening".ljust(35),
                f"{st.number:03d}",
            )
        )
        records += 1
        debit = credit = 0
        for seq, mv in enumerate(st.moves, start=1):
            if mv.structured:
                communication = "1" + ("101" + mv.structured).ljust(53)
            else:
                communication = "0" + mv.free_text[:53].ljust(53)
            code = "00107050" if mv.reversal else "00150000"
            out.append(
                _record(
                    "21",
                    f"{seq:04d}",
                    "0000",
                    f"REF{st.number:03d}{seq:04d}".ljust(21),
                    _signed(mv.amount_cents),
                    _ddmmyy(mv.booked),
                    code,
                    communication,
                    _ddmmyy(mv.booked),
                    f"{st.number:03d}",
                    "0",
                    "1",
                    " ",
                    "0",
                )
            )
            out.append(
                _record(
                    "22",
                    f"{seq:04d}",
                    "0000",
                    " " * 53,
                    " " * 35,
                    "GEBABEBB".ljust(11),
                    " " * 3,
                    " ",
                    " " * 4,
                    " " * 4,
                    " " * 4,
                    "1",
                    " ",
                    "0",
                )
            )
            out.append(
                _record(
                    "23",
                    f"{seq:04d}",
                    "0000",
                    mv.account.ljust(37),
                    mv.name[:35].ljust(35),
                    " " * 43,
                    "0",
                    " ",
                    "0",
                )
            )
            records += 3
            if mv.amount_cents < 0:
                debit += -mv.amount_cents
            else:
                credit += mv.amount_cents
        out.append(
            _record(
                "8", f"{st.number:03d}", account, _signed(st.closing_cents), _ddmmyy(st.day), " " * 64, "0"
            )
        )
        records += 1
        out.append(
            _record(
                "9", " " * 15, f"{records:06d}", f"{debit * 10:015d}", f"{credit * 10:015d}", " " * 75, "2"
            )
        )
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


# -- CAMT.053 ---------------------------------------------------------------------------

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _amt(cents: int) -> str:
    return f'<Amt Ccy="EUR">{abs(cents) // 100}.{abs(cents) % 100:02d}</Amt>' + (
        "<CdtDbtInd>DBIT</CdtDbtInd>" if cents < 0 else "<CdtDbtInd>CRDT</CdtDbtInd>"
    )


def _balance(code: str, cents: int, day: date) -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>{_amt(cents)}"
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )


def _entry(st: Stmt, i: int, mv: Move) -> str:
    party = "Dbtr" if mv.amount_cents > 0 else "Cdtr"
    remittance = ""
    if mv.structured:
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
            f"<Ref>{mv.structured}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif mv.free_text:
        remittance = f"<RmtInf><Ustrd>{escape(mv.free_text)}</Ustrd></RmtInf>"
    e2e = f"<Refs><EndToEndId>{escape(mv.end_to_end_id)}</EndToEndId></Refs>" if mv.end_to_end_id else ""
    return (
        f"<Ntry><NtryRef>{st.number}-{i}</NtryRef>{_amt(mv.amount_cents)}"
        f"<RvslInd>{'true' if mv.reversal else 'false'}</RvslInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{mv.booked.isoformat()}</Dt></BookgDt><ValDt><Dt>{mv.booked.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{st.iban}-{st.number}-{i}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls>{e2e}<RltdPties><{party}><Pty><Nm>{escape(mv.name)}</Nm></Pty></{party}>"
        f"<{party}Acct><Id><IBAN>{mv.account}</IBAN></Id></{party}Acct></RltdPties>{remittance}"
        "</TxDtls></NtryDtls></Ntry>"
    )


def camt053(*statements: Stmt) -> bytes:
    """A camt.053.001.08 document holding ``statements``, UTF-8."""
    body = []
    for st in statements:
        entries = "".join(_entry(st, i, mv) for i, mv in enumerate(st.moves, start=1))
        body.append(
            f"<Stmt><Id>STMT-{st.number}</Id><ElctrncSeqNb>{st.number}</ElctrncSeqNb>"
            f"<CreDtTm>{st.day.isoformat()}T18:00:00</CreDtTm>"
            f"<Acct><Id><IBAN>{st.iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            f"{_balance('OPBD', st.opening_cents, st.day)}{_balance('CLBD', st.closing_cents, st.day)}"
            f"{entries}</Stmt>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NS}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-21T06:00:00</CreDtTm></GrpHdr>"
        f"{''.join(body)}</BkToCstmrStmt></Document>"
    ).encode()
