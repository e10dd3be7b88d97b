"""Conditional GET for the public pages: an ETag (and Last-Modified where the data has a
date), and 304 Not Modified when the client's copy is still current.

Two kinds of page:

- **personal**: every page on the site layout carries the visitor's menu and a CSRF token
  tied to their session. Such a page is `Cache-Control: private, no-cache` (only the
  visitor's own browser keeps it, and asks again each time) with `Vary: Cookie`, and its
  validator includes who asks (user id, the session's CSRF secret, the locale): one
  visitor's copy never answers another's request. Only `If-None-Match` decides for them
  (`If-Modified-Since` cannot tell visitors apart).
- **shared**: the same bytes for everyone (the embed, which has no menu, form or session
  data): `Cache-Control: public, max-age=60`, and both validators are honoured.
- **shared for a moment** (`finish_moment`): the campaign page for a visitor without a
  cookie (no menu, form or session data either) whose figures change with every pledge:
  `public, max-age=0, s-maxage=N` (a browser asks again each time, a reverse proxy may
  answer from its copy for N seconds), `Vary: Cookie, Accept-Language`; only the ETag
  decides (a Last-Modified has whole seconds, the figures change within one).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Response, g, request, session
from flask_login import current_user

SHARED_MAX_AGE = 60


@cache
def release() -> str:
    """Changes when the templates do (a deploy): old copies stop validating then."""
    root = Path(__file__).resolve().parent.parent
    stamps = sorted(str(p.stat().st_mtime_ns) for p in root.glob("**/templates/**/*.html"))
    return hashlib.sha256("".join(stamps).encode()).hexdigest()[:12]


def _visitor() -> tuple:
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf

    user = current_user.get_id() if current_user and current_user.is_authenticated else None
    generate_csrf()  # the page will carry one: make sure the session's secret exists now
    # The raw secret the page's CSRF token is signed from.
    return (user, session.get("csrf_token"), str(get_locale()))


def validator(*parts, personal: bool = True) -> str:
    """An ETag for a page made of `parts` (each with a stable repr)."""
    digest = hashlib.sha256(repr((release(), parts)).encode())
    if personal:
        digest.update(repr(_visitor()).encode())
    return digest.hexdigest()[:32]


def _fresh(etag: str, last_modified: datetime | None, personal: bool) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if personal and session.get("_flashes"):
        return False  # the page would show them
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    if personal or last_modified is None or request.if_modified_since is None:
        return False
    return last_modified.replace(microsecond=0) <= request.if_modified_since


def not_modified(etag: str, last_modified: datetime | None = None, personal: bool = True) -> Response | None:
    """A 304 when the client's copy is current (skip building the page), else None."""
    if not _fresh(etag, last_modified, personal):
        return None
    return finish(Response(status=304), etag, last_modified, personal)


def finish(
    response: Response, etag: str, last_modified: datetime | None = None, personal: bool = True
) -> Response:
    """Put the validators and the caching rules of the kind of page on `response`."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    if personal:
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.vary.add("Cookie")
    else:
        response.cache_control.public = True
        response.cache_control.max_age = SHARED_MAX_AGE
    return response


def finish_by_content(response: Response) -> Response:
    """For a personal page without a change stamp of its own (the home page, the lists,
    a call): the ETag is the digest of the body (with the per-render CSRF token left out,
    it is the same for the whole session) and a matching If-None-Match gets a 304. Saves
    the transfer, not the rendering."""
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), b"")
    etag = validator(hashlib.sha256(body).hexdigest())
    if _fresh(etag, None, personal=True):
        return finish(Response(status=304), etag)
    return finish(response, etag)


def finish_moment(response: Response, etag: str, proxy_seconds: int) -> Response:
    """A page the same for every visitor without a cookie, current for `proxy_seconds`."""
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 0
    response.cache_control.s_maxage = proxy_seconds
    response.vary.update(("Cookie", "Accept-Language"))
    return response
