"""Belgian structured communications (*gestructureerde mededeling*, OGM/VCS).

Twelve digits: ten digits of our own choosing and two check digits, the ten taken
modulo 97 (a remainder of 0 is written 97). People see them as
``+++123/4567/89012+++``; banks pass the bare twelve digits.

We number pledges and commitments into the ten digits with a one-digit kind prefix,
so a reference alone says what it pays for and never collides across kinds:
``1`` + nine digits of the pledge id, ``2`` + nine digits of the commitment id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLEDGE = "1"
COMMITMENT = "2"
_KINDS = {PLEDGE: "pledge", COMMITMENT: "commitment"}
_MAX_ID = 999_999_999

# Inside free text: +++ or *** around 3/4/5 digits, slashes and spaces optional.
_IN_TEXT = re.compile(r"(?:\+\+\+|\*\*\*)\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+\+\+|\*\*\*)")


def check_digits(base: str) -> str:
    """The two check digits of a ten-digit ``base``."""
    if len(base) != 10 or not base.isdigit():
        raise ValueError("a structured communication has ten digits before its check digits")
    remainder = int(base) % 97
    return f"{remainder or 97:02d}"


def is_valid(digits: str) -> bool:
    """Whether twelve ``digits`` carry the right check digits."""
    return len(digits) == 12 and digits.isdigit() and check_digits(digits[:10]) == digits[10:]


def formatted(digits: str) -> str:
    """``123456789012`` → ``+++123/4567/89012+++``."""
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def for_object(kind: str, object_id: int) -> str:
    """The twelve digits for a pledge (``PLEDGE``) or commitment (``COMMITMENT``) id."""
    if kind not in _KINDS or not 0 < object_id <= _MAX_ID:
        raise ValueError(f"no structured communication for {kind!r} {object_id}")
    base = f"{kind}{object_id:09d}"
    return base + check_digits(base)


@dataclass(frozen=True)
class Reference:
    """A structured communication that belongs to one of our objects."""

    digits: str
    kind: str  # "pledge" | "commitment"
    object_id: int


def parse(digits: str) -> Reference | None:
    """The object twelve valid ``digits`` point at, or None (bad check digits, not ours)."""
    if not is_valid(digits) or digits[0] not in _KINDS:
        return None
    object_id = int(digits[1:10])
    if object_id == 0:
        return None
    return Reference(digits, _KINDS[digits[0]], object_id)


def find_in_text(text: str) -> str | None:
    """The twelve digits of the first ``+++…+++`` communication in free text, checked or not.

    Backers who scan a QR code or copy the reference often send it as free text; the
    caller decides what an invalid one means.
    """
    match = _IN_TEXT.search(text or "")
    return "".join(match.groups()) if match else None
