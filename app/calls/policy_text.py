"""A call's match policy in plain Dutch (and in English and French through Babel) for the
public call page: "Sponsors verdubbelen elke euro tot € 6.000 per project, als het doel
gehaald wordt; maximaal € 50 per steuner telt mee." Every field of the policy that changes
what a backer's euro becomes is stated; the numbers come from the policy itself."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.calls.models import DEFAULT_MATCH_POLICY
from app.core.money import format_cents


def _money(cents: int) -> str:
    return format_cents(int(cents), str(get_locale() or "nl"))


def _ratio(value: Any) -> str:
    """1 → "elke euro wordt verdubbeld"; 0.5 → "50 cent per euro"; 2 → "2 euro per euro"."""
    ratio = Fraction(str(value if value is not None else 1))
    if ratio == 1:
        return _("Sponsors verdubbelen elke euro")
    if ratio < 1:
        return _("Sponsors leggen %(c)s cent bij per euro", c=f"{float(ratio * 100):g}")
    return _("Sponsors leggen %(n)s euro bij per euro", n=f"{float(ratio):g}".replace(".", ","))


def rules_in_words(policy: dict[str, Any] | None) -> list[str]:
    """The policy as sentences, in the order a backer reads them."""
    p = {**DEFAULT_MATCH_POLICY, **(policy or {})}
    first = _ratio(p["ratio"])
    if p.get("cap_per_project_cents") is not None:
        first += " " + _("tot %(cap)s per project", cap=_money(p["cap_per_project_cents"]))
    if p.get("condition", "target_reached") == "target_reached":
        first += ", " + _("als het doel gehaald wordt")
    sentences = [first]
    if p.get("cap_per_backer_cents"):
        sentences[-1] += "; " + _(
            "maximaal %(cap)s per steuner telt mee", cap=_money(p["cap_per_backer_cents"])
        )
    sentences[-1] += "."
    if p.get("mode") == "live":
        sentences.append(_("Elke bevestigde gift krijgt haar verdubbeling meteen, zolang er sponsorgeld is."))
    else:
        sentences.append(_("De verdubbeling wordt berekend en uitbetaald wanneer de campagne sluit."))
    if p.get("cap_share_of_budget"):
        share = f"{float(Fraction(str(p['cap_share_of_budget'])) * 100):g}"
        sentences.append(
            _("Eén project krijgt hoogstens %(pct)s%% van het budget voor verdubbeling.", pct=share)
        )
    if p.get("min_backers"):
        sentences.append(_("Er zijn minstens %(n)s steuners nodig.", n=p["min_backers"]))
    if p.get("exclude_owner", True):
        sentences.append(_("Giften van de projecteigenaar tellen niet mee."))
    if not p.get("offline_eligible", True):
        sentences.append(_("Alleen online giften tellen mee, geen overschrijvingen of cash."))
    return sentences
