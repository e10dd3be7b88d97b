"""Money is integer euro cents; this module parses and shows it, never as a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_currency

_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_IE"}


@dataclass(frozen=True, order=True)
class Money:
    """An amount of euro in cents. Adding or comparing two of them never touches a float.
    The ledger adds its entries up with it (app/ledger/services.py), so a float or a bool
    amount is refused where the money is written."""

    cents: int

    def __post_init__(self):
        if not isinstance(self.cents, int) or isinstance(self.cents, bool):
            raise TypeError("Money takes integer cents")

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def __str__(self) -> str:
        return format_cents(self.cents)


def format_cents(cents: int | None, locale: str = "nl") -> str:
    """`600000` → `€ 6.000,00` (Belgian Dutch); other languages in their Belgian form."""
    if cents is None:
        return ""
    return _formatted(int(cents), locale)


@lru_cache(maxsize=8192)
def _formatted(cents: int, locale: str) -> str:
    # Babel takes ~0.4 ms per amount; a page of backers shows the same few amounts often.
    whole, rest = divmod(abs(int(cents)), 100)
    from decimal import Decimal

    amount = Decimal(whole) + Decimal(rest) / 100
    if cents < 0:
        amount = -amount
    return format_currency(amount, "EUR", locale=_LOCALES.get(locale, "nl_BE"))


_AMOUNT = re.compile(r"^\s*(?:€\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:[,](\d{1,2}))?\s*(?:€)?\s*$")


def parse_euro(text: str) -> int:
    """Parse a Belgian-written euro amount ('6.000,50', '25', '€ 12,5') into cents.

    Refuses anything else (a dot as decimal separator is ambiguous, so '12.50' is refused
    unless it groups thousands) with ValueError.
    """
    match = _AMOUNT.match(text or "")
    if not match:
        raise ValueError(text)
    whole = int(re.sub(r"[.\s]", "", match.group(1)))
    frac = (match.group(2) or "0").ljust(2, "0")
    return whole * 100 + int(frac)
