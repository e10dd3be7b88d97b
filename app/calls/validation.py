"""Field rules for calls and applications, shared by the HTML forms and the API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from app.calls.models import APPLICANT_TYPES, DEFAULT_MATCH_POLICY, ORGANISATION_TYPES, Call

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

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


# --- calls -------------------------------------------------------------------------------


def check_call(values: dict[str, Any], call: Call | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def err(field, msg):
        errors.setdefault(field, []).append(msg)

    if "title" in values and not (values["title"] or "").strip():
        err("title", _("Geef een titel."))
    if "municipalities" in values:
        munis = values["municipalities"]
        if not isinstance(munis, list) or not all(isinstance(m, str) and m.strip() for m in munis):
            err("municipalities", _("Een lijst van gemeentenamen."))
    if "applicant_types" in values:
        types = values["applicant_types"]
        if not isinstance(types, list) or not types or set(types) - set(APPLICANT_TYPES):
            err("applicant_types", _("Kies uit: %(t)s.", t=", ".join(APPLICANT_TYPES)))
    opens = values.get("opens_at", call.opens_at if call else None)
    closes = values.get("closes_at", call.closes_at if call else None)
    for field in ("opens_at", "closes_at"):
        v = values.get(field)
        if v is not None and (not isinstance(v, datetime) or v.tzinfo is None):
            err(field, _("Een tijdstip met tijdzone."))
    if isinstance(opens, datetime) and isinstance(closes, datetime) and opens.tzinfo and closes.tzinfo:
        if closes <= opens:
            err("closes_at", _("De sluiting moet na de opening vallen."))
    if "criteria" in values:
        crit = values["criteria"]
        keys = set()
        if not isinstance(crit, list):
            err("criteria", _("Een lijst van criteria."))
        else:
            for i, c in enumerate(crit):
                ok = (
                    isinstance(c, dict)
                    and isinstance(c.get("key"), str)
                    and _KEY.match(c["key"])
                    and isinstance(c.get("label"), str)
                    and c["label"].strip()
                    and isinstance(c.get("weight"), int | float)
                    and not isinstance(c.get("weight"), bool)
                    and c["weight"] > 0
                    and isinstance(c.get("max_score"), int)
                    and not isinstance(c.get("max_score"), bool)
                    and 1 <= c["max_score"] <= 100
                )
                if not ok:
                    err(
                        "criteria",
                        _(
                            "Criterium %(i)d: sleutel (a-z, 0-9, _), label, gewicht > 0 "
                            "en maximumscore van 1 tot 100.",
                            i=i + 1,
                        ),
                    )
                elif c["key"] in keys:
                    err("criteria", _("Criterium %(k)s staat er twee keer.", k=c["key"]))
                else:
                    keys.add(c["key"])
    if "match_policy" in values:
        policy = values["match_policy"]
        if call is not None and isinstance(policy, dict):
            # A change is judged with the rules it joins (live + an old min_backers, say).
            policy = {**call.policy, **policy}
        errors.update(check_policy(policy))
    for field, lo, hi in (
        ("campaign_days", 1, 365),
        ("matching_budget_cents", 0, 10**12),
        ("max_selected_per_municipality", 1, 10**4),
        ("min_pledge_cents", 100, 10**8),
        ("max_pledge_cents", 100, 10**9),
    ):
        v = values.get(field)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi):
            err(field, _("Een geheel getal van %(lo)d tot %(hi)d.", lo=lo, hi=hi))
    lo_p = values.get("min_pledge_cents", call.min_pledge_cents if call else 500) or 500
    hi_p = values.get("max_pledge_cents", call.max_pledge_cents if call else 500000) or 500000
    if isinstance(lo_p, int) and isinstance(hi_p, int) and lo_p > hi_p:
        err("max_pledge_cents", _("Het maximum moet boven het minimum liggen."))
    v = values.get("disagreement_threshold")
    if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100):
        err("disagreement_threshold", _("Een getal van 0 tot 100."))
    return errors


def check_policy(policy: Any) -> dict[str, list[str]]:
    if not isinstance(policy, dict):
        return {"match_policy": [_("Een object met de regels van de verdubbeling.")]}
    errors: list[str] = []
    unknown = set(policy) - set(DEFAULT_MATCH_POLICY)
    if unknown:
        errors.append(_("Onbekende regels: %(k)s", k=", ".join(sorted(unknown))))

    def number(key, lo, hi, integer=False, optional=True):
        v = policy.get(key)
        if v is None:
            if not optional:
                errors.append(_("%(k)s is verplicht.", k=key))
            return
        kinds = int if integer else (int, float)
        if isinstance(v, bool) or not isinstance(v, kinds) or not lo <= v <= hi:
            errors.append(_("%(k)s moet tussen %(lo)s en %(hi)s liggen.", k=key, lo=lo, hi=hi))

    number("ratio", 0.01, 10)
    number("cap_per_project_cents", 0, 10**10, integer=True)
    number("cap_share_of_budget", 0.01, 1)
    number("cap_per_backer_cents", 1, 10**10, integer=True)
    number("min_backers", 1, 10**6, integer=True)
    if policy.get("condition", "target_reached") not in ("target_reached", "none"):
        errors.append(_("condition is target_reached of none."))
    if policy.get("mode", "at_close") not in ("at_close", "live"):
        errors.append(_("mode is at_close of live."))
    if policy.get("mode") == "live" and policy.get("condition", "target_reached") != "none":
        errors.append(_("Live verdubbelen kan alleen met condition none."))
    if policy.get("mode") == "live" and policy.get("min_backers") is not None:
        # A live draw happens at each pledge, before anyone knows how many backers there
        # will be: a minimum would have to be judged at close and cannot be (issue 15).
        errors.append(
            _(
                "min_backers kan niet bij live verdubbelen: elke gift wordt meteen verdubbeld, "
                "voor bekend is hoeveel steuners er komen. Laat min_backers leeg of kies at_close."
            )
        )
    for key in ("exclude_owner", "offline_eligible"):
        if key in policy and not isinstance(policy[key], bool):
            errors.append(_("%(k)s is waar of onwaar.", k=key))
    return {"match_policy": errors} if errors else {}
