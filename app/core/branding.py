"""The name, logo, colour and contact of the fund a public page speaks for, in ONE place.

Today there is one fund per site and these come from the settings; with many funds (issue
14) this is the one function to switch to the fund of the page."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _


def fund_branding() -> dict:
    """{"name", "logo_url" (absolute, or None), "colour", "contact_email", "overseer"}."""
    cfg = current_app.config
    return {
        "name": cfg.get("FUND_NAME") or _("streekfonds"),
        "logo_url": None,
        "colour": cfg.get("FUND_COLOUR") or "#0b5d3b",
        "contact_email": cfg.get("FUND_CONTACT_EMAIL") or cfg.get("PRIVACY_CONTACT") or "",
        "overseer": _("de Koning Boudewijnstichting"),
    }


def public_url(endpoint: str, **values) -> str:
    """An absolute link for people outside the site (shared links, preview cards): on the
    public base URL, whatever host the request came in on."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for(endpoint, **values)
