"""The EPC QR code (the SEPA "BCD" payload) that Belgian banking apps scan.

The payload follows the European Payments Council's guidelines (EPC069-12, version
002): one field a line, in a fixed order, UTF-8. A Belgian structured communication
goes in the unstructured remittance line with its ``+++`` delimiters, which is where
Belgian banking apps look for it; the structured field is reserved for ISO 11649 ``RF``
references. Rendering uses segno, error correction level M as the guidelines ask.
"""

from __future__ import annotations

import io

import segno


def payload(*, name: str, iban: str, amount_cents: int, remittance: str, bic: str = "") -> str:
    """The text inside the QR code; refuses what the guidelines do not allow."""
    iban = iban.replace(" ", "").upper()
    if not 0 < amount_cents <= 99_999_999_999:
        raise ValueError("an EPC QR amount lies between EUR 0.01 and EUR 999,999,999.99")
    if not name or len(name) > 70:
        raise ValueError("the beneficiary's name has 1 to 70 characters")
    if len(remittance) > 140:
        raise ValueError("the remittance text has at most 140 characters")
    euros, cents = divmod(amount_cents, 100)
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic.replace(" ", "").upper(),
        name,
        iban,
        f"EUR{euros}.{cents:02d}",
        "",  # purpose
        "",  # structured (ISO 11649) reference
        remittance,
    ]
    return "\n".join(lines)


def render(text: str, fmt: str = "svg") -> bytes:
    """The QR code of ``text`` as SVG (default) or PNG bytes."""
    qr = segno.make_qr(text, error="m", boost_error=False, encoding="utf-8")
    out = io.BytesIO()
    if fmt == "png":
        qr.save(out, kind="png", scale=6, border=4)
    else:
        qr.save(out, kind="svg", scale=6, border=4, title="EPC QR", xmldecl=False)
    return out.getvalue()
