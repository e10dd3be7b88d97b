"""Parsing CODA and CAMT.053 statement files into our types (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from app.banking.statements import StatementError, detect_format, parse_statements
from app.core import structured_reference as ogm
from app.demo.bank_files import Move, Stmt, camt053, coda

IBAN = "BE68539007547034"
PLEDGE_REF = ogm.for_object(ogm.PLEDGE, 42)


def real_world_statements() -> tuple[Stmt, Stmt]:
    """Two statements of one account in one file, as banks export a week at once."""
    first = Stmt(
        IBAN,
        101,
        opening_cents=150_000,
        moves=[
            Move(2500, structured=PLEDGE_REF, name="Ann Peeters", account="BE71096123456769"),
            Move(
                1000,
                free_text="steun voor de moestuin",
                name="Jörg Müller-Çelik",
                account="DE89370400440532013000",
            ),
            Move(1500, structured=PLEDGE_REF[:10] + "00", name="Wrong Check"),
        ],
    )
    second = Stmt(
        IBAN,
        102,
        opening_cents=first.closing_cents,
        moves=[Move(-1000, free_text="terugboeking", name="Jörg Müller-Çelik", reversal=True)],
        day=date(2026, 11, 21),
    )
    return first, second


@pytest.mark.parametrize("build", [coda, camt053], ids=["coda", "camt053"])
def test_a_real_world_file_reads_the_same_in_both_formats(app, build):
    first, second = real_world_statements()
    with app.test_request_context():
        statements = parse_statements(build(first, second))
    assert [s.statement_number for s in statements] == ["101", "102"]
    one, two = statements
    assert one.account_iban == IBAN and one.format in {"coda", "camt.053"}
    assert (one.opening_balance_cents, one.closing_balance_cents) == (150_000, 155_000)
    assert (two.opening_balance_cents, two.closing_balance_cents) == (155_000, 154_000)
    pledge, free, wrong = one.lines
    assert pledge.amount_cents == 2500 and pledge.structured_reference == PLEDGE_REF
    assert pledge.counterparty_name == "Ann Peeters" and pledge.counterparty_account == "BE71096123456769"
    assert free.structured_reference is None and free.free_text == "steun voor de moestuin"
    assert free.counterparty_name == "Jörg Müller-Çelik"
    assert wrong.structured_reference == PLEDGE_REF[:10] + "00" and not ogm.is_valid(
        wrong.structured_reference
    )
    (reversal,) = two.lines
    assert reversal.amount_cents == -1000 and reversal.reversal
    # Every line has a reference of its own, the same however often the file is read.
    refs = [line.reference for s in statements for line in s.lines]
    assert len(set(refs)) == 4
    with app.test_request_context():
        again = parse_statements(build(first, second))
    assert [line.reference for s in again for line in s.lines] == refs


@pytest.mark.parametrize("build", [coda, camt053], ids=["coda", "camt053"])
def test_balances_that_do_not_add_up_refuse_the_whole_file(app, build, monkeypatch):
    first, _ = real_world_statements()
    data = build(first)
    if build is coda:
        # The closing balance record (8) says one euro more than the movements give.
        lines = data.decode("cp1252").split("\r\n")
        closing = next(i for i, r in enumerate(lines) if r.startswith("8"))
        amount = int(lines[closing][42:57]) + 1000
        lines[closing] = lines[closing][:42] + f"{amount:015d}" + lines[closing][57:]
        data = "\r\n".join(lines).encode("cp1252")
    else:
        data = data.replace(
            b'<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1550.00',
            b'<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1551.00',
        )
    with app.test_request_context(), pytest.raises(StatementError) as error:
        parse_statements(data)
    assert error.value.code in {"balances_do_not_add_up", "bad_coda"}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"<html></html>",
        b"0" * 50,
        b"%PDF-1.4 ...",
        b"<?xml version='1.0'?><Document xmlns='urn:x'/>",
    ],
)
def test_anything_else_is_not_a_statement(app, data):
    with app.test_request_context(), pytest.raises(StatementError) as error:
        parse_statements(data)
    assert error.value.code in {"not_a_statement", "bad_record"}
    assert str(error.value.message)


def test_a_coda_record_of_the_wrong_length_is_refused(app):
    first, _ = real_world_statements()
    data = coda(first).replace(b"STREEKFONDS VZW  ", b"STREEKFONDS VZW", 1)
    with app.test_request_context(), pytest.raises(StatementError) as error:
        parse_statements(data)
    assert error.value.code == "bad_record"


def test_xml_with_entities_is_refused_not_expanded(app):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&b;</Document>'
    )
    with app.test_request_context(), pytest.raises(StatementError):
        parse_statements(bomb)


def test_format_is_detected_by_content():
    first, _ = real_world_statements()
    assert detect_format(coda(first)) == "coda"
    assert detect_format(camt053(first)) == "camt.053"
    assert detect_format(b"\xef\xbb\xbf" + camt053(first)) == "camt.053"
    assert detect_format(b"garbage") is None
