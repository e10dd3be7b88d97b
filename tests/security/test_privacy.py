"""GDPR of issue 12: access, requests by e-mail, erasure that keeps the books, retention."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.banking import services as banking
from app.banking.models import BankLine
from app.calls.models import Application
from app.campaigns.models import Pledge
from app.core import clock
from app.demo.bank_files import Move, Stmt, coda
from app.extensions import db
from app.matching.verify import verify_ledger as ledger_verify
from app.notifications.models import OutboxMessage
from app.privacy.models import PrivacyRequest
from app.privacy.tasks import apply_retention
from app.transparency import services as transparency
from app.transparency.chain import verify_ledger as chain_verify
from tests import factories as f
from tests.campaigns.fixtures import login, make_campaign
from tests.campaigns.fixtures import pledge as new_pledge
from tests.matching.helpers import succeed


def _paid_pledge(campaign, email, **values):
    p, _token = new_pledge(campaign, email=email, **values)
    succeed(p)
    return p


def test_a_person_downloads_everything_held_about_them(client):
    user = f.user("applicant", "backer", "juror", email="eva@example.org", display_name="Eva")
    campaign = make_campaign()
    _paid_pledge(campaign, "eva@example.org", display_name="Eva", user_id=None)
    f.application(f.call(), user)
    data = client.get("/api/v1/me/data", headers=f.token_headers(user)).get_json()
    assert data["account"]["email"] == "eva@example.org"
    assert len(data["applications"]) == 1 and len(data["pledges"]) == 1
    assert set(data) >= {"account", "applications", "scores_given", "pledges", "mails", "audit_entries"}
    login(client, user)
    assert "/privacy/my-data.json" in client.get("/account/profile").get_data(as_text=True)
    download = client.get("/privacy/my-data.json")
    assert download.headers["Cache-Control"] == "no-store"
    assert json.loads(download.get_data())["account"]["id"] == user.id


def test_a_privacy_request_answers_202_the_same_for_unknown_addresses(client):
    campaign = make_campaign()
    _paid_pledge(campaign, "bea@example.org")
    known = client.post("/api/v1/privacy/requests", json={"email": "bea@example.org", "kind": "access"})
    unknown = client.post("/api/v1/privacy/requests", json={"email": "nobody@example.org", "kind": "access"})
    junk = client.post("/api/v1/privacy/requests", json={"email": "not an address", "kind": "erasure"})
    assert known.status_code == unknown.status_code == junk.status_code == 202
    assert known.get_json() == unknown.get_json() == junk.get_json()
    assert (
        client.post("/api/v1/privacy/requests", json={"email": "x@y.be", "kind": "other"}).status_code == 422
    )
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "privacy_request")).all()
    assert [m.recipient for m in mails] == ["bea@example.org"]


def _mailed_link(email) -> str:
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "privacy_request", OutboxMessage.recipient == email)
    ).all()
    return re.search(r"/privacy/requests/[\w-]+", mail.context["request_url"]).group(0)


def test_a_backer_without_account_gets_the_data_by_the_mailed_link(client):
    campaign = make_campaign()
    _paid_pledge(campaign, "bea@example.org", message="Succes!")
    client.post("/api/v1/privacy/requests", json={"email": "bea@example.org", "kind": "access"})
    link = _mailed_link("bea@example.org")
    assert client.get(link).status_code == 200
    resp = client.post(link)
    assert resp.headers["Cache-Control"] == "no-store"
    assert json.loads(resp.get_data())["pledges"][0]["message"] == "Succes!"
    assert client.get(link).status_code == 404  # used once


def test_erasure_by_mailed_link_keeps_the_books_and_their_chain_green(client):
    campaign = make_campaign()
    p = _paid_pledge(campaign, "bea@example.org", display_name="Bea Backer", message="Voor de buurt")
    transparency.seal_ledger()
    before = [json.loads(line) for line in transparency.iter_jsonl()]
    assert "Bea Backer" in [r.get("backer_name") for r in before]  # beside the chain
    client.post("/api/v1/privacy/requests", json={"email": "bea@example.org", "kind": "erasure"})
    link = _mailed_link("bea@example.org")
    assert client.post(link).status_code == 302
    db.session.expire_all()
    erased = db.session.get(Pledge, p.id)
    assert "bea" not in (erased.email or "") and erased.display_name == "" and erased.message == ""
    assert erased.amount_cents == 2500 and erased.status == p.status  # the books keep the amount
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "bea@example.org")
    ).all()
    transparency.seal_ledger()
    after = "".join(transparency.iter_jsonl())
    assert "Bea" not in after  # the name beside the chain is gone ...
    assert [json.loads(line)["hash"] for line in after.splitlines()][: len(before)] == [
        r["hash"] for r in before
    ]  # ... and no hash changed
    assert chain_verify(transparency.iter_jsonl()).ok
    assert transparency.check_seals() == []
    assert ledger_verify()["ok"]
    [row] = db.session.scalars(select(PrivacyRequest)).all()
    assert row.status == "done" and "bea" not in row.email


def test_a_person_erases_the_account_with_the_password(client):
    user = f.user("applicant", "backer", email="jan@example.org", display_name="Jan")
    headers = f.token_headers(user)
    f.application(f.call(), user)  # a draft: deleted
    wrong = client.post("/api/v1/me/erase", json={"password": "not it at all"}, headers=headers)
    assert wrong.status_code == 403
    resp = client.post("/api/v1/me/erase", json={"password": f.PASSWORD}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["erased"] is True
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.erased_at is not None and "jan" not in gone.email and gone.roles == set()
    assert accounts.authenticate("jan@example.org", f.PASSWORD) is None
    assert client.get("/api/v1/me/data", headers=headers).status_code == 401
    assert not db.session.scalars(select(Application).where(Application.owner_id == user.id)).all()


def test_a_fund_manager_carries_out_a_request(client):
    campaign = make_campaign()
    _paid_pledge(campaign, "bea@example.org")
    client.post("/api/v1/privacy/requests", json={"email": "bea@example.org", "kind": "erasure"})
    [row] = db.session.scalars(select(PrivacyRequest)).all()
    login(client, f.user("fund_manager"))
    assert "bea@example.org" in client.get("/manage/privacy-requests").get_data(as_text=True)
    assert client.post(f"/manage/privacy-requests/{row.id}/carry-out").status_code == 302
    assert not db.session.scalars(select(Pledge).where(Pledge.email == "bea@example.org")).all()


CERT = {
    "name": "Bea Backer",
    "national_register_number": "85.07.30-033.28",
    "street": "Kerkstraat 1",
    "postal_code": "9900",
    "city": "Eeklo",
}


BANK_IBAN = "BE68539007547034"


def test_retention_removes_old_tax_data_drafts_and_unconfirmed_accounts_idempotently(app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_IBAN", BANK_IBAN)
    app.config["DATA_ENCRYPTION_KEY"], saved = (
        Fernet.generate_key().decode(),
        app.config["DATA_ENCRYPTION_KEY"],
    )
    try:
        campaign = make_campaign()
        old = _paid_pledge(campaign, "old@example.org", tax_certificate=CERT)
        draft = f.application(f.call(), f.user("applicant"))
        stale = accounts.create_user("stale@example.org", f.PASSWORD, ["applicant"])
        # A transfer booked in January of last year: the payer's details are a bookkeeping
        # record, kept until that financial year closed ten years ago.
        old_id, draft_id, stale_id = old.id, draft.id, stale.id  # the task commits: rows expire
        booked = date(clock.local(clock.now()).year - 1, 1, 15)
        move = Move(
            700, free_text="voor de speeltuin", name="An Peeters", account="BE71096123456769", booked=booked
        )
        banking.import_file(coda(Stmt(BANK_IBAN, 1, 0, [move])), None)
        db.session.flush()
        assert apply_retention() == {"tax_data": 0, "bank_lines": 0, "drafts": 0, "unconfirmed_accounts": 0}
        assert old.tax_certificate_encrypted is not None
        # Nine years on: the certificate year, its filing year and seven more have passed.
        clock.travel_to(clock.now() + timedelta(days=9 * 366 + 370))
        first = apply_retention()
        assert first == {"tax_data": 1, "bank_lines": 1, "drafts": 1, "unconfirmed_accounts": 1}
        assert apply_retention() == {"tax_data": 0, "bank_lines": 0, "drafts": 0, "unconfirmed_accounts": 0}
        db.session.expire_all()
        assert db.session.get(Pledge, old_id).tax_certificate_encrypted is None
        assert db.session.get(Pledge, old_id).amount_cents == 2500
        assert db.session.get(Application, draft_id) is None
        assert db.session.get(User, stale_id) is None
        line = db.session.scalars(select(BankLine)).one()
        assert (line.counterparty_name, line.counterparty_account, line.free_text) == ("", "", "")
        assert (line.amount_cents, line.booking_date) == (700, booked)
    finally:
        app.config["DATA_ENCRYPTION_KEY"] = saved


def test_the_privacy_page_exists_in_three_languages(client):
    for lang, words in (("nl", "Verwerkingsverantwoordelijke"), ("en", "controller"), ("fr", "responsable")):
        page = client.get(f"/privacy?lang={lang}").get_data(as_text=True)
        assert words in page
