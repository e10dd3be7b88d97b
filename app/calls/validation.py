"""Field rules for calls and applications, shared by the HTML forms and the API."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from app.calls.models import APPLICANT_TYPES, ORGANISATION_TYPES

APPLICATION_FIELDS = (
    "title",
    "summary",
    "description",
    "municipality",
    "applicant_type",
    "organisation",
    "enterprise_number",
    "budget_cents",
    "target_cents",
)


def normalise_enterprise_number(raw: str) -> str:
    """'0123.456.749' or '0123 456 749' → '0123456749'; ValueError unless the mod-97 holds.

    A Belgian enterprise number is 10 digits starting with 0 or 1; its last two digits are
    97 minus the first eight modulo 97.
    """
    digits = re.sub(r"[.\s]", "", raw or "")
    if len(digits) == 9 and digits.isdigit():
        digits = "0" + digits  # old 9-digit form
    if not (len(digits) == 10 and digits.isdigit() and digits[0] in "01"):
        raise ValueError("format")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValueError("checksum")
    return digits


def format_enterprise_number(digits: str | None) -> str:
    if not digits:
        return ""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def check_application_fields(values: dict, call) -> tuple[dict, dict[str, list[str]]]:
    """Validate the fields present in `values` against the call; return (clean, errors).

    Absent or empty fields are allowed (a draft may be incomplete); present ones must be right.
    """
    clean: dict = {}
    errors: dict[str, list[str]] = {}

    def err(field, msg):
        errors.setdefault(field, []).append(msg)

    for field in ("title", "summary", "description", "organisation"):
        if field in values:
            text = (values[field] or "").strip() if isinstance(values[field], str) else values[field]
            if text is not None and not isinstance(text, str):
                err(field, _("Moet tekst zijn."))
                continue
            limit = 200 if field in ("title", "organisation") else 20000
            if text and len(text) > limit:
                err(field, _("Hoogstens %(n)d tekens.", n=limit))
            clean[field] = text or None
    if "municipality" in values:
        m = values["municipality"] or None
        if m is not None and m not in (call.municipalities or []):
            err("municipality", _("Kies een gemeente uit de lijst van deze oproep."))
        clean["municipality"] = m
    if "applicant_type" in values:
        t = values["applicant_type"] or None
        if t is not None and (t not in APPLICANT_TYPES or t not in (call.applicant_types or [])):
            err("applicant_type", _("Dit type aanvrager kan niet deelnemen aan deze oproep."))
        clean["applicant_type"] = t
    if "enterprise_number" in values:
        raw = values["enterprise_number"]
        if raw:
            try:
                clean["enterprise_number"] = normalise_enterprise_number(str(raw))
            except ValueError:
                err("enterprise_number", _("Geen geldig ondernemingsnummer (KBO)."))
        else:
            clean["enterprise_number"] = None
    for field in ("budget_cents", "target_cents"):
        if field in values:
            v = values[field]
            if v is None or v == "":
                clean[field] = None
            elif isinstance(v, bool) or not isinstance(v, int):
                err(field, _("Een bedrag in cent (geheel getal)."))
            elif v <= 0:
                err(field, _("Moet groter zijn dan nul."))
            elif v > 10**11:
                err(field, _("Dit bedrag is te groot."))
            else:
                clean[field] = v
    return clean, errors


def check_budget_target(budget: int | None, target: int | None) -> dict[str, list[str]]:
    if budget is not None and target is not None and target > budget:
        return {"target_cents": [_("Het streefbedrag mag niet hoger zijn dan het budget.")]}
    return {}


def missing_fields(app) -> list[str]:
    """Fields a submission still lacks; organisation and KBO only for associations/companies."""
    needed = [
        "title",
        "summary",
        "description",
        "municipality",
        "applicant_type",
        "budget_cents",
        "target_cents",
    ]
    if app.applicant_type in ORGANISATION_TYPES:
        needed += ["organisation", "enterprise_number"]
    return [f for f in needed if getattr(app, f) in (None, "")]
