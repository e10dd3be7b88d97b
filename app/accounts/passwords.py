"""What a new password must not be: short, breached, or made of the person's own name.

The breached list is the "passwords" frequency list that the zxcvbn package ships (30,000
passwords most often found in public breach dumps), read from the installed package: no
network at run time. Passwords are compared case-insensitively, like the list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _

from app.core.errors import ValidationFailed

MIN_PASSWORD = 10
# Parts of a name or e-mail shorter than this are too common to refuse ("an", "jo").
MIN_PERSONAL_PART = 4


@lru_cache(maxsize=1)
def breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _personal_parts(email: str, name: str) -> set[str]:
    local = (email or "").split("@")[0]
    parts = re.split(r"[^\w]+", f"{local} {name or ''}".lower())
    return {p for p in parts + [local.lower()] if len(p) >= MIN_PERSONAL_PART}


def check(password: str, email: str = "", name: str = "") -> None:
    """ValidationFailed (on field `password`) when the password is too short, appears in
    the breached list, or contains the user's e-mail name or display name."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        msg = _("Een wachtwoord heeft minstens %(n)d tekens.", n=MIN_PASSWORD)
    elif password.lower() in breached():
        msg = _("Dit wachtwoord staat in lijsten van gelekte wachtwoorden. Kies een ander.")
    elif any(part in password.lower() for part in _personal_parts(email, name)):
        msg = _("Een wachtwoord mag je naam of e-mailadres niet bevatten.")
    else:
        return
    raise ValidationFailed(msg, details={"password": [msg]})
