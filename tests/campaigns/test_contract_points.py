"""Contract points of issue 15: refunds with nothing left, the overseer reading a pledge, a
pledge's language for its mails, Accept-Language, and the demo's encryption key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.campaigns.models import Pledge
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.payments import demo
from app.payments.services import demo_payment
from tests import factories
from tests.campaigns.fixtures import deliver, make_campaign, pledge, reload

ROOT = Path(__file__).resolve().parents[2]
BODY = {"amount_cents": 2500, "email": "zonder@example.org", "display_name": "Zonder Account"}


def _paid(client, fake, campaign, amount):
    p, _ = pledge(campaign, amount_cents=amount, email="terug@example.org")
    deliver(client, fake, fake.complete_checkout(p.checkout_session_id))
    return reload(p)


def test_a_refund_with_nothing_left_is_409_with_or_without_an_amount(client, fake_stripe):
    p = _paid(client, fake_stripe, make_campaign(), 4000)
    manager = factories.token_headers(factories.user("fund_manager"))
    url = f"/api/v1/pledges/{p.id}/refund"
    # The whole pledge is on its way back (requested, not yet confirmed by the gateway).
    assert client.post(url, json={}, headers=manager).status_code == 201
    for body in ({}, {"amount_cents": None}, {"amount_cents": 100}, {"amount_cents": 0}):
        r = client.post(url, json=body, headers=manager)
        assert r.status_code == 409, (body, r.json)
        assert r.json["error"]["code"] == "nothing_to_refund"
        assert r.json["error"]["details"] == {"left_cents": 0}


def test_the_overseer_reads_a_pledge_with_a_bearer_token_alone(client):
    campaign = make_campaign()
    created = client.post(f"/api/v1/campaigns/{campaign.id}/pledges", json=BODY)
    assert created.status_code == 201
    pid = created.json["id"]
    url = f"/api/v1/pledges/{pid}"
    for roles in (("auditor",), ("fund_manager",), ("admin",)):
        r = client.get(url, headers=factories.token_headers(factories.user(*roles)))
        assert r.status_code == 200, roles
        assert (r.json["id"], r.json["status"], r.json["amount_cents"]) == (pid, "pending", 2500)
    # A backer's or applicant's token is no key to someone else's pledge; nor is nothing.
    for roles in (("backer",), ("applicant", "juror")):
        assert client.get(url, headers=factories.token_headers(factories.user(*roles))).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?token={created.json['receipt_token']}").status_code == 200
    auditor = factories.token_headers(factories.user("auditor"))
    assert client.get("/api/v1/pledges/987654", headers=auditor).status_code == 404


def _receipt_locale(pledge_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage.locale).where(OutboxMessage.dedupe_key == f"pledge_receipt:{pledge_id}")
    )


def test_a_pledge_without_an_account_keeps_its_language_for_its_mails(client):
    campaign = make_campaign()
    by_header = client.post(
        f"/api/v1/campaigns/{campaign.id}/pledges",
        json=BODY,
        headers={"Accept-Language": "fr-BE,fr;q=0.9,nl;q=0.5"},
    )
    by_field = client.post(f"/api/v1/campaigns/{campaign.id}/pledges", json={**BODY, "locale": "en"})
    plain = client.post(f"/api/v1/campaigns/{campaign.id}/pledges", json=BODY)
    german = client.post(f"/api/v1/campaigns/{campaign.id}/pledges", json={**BODY, "locale": "de"})
    assert german.status_code == 422
    ids = [r.json["id"] for r in (by_header, by_field, plain)]
    assert [db.session.get(Pledge, i).locale for i in ids] == ["fr", "en", "nl"]
    for pid in ids:
        p = db.session.get(Pledge, pid)
        demo.pay(demo_payment(p.checkout_session_id))
    db.session.commit()
    assert [_receipt_locale(i) for i in ids] == ["fr", "en", "nl"]


def test_the_pledge_page_keeps_the_language_it_was_shown_in(client):
    campaign = make_campaign()
    client.post("/lang/en", data={"next": "/"})
    r = client.post(
        f"/campaigns/{campaign.id}/pledge",
        data={"amount": "25", "email": "page@example.org", "display_name": "Page"},
    )
    assert r.status_code == 303, r.status_code
    p = db.session.scalar(select(Pledge).where(Pledge.email == "page@example.org"))
    assert p.locale == "en"


def test_accept_language_chooses_for_a_visitor_without_a_choice(client):
    def lang(headers):
        page = client.get("/", headers=headers).get_data(as_text=True)
        return page.split('<html lang="', 1)[1].split('"', 1)[0]

    assert lang({}) == "nl"
    assert lang({"Accept-Language": "fr, en"}) == "fr"  # the first, not our favourite
    assert lang({"Accept-Language": "de-DE, en-GB;q=0.8, fr;q=0.7"}) == "en"
    assert lang({"Accept-Language": "en;q=0.5, fr;q=0.9"}) == "fr"
    assert lang({"Accept-Language": "de, es"}) == "nl"
    # A choice made on the site beats the browser.
    client.post("/lang/nl", data={"next": "/"})
    assert lang({"Accept-Language": "fr"}) == "nl"


def test_make_run_makes_the_demo_key_once_and_never_commits_it(tmp_path, app):
    from cryptography.fernet import Fernet

    script = ROOT / "scripts" / "instance_key.py"
    first = subprocess.run([sys.executable, script, tmp_path], check=True, capture_output=True, text=True)
    again = subprocess.run([sys.executable, script, tmp_path], check=True, capture_output=True, text=True)
    key = first.stdout.strip()
    assert key and key == again.stdout.strip()
    path = tmp_path / "data-encryption.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/instance_key.py instance" in makefile and "$(DEMO_KEY) $(BIN)/flask run" in makefile
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "instance/data-encryption.key"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0
