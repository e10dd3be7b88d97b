"""The name, logo, colour and contact of the fund a public page speaks for, in one place:
the fund of the request's site (app.funds.site)."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _

from app.funds import services, site


def fund_branding() -> dict:
    """{"name", "logo_url" (absolute, or None), "colour", "contact_email", "overseer", "footer"}."""
    fund = site.current()
    logo = services.url(fund.id, "funds.logo", slug=fund.slug, v=fund.logo_version) if fund.has_logo else None
    return {
        "name": fund.name,
        "logo_url": logo,
        "colour": fund.primary_colour or "#0b5d3b",
        "contact_email": fund.contact_email or current_app.config.get("PRIVACY_CONTACT") or "",
        "overseer": _("de Koning Boudewijnstichting"),
        "footer": fund.footer,
    }


def public_url(endpoint: str, **values) -> str:
    """An absolute link for people outside the site (shared links, preview cards): on the
    fund's own address, whatever host or prefix the request came in on."""
    path = url_for(endpoint, **values)
    return services.base_url(site.current().id) + path.removeprefix(request.script_root)
