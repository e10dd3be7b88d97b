"""One hook for the security headers of every response.

- Content-Security-Policy: scripts only from our own origin (no inline script anywhere;
  inline *styles* stay allowed for the few style attributes), no plugins, no <base>, and
  no framing, except for a view that sets its own `frame-ancestors` (the campaign embed).
- Strict-Transport-Security when the site is served over HTTPS.
- X-Content-Type-Options: nosniff, Referrer-Policy: same-origin.
- Cache-Control: no-store on every response for a logged-in person or an API token, and on
  the pages that carry a personal secret (account links, pledge status, privacy requests).
"""

from __future__ import annotations

import re

from flask import Flask, current_app, request
from flask_login import current_user

HSTS = "max-age=31536000; includeSubDomains"
BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
)
# Paths whose answers are personal even without a log-in (secret links, a person's data).
PERSONAL_PREFIXES = (
    "/account/",
    "/pledges/",
    "/api/v1/pledges/",
    "/api/v1/me",
    "/api/v1/privacy",
    "/privacy/",
)


def _frame_ancestors(existing: str | None) -> str:
    match = re.search(r"frame-ancestors\s+([^;]+)", existing or "")
    return match.group(1).strip() if match else "'none'"


def _personal(response) -> bool:
    if request.headers.get("Authorization"):
        return True
    if request.path.startswith(PERSONAL_PREFIXES):
        return True
    # Only when the user was loaded anyway: asking would touch the session on every response.
    return bool(getattr(current_user, "is_authenticated", False))


def set_headers(response):
    ancestors = _frame_ancestors(response.headers.get("Content-Security-Policy"))
    response.headers["Content-Security-Policy"] = "; ".join((*BASE_POLICY, f"frame-ancestors {ancestors}"))
    if ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.is_secure or current_app.config.get("PUBLIC_BASE_URL", "").startswith("https://"):
        response.headers["Strict-Transport-Security"] = HSTS
    if _personal(response):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
