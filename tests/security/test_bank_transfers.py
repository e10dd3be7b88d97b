"""Issue 12 over issue 16's bank transfers: the same card-testing guard for a pledge by
transfer, the pages under the strict policy, and personal answers not stored."""

from __future__ import annotations

import re

import pytest

from app.core import structured_reference as ogm
from tests import factories as f
from tests.campaigns.fixtures import login, make_campaign
from tests.campaigns.fixtures import pledge as new_pledge

IBAN = "BE68539007547034"
BANK = {"BANK_IBAN": IBAN, "BANK_BIC": "GKCCBEBB", "BANK_BENEFICIARY": "Streekfonds vzw"}


@pytest.fixture
def limited_bank(limited_app):
    limited_app.config.update(BANK)
    return limited_app.test_client()


@pytest.fixture(autouse=True)
def fund_account(app, monkeypatch):
    for key, value in BANK.items():
        monkeypatch.setitem(app.config, key, value)


def test_anonymous_pledges_by_transfer_share_the_question_and_the_limit(limited_bank, limit_clock):
    # A transfer opens no checkout session, but each pledge still mails its instructions to
    # any address and shows as announced on the campaign page: the same guard applies.
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    body = {
        "amount_cents": 2500,
        "email": "bulk@example.org",
        "display_name": "Bulk",
        "method": "bank_transfer",
    }
    first = limited_bank.post(url, json=body)
    assert first.status_code == 201 and first.get_json()["method"] == "bank_transfer"
    # Card and transfer pledges count against the one limit of the address.
    card = {key: value for key, value in body.items() if key != "method"}
    assert limited_bank.post(url, json=card).status_code == 201
    asked = limited_bank.post(url, json=body)
    assert asked.status_code == 428
    check = asked.get_json()["error"]["details"]["human_check"]
    a, b = (int(n) for n in re.findall(r"\d+", check["question"]))
    right = {"token": check["token"], "answer": str(a + b)}
    assert limited_bank.post(url, json={**body, "human_check": right}).status_code == 201
    assert limited_bank.post(url, json={**body, "human_check": right}).status_code == 201
    over = limited_bank.post(url, json={**body, "human_check": right})
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0


def test_the_pledge_form_asks_the_question_for_a_transfer_too(limited_bank, limit_clock):
    campaign = make_campaign()
    data = {"amount": "25", "email": "bulk@example.org", "display_name": "Bulk", "method": "bank_transfer"}
    for _ in range(2):
        made = limited_bank.post(f"/campaigns/{campaign.id}/pledge", data=data)
        assert made.status_code == 303 and "/pledges/" in made.headers["Location"]  # by transfer
    page = limited_bank.post(f"/campaigns/{campaign.id}/pledge", data=data)
    assert page.status_code == 422
    assert 'name="human_token"' in page.get_data(as_text=True)


def test_the_transfer_status_page_runs_under_the_policy_and_is_not_stored(client):
    campaign = make_campaign()
    pledge, token = new_pledge(campaign, method="bank_transfer")
    resp = client.get(f"/pledges/{pledge.id}?token={token}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "img-src 'self' data:" in csp
    # The copy buttons' script is a static file of our own; no inline script at all.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/copy.js" defer>']
    # The QR code is an image of our own origin (a relative path), allowed by img-src 'self'.
    qr_src = re.search(r'<img[^>]+src="([^"]+/qr[^"]*)"', html).group(1)
    assert qr_src.startswith(f"/pledges/{pledge.id}/qr")
    assert resp.headers["Cache-Control"] == "no-store"
    qr = client.get(qr_src.replace("&amp;", "&"))
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"


def test_the_bank_pages_and_a_commitment_qr_are_not_stored(client):
    manager = f.user("fund_manager")
    headers = f.token_headers(manager)
    sponsor = client.post(
        "/api/v1/sponsors", json={"name": "Bakkerij De Roos", "kind": "company"}, headers=headers
    )
    commitment = client.post(
        f"/api/v1/sponsors/{sponsor.json['id']}/commitments", json={"amount_cents": 500_000}, headers=headers
    ).json
    assert commitment["structured_reference"] == ogm.formatted(
        ogm.for_object(ogm.COMMITMENT, commitment["id"])
    )
    login(client, manager)
    bank = client.get("/manage/bank")
    assert bank.status_code == 200 and bank.headers["Cache-Control"] == "no-store"
    qr = client.get(f"/manage/commitments/{commitment['id']}/qr")
    assert qr.status_code == 200 and qr.headers["Cache-Control"] == "no-store"
    lines = client.get("/api/v1/bank-lines", headers=headers)
    assert lines.status_code == 200 and lines.headers["Cache-Control"] == "no-store"
