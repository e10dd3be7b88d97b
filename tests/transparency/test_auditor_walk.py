"""The overseer reads everything and changes nothing: walk EVERY route of the app (all
methods, HTML with the auditor's session, API with the auditor's token) and prove that every
write answers 403. Generic: routes added later are walked too.

Exempt are the auditor's own account (log in and out, profile and password, tokens,
language) and the routes that need no login at all (registering, a reset link, a pledge,
the payment webhook ...): an anonymous visitor may call those, so they are not the
auditor's writes. A write route that an anonymous visitor may call must be named in
PUBLIC_WRITES, so that a route added without any login check fails here until someone
decides it is meant to be public.
"""

from __future__ import annotations

import importlib

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from app.extensions import db
from tests import factories as f

WRITES = ("POST", "PUT", "PATCH", "DELETE")
OWN_ACCOUNT = {
    "accounts.login",
    "accounts.logout",
    "accounts.profile",
    "accounts.revoke_token",
    "core.set_language",
}
# Write routes that need no login (checked: an anonymous request is not refused).
PUBLIC_WRITES = {
    "accounts.register",
    "accounts.forgot",
    "accounts.reset",
    "accounts.confirm",
    "campaigns.pledge",
    # A backer's retry after a failed checkout (issue 18): the receipt token proves the pledge.
    "campaigns.retry",
    "api_campaigns.CampaignPledges",
    "payments.stripe_webhook",
    "payments.demo_checkout_action",
    "notifications.unsubscribe",
    # GDPR requests by e-mail and their mailed link (issue 12): no account needed.
    "api_privacy.privacy_request",
    "privacy.confirm_request",
}
SAMPLE_STRINGS = {
    "locale": "nl",
    "kind": "application_received",
    "code": "nl",
    "token": "x",
    "session_id": "x",
}


def _world():
    """The demo data (every domain's step that exists), so that ids point at real objects."""
    from app.demo import setup as demo

    ctx: dict = {}
    for step in demo.STEPS:
        try:
            module = importlib.import_module(f"app.demo.{step}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.demo.{step}":
                raise
            continue
        module.load(ctx)
        db.session.flush()
    return ctx


def _url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = SAMPLE_STRINGS.get(name, "x")
    return rule.build(values, append_unknown=False)[1]


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _refused_anonymously(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302, 303) and "/account/login" in response.headers.get(
        "Location", ""
    )


@pytest.fixture
def auditor_world(app):
    ctx = _world()
    auditor = f.user("auditor")
    return ctx, auditor, f.token_headers(auditor)


def test_every_write_by_the_auditor_is_refused(app, auditor_world):
    _ctx, auditor, headers = auditor_world
    anonymous, session = app.test_client(), app.test_client()
    res = session.post("/account/login", data={"email": auditor.email, "password": f.PASSWORD})
    assert res.status_code in (302, 303)
    walked, allowed, public_unlisted = [], [], []
    for rule, method in _routes(app):
        if method not in WRITES or rule.endpoint in OWN_ACCOUNT:
            continue
        url = _url(rule)
        api = url.startswith("/api/")
        anon = anonymous.open(url, method=method, json={} if api else None, data=None if api else {})
        if not _refused_anonymously(anon):
            if rule.endpoint not in PUBLIC_WRITES:
                public_unlisted.append(
                    f"{method} {rule.rule} ({rule.endpoint}): anonymous got {anon.status_code}"
                )
            continue
        client = anonymous if api else session
        kwargs = {"headers": headers, "json": {}} if api else {"data": {}}
        res = client.open(url, method=method, **kwargs)
        walked.append(f"{method} {rule.rule}")
        if res.status_code != 403:
            allowed.append(f"{method} {rule.rule} ({rule.endpoint}): {res.status_code}")
        db.session.rollback()
    assert public_unlisted == [], "write routes that need no login, not listed as public:\n" + "\n".join(
        public_unlisted
    )
    assert allowed == [], "writes the auditor was not refused:\n" + "\n".join(allowed)
    assert len(walked) > 20  # the walk really went somewhere


def test_the_auditor_reads_every_page_without_error(app, auditor_world):
    _ctx, auditor, headers = auditor_world
    session, api = app.test_client(), app.test_client()
    session.post("/account/login", data={"email": auditor.email, "password": f.PASSWORD})
    broken = []
    for rule, method in _routes(app):
        if method != "GET":
            continue
        url = _url(rule)
        client = api if url.startswith("/api/") else session
        res = client.get(url, headers=headers if url.startswith("/api/") else None)
        if res.status_code >= 500:
            broken.append(f"GET {url}: {res.status_code}")
        db.session.rollback()
    assert broken == [], "\n".join(broken)


def test_the_auditor_reads_the_overseers_pages(app, auditor_world):
    _ctx, auditor, headers = auditor_world
    session = app.test_client()
    session.post("/account/login", data={"email": auditor.email, "password": f.PASSWORD})
    for url in ("/transparency/audit", "/transparency/tax-certificates", "/manage/calls", "/transparency"):
        assert session.get(url).status_code == 200, url
    assert app.test_client().get("/api/v1/transparency/ledger", headers=headers).status_code == 200
