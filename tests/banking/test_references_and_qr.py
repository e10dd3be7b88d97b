"""Structured communications and EPC QR codes."""

from __future__ import annotations

import pytest

from app.core import epc_qr
from app.core import structured_reference as ogm


def test_check_digits_follow_mod_97_with_97_for_zero():
    assert ogm.check_digits("0000000097") == "97"  # remainder 0 is written 97
    assert ogm.check_digits("1234567890") == f"{1234567890 % 97:02d}"
    assert ogm.is_valid("090933755493")  # a published example
    assert not ogm.is_valid("090933755494")
    with pytest.raises(ValueError):
        ogm.check_digits("12345")


def test_references_are_ours_per_kind_and_never_collide():
    pledge = ogm.for_object(ogm.PLEDGE, 42)
    commitment = ogm.for_object(ogm.COMMITMENT, 42)
    assert pledge != commitment and ogm.is_valid(pledge) and ogm.is_valid(commitment)
    assert ogm.parse(pledge) == ogm.Reference(pledge, "pledge", 42)
    assert ogm.parse(commitment).kind == "commitment"
    assert ogm.formatted(pledge) == f"+++{pledge[:3]}/{pledge[3:7]}/{pledge[7:]}+++"
    assert ogm.parse(pledge[:10] + "00") is None  # wrong check digits
    assert ogm.parse("9" + pledge[1:10] + ogm.check_digits("9" + pledge[1:10])) is None  # not our kind
    with pytest.raises(ValueError):
        ogm.for_object(ogm.PLEDGE, 0)


def test_a_reference_is_found_in_free_text_as_people_type_it():
    pledge = ogm.for_object(ogm.PLEDGE, 7)
    shown = ogm.formatted(pledge)
    assert ogm.find_in_text(f"gift {shown} dank") == pledge
    assert ogm.find_in_text(shown.replace("+", "*").replace("/", " / ")) == pledge
    assert ogm.find_in_text("voor de moestuin") is None


def test_epc_payload_has_the_guidelines_fields_in_order():
    text = epc_qr.payload(
        name="Koning Boudewijnstichting",
        iban="BE10 0000 0000 0404",
        bic="BPOTBEB1",
        amount_cents=2550,
        remittance="+++090/9337/55493+++",
    )
    assert text.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "BPOTBEB1",
        "Koning Boudewijnstichting",
        "BE10000000000404",
        "EUR25.50",
        "",
        "",
        "+++090/9337/55493+++",
    ]
    with pytest.raises(ValueError):
        epc_qr.payload(name="X", iban="BE10000000000404", amount_cents=0, remittance="")


def test_qr_renders_as_svg_and_png():
    text = epc_qr.payload(name="Fonds", iban="BE10000000000404", amount_cents=100, remittance="x")
    svg = epc_qr.render(text)
    assert svg.startswith(b"<svg") and b"EPC QR" in svg
    assert epc_qr.render(text, "png").startswith(b"\x89PNG\r\n\x1a\n")
