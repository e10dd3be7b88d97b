"""Rendered pages for anonymous visitors, kept in the process, keyed by what they show.

A campaign that goes viral is opened by thousands of visitors without an account: for them
the page is the same bytes except the CSRF token of the layout's language form. The first
anonymous view of a version renders it with a placeholder where the token goes; later ones
only put their own token in. The caller's key names everything the page is made of (for a
campaign: its figures_version, changed_at, status and days left), so a change is a new key
and never an old page; the locale, the path with its query and the templates' release are
added here. A logged-in visitor (their menu) or one with pending flashes always gets a
fresh render. Per process, bounded (least recently used out first).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import g, request, session
from flask_login import current_user

from app.core import tenancy
from app.core.http import release

MAX_PAGES = 512
_SLOT = "csrf-slot-" + secrets.token_hex(16)
_pages: OrderedDict[Hashable, str] = OrderedDict()
_lock = threading.Lock()


def _cacheable() -> bool:
    authenticated = bool(current_user and current_user.is_authenticated)
    return not authenticated and not session.get("_flashes")


def anonymous_page(key: tuple, render: Callable[[], str]) -> str:
    """`render()`'s page, from the cache when an anonymous visitor saw this `key` before."""
    return anonymous_page_shown(key, render)[0]


def anonymous_page_shown(
    key: tuple, render: Callable[[], str], stale_of: Hashable | None = None
) -> tuple[str, tuple]:
    """(the page, the key it was made for): `render()`'s page as `anonymous_page` gives it.

    With `stale_of` (what the page is of, e.g. ("campaign", 7)) one request per process
    renders a new key: while it does, the others get the newest page of the same thing
    made before (and its key, for their validators) instead of rendering the same page at
    once. When a viral campaign's figures change with every pledge, readers then keep
    being answered from memory; the page they get is at most one render behind."""
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf

    if not _cacheable():
        return render(), key
    # The host and the /f/<slug> prefix name the fund's site: one page per site.
    where = (str(get_locale()), request.host, request.script_root, request.full_path, release())
    full_key = (key, *where)
    base = None if stale_of is None else (stale_of, *where)
    shown, mine = key, False
    with _lock:
        body = _pages.get(full_key)
        if body is not None:
            _pages.move_to_end(full_key)
        elif base is not None and base in _rendering:
            older = _newest.get(base)
            if older is not None and older[1] in _pages:
                shown, body = older[0], _pages[older[1]]
        elif base is not None:
            _rendering.add(base)
            mine = True
    if body is None:
        try:
            body = _render_with_slot(render)
            with _lock:
                _pages[full_key] = body
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
                if base is not None:
                    if len(_newest) >= MAX_PAGES:
                        _newest.clear()
                    _newest[base] = (key, full_key)
        finally:
            if mine:
                with _lock:
                    _rendering.discard(base)
    return (body.replace(_SLOT, generate_csrf()) if _SLOT in body else body), shown


def _render_with_slot(render: Callable[[], str]) -> str:
    token = g.pop("csrf_token", None)  # this request's own, if made already
    g.csrf_token = _SLOT  # flask_wtf hands out what g holds: the page gets the slot
    try:
        return render()
    finally:
        g.pop("csrf_token", None)
        if token is not None:
            g.csrf_token = token


# What each page is of (stale_of, locale, path, release) → (key, full key) of its newest
# rendered page; and the pages one request of this process is rendering now.
_newest: dict[Hashable, tuple[tuple, Hashable]] = {}
_rendering: set[Hashable] = set()


_recent: dict[Hashable, tuple[object, float]] = {}
_clock = time.monotonic  # tests move it


def now() -> float:
    """The clock of `recent_until` (and of app.core.sharedpage)."""
    return _clock()


def recent(key: Hashable, max_age: float, load: Callable[[], object]):
    """`load()`, or what it returned for `key` less than `max_age` seconds ago in this
    process. For the version stamp of a page an anonymous visitor asks for: under a viral
    load most views then touch no database at all, and a change shows within `max_age`."""
    return recent_until(key, max_age, load)[0]


def recent_until(key: Hashable, max_age: float, load: Callable[[], object]) -> tuple[object, float]:
    """(`recent`'s value, the `now()` at which it is read again): a page made from it is
    as current as `recent` promises until then, and no longer."""
    now = _clock()
    if max_age <= 0:
        return load(), now
    key = (key, tenancy.current_scope())  # what one fund's site may see, not another's
    hit = _recent.get(key)
    if hit is not None and hit[1] > now:
        return hit
    value = load()
    with _lock:
        if len(_recent) >= MAX_PAGES:
            _recent.clear()
        _recent[key] = (value, now + max_age)
    return value, now + max_age


def cacheable() -> bool:
    """Whether this visitor gets the anonymous copy of a page."""
    return _cacheable()


def clear() -> None:
    with _lock:
        _pages.clear()
        _recent.clear()
        _newest.clear()
        _rendering.clear()
