"""Funds: creating and editing them, and the directory every request reads its fund from.

The directory (names, hosts, colours, accounts of every fund, never the logo bytes) is read
in one query and kept in the process for FUNDS_CACHE_SECONDS, so a page costs no query for
knowing whose site it is, however many funds there are. A change made here clears this
process's copy at once; other processes see it within FUNDS_CACHE_SECONDS.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from flask import current_app
from flask_babel import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, defer

from app.core import audit
from app.core.bank_transfer import FundAccount
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.uploads import sniff
from app.extensions import db
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


@dataclass(frozen=True)
class FundSite:
    """What a request needs to know of a fund: a copy, safe to keep between requests."""

    id: int | None
    slug: str
    name: str
    region: str = ""
    municipalities: tuple[str, ...] = ()
    contact_email: str | None = None
    footer: str = ""
    iban: str | None = None
    bic: str | None = None
    beneficiary: str | None = None
    mail_from_name: str | None = None
    mail_from: str | None = None
    primary_colour: str = "#0b5d3b"
    has_logo: bool = False
    logo_version: str = ""
    hosts: tuple[str, ...] = ()
    is_default: bool = False


@dataclass
class Directory:
    by_id: dict[int, FundSite] = field(default_factory=dict)
    by_slug: dict[str, FundSite] = field(default_factory=dict)
    by_host: dict[str, FundSite] = field(default_factory=dict)
    default: FundSite | None = None
    expires: float = 0.0

    @property
    def funds(self) -> list[FundSite]:
        return sorted(self.by_id.values(), key=lambda f: f.name.lower())


_lock = threading.Lock()


def _site(fund: Fund, default_slug: str) -> FundSite:
    return FundSite(
        id=fund.id,
        slug=fund.slug,
        name=fund.name,
        region=fund.region or "",
        municipalities=tuple(fund.municipalities or ()),
        contact_email=fund.contact_email,
        footer=fund.footer or "",
        iban=fund.iban,
        bic=fund.bic,
        beneficiary=fund.beneficiary,
        mail_from_name=fund.mail_from_name,
        mail_from=fund.mail_from,
        primary_colour=fund.primary_colour or "#0b5d3b",
        has_logo=bool(fund.logo_type),
        logo_version=fund.logo_type or "",
        hosts=tuple(fund.hosts or ()),
        is_default=fund.slug == default_slug,
    )


def directory() -> Directory:
    """Every fund, from this process's copy (one query when it is older than the setting)."""
    app = current_app._get_current_object()
    now = time.monotonic()
    current = app.extensions.get("funds_directory")
    if current is not None and current.expires > now:
        return current
    default_slug = app.config["DEFAULT_FUND_SLUG"]
    rows = db.session.scalars(
        select(Fund).options(defer(Fund.logo)).order_by(Fund.id), execution_options={"all_funds": True}
    ).all()
    fresh = Directory(expires=now + app.config.get("FUNDS_CACHE_SECONDS", 30))
    for row in rows:
        site = _site(row, default_slug)
        fresh.by_id[site.id] = site
        fresh.by_slug[site.slug] = site
        for host in site.hosts:
            fresh.by_host[host.lower()] = site
    fresh.default = fresh.by_slug.get(default_slug) or (
        fresh.by_id[min(fresh.by_id)] if fresh.by_id else None
    )
    with _lock:
        app.extensions["funds_directory"] = fresh
    return fresh


def forget() -> None:
    """Drop this process's copy (after a change, and between tests)."""
    current_app.extensions.pop("funds_directory", None)


def placeholder() -> FundSite:
    """The fund of an installation that has none yet (a fresh database): its settings."""
    cfg = current_app.config
    return FundSite(id=None, slug=cfg["DEFAULT_FUND_SLUG"], name=cfg["DEFAULT_FUND_NAME"], is_default=True)


def default_fund() -> FundSite:
    return directory().default or placeholder()


def by_slug(slug: str) -> FundSite:
    site = directory().by_slug.get((slug or "").strip().lower())
    if site is None:
        raise NotFound(_("Fonds niet gevonden."), code="fund_not_found")
    return site


def by_id(fund_id: int | None) -> FundSite:
    """The fund with this id (the default fund for None, e.g. rows of a fresh install)."""
    if fund_id is None:
        return default_fund()
    site = directory().by_id.get(fund_id)
    if site is None:
        forget()
        site = directory().by_id.get(fund_id)
    return site or default_fund()


def by_host(host: str) -> FundSite | None:
    return directory().by_host.get((host or "").split(":")[0].lower())


def all_funds() -> list[FundSite]:
    return directory().funds


def slug_of(fund_id: int | None) -> str:
    return by_id(fund_id).slug


def default_fund_id(session: Session) -> int:
    """The default fund's id; creates that fund in a database that has none (tenancy asks
    this when a new row has no parent and no one-fund scope)."""
    site = directory().default
    if site is not None:
        return site.id
    cfg = current_app.config
    new_id = session.execute(
        insert(Fund).values(slug=cfg["DEFAULT_FUND_SLUG"], name=cfg["DEFAULT_FUND_NAME"]).returning(Fund.id)
    ).scalar_one()
    forget()
    return new_id


def ensure_default_fund() -> int:
    """Make sure the default fund exists (the demo, the tests, `flask funds list`)."""
    return default_fund_id(db.session)


# --- the fund's money and mail ----------------------------------------------------------


def account(fund_id: int | None) -> FundAccount | None:
    """The account backers of this fund transfer to, or None. The default fund may still
    take it from the settings (BANK_IBAN, ...) of an installation from before funds."""
    site = by_id(fund_id)
    if site.iban:
        return FundAccount(site.iban, site.bic or "", site.beneficiary or site.name)
    cfg = current_app.config
    if site.is_default and cfg.get("BANK_IBAN"):
        return FundAccount(cfg["BANK_IBAN"], cfg.get("BANK_BIC", ""), cfg.get("BANK_BENEFICIARY", ""))
    return None


def fund_for_iban(iban: str) -> FundSite | None:
    """The fund that receives on this account (a bank statement's account)."""
    compact = (iban or "").replace(" ", "").upper()
    for site in directory().by_id.values():
        if site.iban and site.iban.upper() == compact:
            return site
    default = default_fund()
    if compact and compact == current_app.config.get("BANK_IBAN", "").upper() and default.id:
        return default
    return None


def mail_sender(fund_id: int | None) -> str:
    """`Name <address>` the fund's mail goes out under (MAIL_FROM when it set none)."""
    site = by_id(fund_id)
    default_name, default_address = parseaddr(current_app.config.get("MAIL_FROM", ""))
    address = site.mail_from or default_address
    name = site.mail_from_name or (site.name if site.mail_from or site.id else default_name)
    return formataddr((name, address)) if name else address


def base_url(fund_id: int | None) -> str:
    """The fund's own address, for links in mails, receipts and Stripe's return URLs: its
    first host, else PUBLIC_BASE_URL (the default fund) or PUBLIC_BASE_URL/f/<slug>."""
    site = by_id(fund_id)
    public = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if site.hosts:
        scheme = "https" if public.startswith("https://") else "http"
        return f"{scheme}://{site.hosts[0]}"
    if site.is_default:
        return public
    return f"{public}/f/{site.slug}"


def url(fund_id: int | None, endpoint: str, **values) -> str:
    """An absolute link to `endpoint` on the fund's own site (works without a request)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url(fund_id) + path


# --- creating and editing (platform administrators) -------------------------------------


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
    _changed()
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
    _changed()
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
    _changed()
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


def _changed() -> None:
    forget()
