"""Every page of the demo, as a visitor and as each role, at 320, 390 and 1280 px wide.

A page fails when axe-core finds a WCAG 2.1 A/AA violation, when it is wider than the
window (WCAG 1.4.10 reflow: wide tables scroll inside their own box), when an input has no
label, or when a personal field (e-mail, name, password, phone …) has no autocomplete
purpose (WCAG 1.3.5). All failures are collected and reported together.

The pages are found by walking the links each role sees, from the home page (GET only,
HTML only, the first page of each address pattern), so pages added later are checked too.
A screenshot of each page at 390 px goes to $E2E_ARTIFACTS/screens (default build/screens),
a folder a person can look through; its path is printed.

axe-core comes from the npm registry at a pinned version (`make axe`, part of `make test`):
.axe/node_modules/axe-core/axe.min.js, or AXE_JS. Without it the test is SKIPPED (FAILS
when REQUIRE_SERVICES=1). Our CSP forbids inline and injected scripts, so the test's own
browser contexts bypass it (Playwright's bypass_csp); the site's CSP is not changed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from celery import _state as celery_state

from app.core import clock
from app.demo import cli as demo_cli
from app.demo import foundation
from app.extensions import db
from tests.conftest import empty_tables
from tests.e2e.conftest import REQUIRE, login

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("AXE_JS") or ROOT / ".axe/node_modules/axe-core/axe.min.js")
WIDTHS = (320, 390, 1280)
SCREEN_WIDTH = 390
# WCAG 2.1 A/AA, and 2.2's AA tag for its target size (2.5.8: at least 24 px), which the
# issue asks for as well.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROLES = {
    "bezoeker": None,
    "aanvrager": foundation.USERS["applicant"][0],
    "jurylid": foundation.USERS["juror"][0],
    "fondsbeheerder": foundation.USERS["fund_manager"][0],
    "toezicht": foundation.USERS["auditor"][0],
}
# A cap on the walk (distinct address patterns per role), so the run stays short; the demo's
# fund manager has about 60. A11Y_MAX_PAGES raises it.
MAX_PAGES_PER_ROLE = int(os.environ.get("A11Y_MAX_PAGES") or 60)
# Not pages: files, feeds, the API, and links that do something (they are POST forms here,
# but a GET link to them is not followed either).
SKIP = re.compile(
    r"^/(api|webhooks|static)/|/(logout|download|export|attachments|pictures?|invoices|og|verify\.sh)\b"
    r"|\.(csv|json|xml|pdf|png|jpe?g|svg|zip|txt|sh|cod|coda|ics)$|/embed$"
)
PERSONAL = re.compile(r"^(email|e-?mail|display_name|name|naam|phone|tel|password|current|password_again)$")


def _axe_source() -> str:
    if not AXE_JS.is_file():
        reason = f"axe-core not found at {AXE_JS} (run `make axe`: npm install of a pinned axe-core)"
        if REQUIRE:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return str(AXE_JS)


def _screens_folder() -> Path:
    base = Path(os.environ["E2E_ARTIFACTS"]) if os.environ.get("E2E_ARTIFACTS") else ROOT / "build"
    folder = base / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pattern(path_and_query: str) -> str:
    """Addresses that differ only in their ids are one page to check."""
    parts = urlsplit(path_and_query)
    keys = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    path = re.sub(r"/\d+", "/N", parts.path)
    # A language code or a code word (mail kinds: account_confirm …) is a parameter too.
    path = re.sub(r"/(nl|en|fr)(?=/|$)", "/L", path)
    path = re.sub(r"/[a-z]+_[a-z_]+(?=/|$)", "/K", path)
    return path + ("?" + keys if keys else "")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if not url.startswith(base) or parts.fragment and parts.path == urlsplit(page.url).path:
            continue
        path = parts.path + ("?" + parts.query if parts.query else "")
        if SKIP.search(parts.path) or "lang=" in parts.query:
            continue
        out.append(path)
    return out


CHECK_INPUTS = """() => {
  const personal = new RegExp(%s);
  const out = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    if (el.closest('[hidden]')) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) out.push(`input without a label: ${el.outerHTML.slice(0, 120)}`);
    const wantsPurpose = ['email', 'tel', 'password'].includes(type) || personal.test(el.name || '');
    if (wantsPurpose && !el.hasAttribute('autocomplete'))
      out.push(`personal field without autocomplete: ${el.name || el.id} (${type || el.tagName})`);
  }
  return out;
}""" % repr(PERSONAL.pattern)

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


def _check(page, axe: str, path: str, width: int) -> list[str]:
    problems = []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('main *, header *, nav *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('.table-scroll'))
              .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        problems.append(f"wider than the window by {overflow}px ({', '.join(wide)})")
    problems += page.evaluate(CHECK_INPUTS)
    page.add_script_tag(path=axe)
    problems += page.evaluate(RUN_AXE, AXE_TAGS)
    return [f"{width}px {path}: {p}" for p in problems]


@pytest.fixture(scope="module")
def demo_world(live_app, live_server):
    """The demo data, loaded once for the module's tests (one per role) and removed after."""
    celery_before = celery_state._tls.current_app
    live_app.extensions["celery"].set_current()
    with live_app.app_context():
        try:
            ctx = demo_cli.load_all()  # as `flask demo load`: both demo funds
            clock.reset()
            yield ctx
        finally:
            db.session.remove()
            empty_tables(db.engine, live_app.config["DEFAULT_FUND_SLUG"])
            live_app.extensions.pop("funds_directory", None)
            celery_state._tls.current_app = celery_before


@pytest.fixture
def _db(live_app):
    """Overrides tests/e2e/conftest.py's `_db`: the demo stays between this module's tests."""
    with live_app.app_context():
        yield


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe_reflow_and_the_input_checks(role, browser, live_server, demo_world):
    axe = _axe_source()
    email = ROLES[role]
    screens = _screens_folder()
    print(f"\nscreenshots at {SCREEN_WIDTH}px: {screens}")
    problems: list[str] = []
    errors_before = len(live_server.errors)
    # Log in once; each width's context starts from that session.
    first = browser.new_context(base_url=live_server.url, locale="nl-BE", timezone_id="Europe/Brussels")
    page = first.new_page()
    if email:
        login(page, email, foundation.PASSWORD)
    state = first.storage_state()
    first.close()
    paths: list[str] = []
    for width in sorted(WIDTHS, reverse=True):  # 1280 first: it finds the pages
        context = browser.new_context(
            base_url=live_server.url,
            locale="nl-BE",
            timezone_id="Europe/Brussels",
            viewport={"width": width, "height": 900},
            storage_state=state,
            bypass_csp=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        if not paths:
            paths = _walk(page, live_server.url, axe, width, problems, role)
        else:
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.ok, f"{role} {path}: {response and response.status}"
                problems += [f"{role} {p}" for p in _check(page, axe, path, width)]
                if width == SCREEN_WIDTH:
                    name = re.sub(r"[^\w.-]+", "_", path.strip("/") or "home")
                    page.screenshot(path=str(screens / f"{role}--{name}.png"), full_page=True)
        context.close()
    print(f"{role}: {len(paths)} pages at {', '.join(map(str, WIDTHS))} px")
    assert paths
    assert not live_server.errors[errors_before:], live_server.errors[errors_before:]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def _walk(page, base: str, axe: str, width: int, problems: list[str], role: str) -> list[str]:
    """Breadth-first from the home page; checks each new page pattern as it goes."""
    from playwright.sync_api import Error as PlaywrightError  # the browser fixture skips without it

    queue, seen, paths = ["/"], set(), []
    while queue and len(paths) < MAX_PAGES_PER_ROLE:
        path = queue.pop(0)
        pattern = _pattern(path)
        if pattern in seen:
            continue
        seen.add(pattern)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:  # a link to a file that the browser downloads
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or not response.ok:
            problems.append(f"{role} {path}: answered {response and response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        paths.append(path)
        problems.extend(f"{role} {p}" for p in _check(page, axe, path, width))
        queue.extend(p for p in _links(page, base) if _pattern(p) not in seen)
    return paths
