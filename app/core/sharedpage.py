"""Pages that are the same bytes for every visitor without a cookie, answered again from
memory before Flask does any work.

A viral campaign is opened by thousands of people who have no account and no session yet.
For a request without any cookie (and without an Authorization header) the campaign page is
rendered without a session, CSRF token or menu (the pledge form is a page of its own), so
every such visitor can get the same bytes. The view says how long they stay current
(`share_until`: until the version stamp they were made from is due to be read again,
PUBLIC_PAGE_MAX_AGE after it was read); `SharedPages`, a WSGI layer just in front of the
Flask app, keeps the finished response (status, every header the hooks added, body) and
answers the same request with it until then, 304 included: no request context, session,
CSRF, Babel, SQL or template. After that the next such request goes through the app again,
which reads the campaign's current figures_version (the pledge's own transaction bumps it).

The key is everything such a page can depend on: scheme, host, script root, path, query
and Accept-Language. Any request with a cookie, any method but GET and HEAD, any status but
200 and any response that sets a cookie goes through or is not kept. Per process, bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import request
from werkzeug.http import parse_etags, unquote_etag

from app.core import pagecache

MAX_PAGES = 256
UNTIL = "streekfonds.shared_page_until"
_pages: OrderedDict[tuple, _Kept] = OrderedDict()
_lock = threading.Lock()
# Dropped from a 304 (RFC 9110: it describes the body, which a 304 has not).
_BODY_HEADERS = frozenset(("content-length", "content-type"))


def _key(environ) -> tuple | None:
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
        return None
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


def shareable() -> bool:
    """Whether this request may get (and make) the shared copy of a page: GET or HEAD,
    no cookie and no Authorization header, so no session, log-in or token."""
    return _key(request.environ) is not None


def share_until(until: float) -> None:
    """The response of this request is the same for every request with its key until
    `until` (`pagecache.now()`'s clock): `SharedPages` keeps it till then."""
    request.environ[UNTIL] = until


class _Kept:
    __slots__ = ("status", "headers", "body", "etag", "until")

    def __init__(self, status: str, headers: list, body: bytes, until: float):
        self.status, self.headers, self.body, self.until = status, headers, body, until
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        self.etag = unquote_etag(etag)[0] if etag else None

    def answer(self, environ, start_response):
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and self.etag and parse_etags(wanted).contains_weak(self.etag):
            start_response("304 Not Modified", [h for h in self.headers if h[0].lower() not in _BODY_HEADERS])
            return [b""]
        start_response(self.status, self.headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


class SharedPages:
    """WSGI layer: answers a request without a cookie from a kept response while it is
    current; keeps the responses the app marked with `share_until`."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        key = _key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        kept = _pages.get(key)
        if kept is not None and kept.until > pagecache.now():
            return kept.answer(environ, start_response)
        seen: list = []

        def capture(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        until = environ.get(UNTIL)
        if until is None or until <= pagecache.now() or environ.get("REQUEST_METHOD") != "GET" or not seen:
            return result
        status, headers = seen
        if not status.startswith("200 ") or any(k.lower() == "set-cookie" for k, _v in headers):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        with _lock:
            _pages[key] = _Kept(status, list(headers), body, until)
            _pages.move_to_end(key)
            while len(_pages) > MAX_PAGES:
                _pages.popitem(last=False)
        return [body]


def clear() -> None:
    with _lock:
        _pages.clear()
