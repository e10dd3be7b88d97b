"""Money is integer euro cents (a plain int everywhere: in the models, the ledger and the
API); this module parses and shows it, never as a float."""

from __future__ import annotations

import re

from babel.numbers import format_currency

_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_IE"}


def format_cents(cents: int | None, locale: str = "nl") -> str:
    """`600000` → `€ 6.000,00` (Belgian Dutch); other languages in their Belgian form."""
    if cents is None:
        return ""
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
