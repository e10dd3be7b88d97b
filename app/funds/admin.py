"""Creating and editing funds (platform administrators): the rules of each value, the
colour's contrast, the logo, free slugs and hosts."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select

from app.core import audit
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.uploads import sniff
from app.extensions import db
from app.funds.directory import directory, forget
from app.funds.models import Fund

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
MAX_LOGO_BYTES = 512 * 1024
# White text on the fund's colour (buttons, the header) must stay readable: WCAG 1.4.3.
MIN_CONTRAST = 4.5
EDITABLE = (
    "name",
    "region",
    "municipalities",
    "contact_email",
    "footer",
    "iban",
    "bic",
    "beneficiary",
    "mail_from_name",
    "mail_from",
    "primary_colour",
    "hosts",
)


def _invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field_name: [message]})


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on `colour` (#rrggbb)."""
    return 1.05 / (_luminance(colour) + 0.05)


def _clean(values: dict, creating: bool) -> dict:
    out: dict = {}
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in EDITABLE:
        if name not in values:
            continue
        value = values[name]
        if name in ("municipalities", "hosts"):
            if isinstance(value, str):
                value = [v for v in re.split(r"[,\n]", value)]
            items = [str(v).strip() for v in (value or []) if str(v).strip()]
            if name == "hosts":
                items = [h.lower() for h in items]
                bad = [h for h in items if not HOST.match(h)]
                if bad:
                    fail(name, _("Geen geldige hostnaam: %(h)s", h=", ".join(bad)))
            out[name] = list(dict.fromkeys(items))
            continue
        text = (value or "").strip() if isinstance(value, str) or value is None else None
        if text is None:
            fail(name, _("Verwacht tekst."))
            continue
        if name == "name":
            if not text:
                fail(name, _("Geef het fonds een naam."))
            elif len(text) > 120:
                fail(name, _("Maximaal %(n)d tekens.", n=120))
            out[name] = text
        elif name == "primary_colour":
            if not COLOUR.match(text):
                fail(name, _("Geef een kleur als #rrggbb."))
            elif contrast_with_white(text) < MIN_CONTRAST:
                fail(
                    name,
                    _(
                        "Witte tekst op deze kleur is niet leesbaar genoeg "
                        "(contrast %(c).1f:1, minstens 4,5:1 nodig).",
                        c=contrast_with_white(text),
                    ),
                )
            out[name] = text.lower()
        elif name == "iban":
            if text:
                try:
                    text = IBAN(text).compact
                except (SchwiftyException, ValueError):
                    fail(name, _("Dit IBAN-nummer klopt niet."))
            out[name] = text or None
        elif name in ("contact_email", "mail_from"):
            if text and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
                fail(name, _("Geef een geldig e-mailadres."))
            out[name] = text or None
        else:
            limit = {"region": 200, "footer": 2000, "bic": 11, "beneficiary": 70, "mail_from_name": 120}[name]
            if len(text) > limit:
                fail(name, _("Maximaal %(n)d tekens.", n=limit))
            out[name] = text if name in ("region", "footer") else (text or None)
    if creating and not out.get("name"):
        errors.setdefault("name", [_("Geef het fonds een naam.")])
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)
    return out


def _check_hosts_free(hosts: list[str], fund_id: int | None) -> None:
    for host in hosts:
        owner = directory().by_host.get(host)
        if owner is not None and owner.id != fund_id:
            raise Conflict(_("De host %(h)s hoort al bij een ander fonds.", h=host), code="host_taken")


def create(slug: str, values: dict, actor_id: int | None = None) -> Fund:
    """A new, empty fund. The slug names its site (/f/<slug>/) and never changes."""
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug):
        raise _invalid("slug", _("Gebruik 3 tot 40 kleine letters, cijfers of streepjes."))
    clean = _clean(values, creating=True)
    forget()
    if slug in directory().by_slug:
        raise Conflict(_("Er bestaat al een fonds met deze naam in de link."), code="slug_taken")
    _check_hosts_free(clean.get("hosts", []), None)
    fund = Fund(slug=slug, **clean)
    db.session.add(fund)
    db.session.flush()
    audit.record(db.session, actor_id, "fund.created", "fund", fund.id, None, {"slug": slug, **clean})
    forget()
    return fund


def update(fund: Fund, values: dict, actor_id: int | None = None) -> Fund:
    """Change what `values` names (the slug stays)."""
    clean = _clean(values, creating=False)
    _check_hosts_free(clean.get("hosts", []), fund.id)
    before = {k: getattr(fund, k) for k in clean}
    for key, value in clean.items():
        setattr(fund, key, value)
    db.session.flush()
    audit.record(db.session, actor_id, "fund.updated", "fund", fund.id, before, clean)
    forget()
    return fund


def set_logo(fund: Fund, content: bytes, actor_id: int | None = None) -> Fund:
    """The fund's logo: PNG or JPEG judged by its bytes, at most 512 KB."""
    kind = sniff(content or b"")
    if not content:
        raise _invalid("logo", _("Het bestand is leeg."))
    if len(content) > MAX_LOGO_BYTES:
        raise _invalid("logo", _("Het logo is groter dan 512 KB."))
    if kind not in ("image/png", "image/jpeg"):
        raise _invalid("logo", _("Alleen PNG of JPEG is toegestaan."))
    fund.logo, fund.logo_type = content, kind
    db.session.flush()
    audit.record(db.session, actor_id, "fund.logo_changed", "fund", fund.id, None, {"type": kind})
    forget()
    return fund


def get(fund_id: int) -> Fund:
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        raise NotFound(_("Fonds niet gevonden."), code="fund_not_found")
    return fund


def get_by_slug(slug: str) -> Fund:
    fund = db.session.scalar(select(Fund).where(Fund.slug == (slug or "").strip().lower()))
    if fund is None:
        raise NotFound(_("Fonds niet gevonden."), code="fund_not_found")
    return fund


def logo(slug: str) -> tuple[bytes, str] | None:
    fund = db.session.scalar(select(Fund).where(Fund.slug == slug))
    if fund is None or not fund.logo:
        return None
    return fund.logo, fund.logo_type or "image/png"
