"""The directory every request reads its fund from: names, hosts, colours and accounts of
every fund (never the logo bytes), read in one query and kept in the process for
FUNDS_CACHE_SECONDS, so a page costs no query for knowing whose site it is, however many
funds there are. A change (funds.admin) clears this process's copy at once; other processes
see it within FUNDS_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, defer

from app.core.errors import NotFound
from app.extensions import db
from app.funds.models import Fund


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
