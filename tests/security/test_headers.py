"""Item 5 of issue 12: one hook sets the security headers."""

from __future__ import annotations

from pathlib import Path

from tests import factories as f
from tests.campaigns.fixtures import login, make_campaign


def test_every_page_gets_a_strict_policy_and_no_framing(client):
    resp = client.get("/campaigns")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain http in the tests
    assert "no-store" not in resp.headers.get("Cache-Control", "")  # public, anonymous


def test_only_the_embed_may_be_framed(client):
    campaign = make_campaign()
    resp = client.get(f"/campaigns/{campaign.id}/embed")
    assert "frame-ancestors *" in resp.headers["Content-Security-Policy"]
    assert "object-src 'none'" in resp.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in resp.headers


def test_hsts_over_https(client):
    resp = client.get("/campaigns", base_url="https://testserver.local")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logged_in_and_personal_answers_are_not_stored(client):
    assert client.get("/account/login").headers["Cache-Control"] == "no-store"
    auditor = f.user("auditor")
    login(client, auditor)
    assert client.get("/campaigns").headers["Cache-Control"] == "no-store"
    export = client.get("/transparency/tax-certificates?year=2026")
    assert export.status_code == 200
    assert export.headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/campaigns", headers=f.token_headers(auditor))
    assert api.headers["Cache-Control"] == "no-store"


def test_no_template_carries_an_inline_script():
    app_dir = Path(__file__).resolve().parents[2] / "app"
    offenders = [
        str(p)
        for p in app_dir.rglob("*.html")
        if "<script>" in p.read_text() or " on" + "click=" in p.read_text() or "javascript:" in p.read_text()
    ]
    assert offenders == []
