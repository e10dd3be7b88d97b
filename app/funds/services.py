"""Funds: the public face of the domain. The directory of funds (funds.directory), their
creation and editing (funds.admin), and here what other domains ask of a fund: its bank
account, its mail sender, its own address for links.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from flask import current_app

from app.core.bank_transfer import FundAccount
from app.funds.admin import (  # noqa: F401 - the administrator's services, re-exported
    EDITABLE,
    contrast_with_white,
    create,
    get,
    get_by_slug,
    logo,
    set_logo,
    update,
)
from app.funds.directory import (  # noqa: F401 - the directory, re-exported
    Directory,
    FundSite,
    all_funds,
    by_host,
    by_id,
    by_slug,
    default_fund,
    default_fund_id,
    directory,
    ensure_default_fund,
    forget,
    placeholder,
    slug_of,
)


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
