"""The bank statement API: import (201, then 200 with duplicates), refusals (422, nothing
stored), the queue, assign and undo, and who may do what."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.banking.models import BankLine, BankStatement
from app.core import structured_reference as ogm
from app.demo.bank_files import Move, Stmt, camt053, coda
from app.extensions import db
from tests import factories
from tests.campaigns.fixtures import make_campaign, pledge, reload

IBAN = "BE68539007547034"


@pytest.fixture(autouse=True)
def fund_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_IBAN", IBAN)
    monkeypatch.setitem(app.config, "BANK_BENEFICIARY", "Streekfonds vzw")


@pytest.fixture
def fm():
    return factories.token_headers(factories.user("fund_manager"))


def upload(client, headers, data: bytes, name="uittreksel.cod"):
    return client.post(
        "/api/v1/bank-statements",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_import_then_import_again(client, fm):
    campaign = make_campaign()
    p, _ = pledge(campaign, amount_cents=2500, method="bank_transfer")
    first, second = (
        Stmt(
            IBAN,
            11,
            5000,
            [Move(2500, structured=ogm.for_object(ogm.PLEDGE, p.id)), Move(700, free_text="?")],
        ),
        Stmt(IBAN, 12, 8200, [Move(-200, free_text="kosten")]),
    )
    r = upload(client, fm, camt053(first, second), name="whatever.txt")
    assert r.status_code == 201, r.json
    body = r.json
    assert {
        k: body[k]
        for k in ("format", "account_iban", "statement_number", "lines", "matched", "unmatched", "duplicates")
    } == {
        "format": "camt.053",
        "account_iban": IBAN,
        "statement_number": "11-12",
        "lines": 3,
        "matched": 1,
        "unmatched": 2,
        "duplicates": 0,
    }
    assert (body["opening_balance_cents"], body["closing_balance_cents"]) == (5000, 8000)
    assert [s["statement_number"] for s in body["statements"]] == ["11", "12"]
    assert reload(p).status == "succeeded"

    again = upload(client, fm, coda(first, second))
    assert again.status_code == 200 and (again.json["duplicates"], again.json["matched"]) == (3, 0)

    queue = client.get("/api/v1/bank-lines?status=unmatched", headers=fm).json["items"]
    assert sorted(item["reason"] for item in queue) == ["debit", "missing_reference"]
    debit = next(i for i in queue if i["reason"] == "debit")
    r = client.post(f"/api/v1/bank-lines/{debit['id']}/assign", json={"other": "bankkosten"}, headers=fm)
    assert r.status_code == 200 and r.json["status"] == "other" and r.json["note"] == "bankkosten"
    assert (
        client.post(f"/api/v1/bank-lines/{debit['id']}/assign", json={"other": "x"}, headers=fm).status_code
        == 409
    )
    r = client.post(f"/api/v1/bank-lines/{debit['id']}/undo", json={"note": "toch niet"}, headers=fm)
    assert r.status_code == 200 and r.json["status"] == "unmatched"
    assert client.post(f"/api/v1/bank-lines/{debit['id']}/undo", json={}, headers=fm).status_code == 409
    gift = next(i for i in queue if i["reason"] == "missing_reference")
    r = client.post(f"/api/v1/bank-lines/{gift['id']}/assign", json={"campaign_id": campaign.id}, headers=fm)
    assert r.status_code == 200 and r.json["status"] == "assigned" and r.json["pledge_id"]


@pytest.mark.parametrize(
    "data, code",
    [
        (b"not a statement at all", "not_a_statement"),
        (b"%PDF-1.7\n...", "not_a_statement"),
        (coda(Stmt("BE71096123456769", 1, 0, [Move(100)])), "unknown_account"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(client, fm, data, code):
    r = upload(client, fm, data)
    assert r.status_code == 422 and r.json["error"]["code"] == code
    assert r.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(BankStatement)) == 0
    assert db.session.scalar(select(func.count()).select_from(BankLine)) == 0


def test_unbalanced_statement_is_refused(client, fm):
    data = camt053(Stmt(IBAN, 1, 0, [Move(100)])).replace(
        b">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt>", b">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt>"
    )
    r = upload(client, fm, data)
    assert r.status_code == 422 and r.json["error"]["code"] == "balances_do_not_add_up"


def test_roles(client, fm):
    data = coda(Stmt(IBAN, 1, 0, [Move(100, free_text="x")]))
    anyone = factories.token_headers(factories.user("applicant"))
    auditor = factories.token_headers(factories.user("auditor"))
    assert upload(client, {}, data).status_code == 401
    assert upload(client, anyone, data).status_code == 403
    assert upload(client, auditor, data).status_code == 403
    assert upload(client, fm, data).status_code == 201
    assert client.get("/api/v1/bank-lines", headers=auditor).status_code == 200
    assert client.get("/api/v1/bank-lines", headers=anyone).status_code == 403
    (line,) = client.get("/api/v1/bank-lines", headers=auditor).json["items"]
    assert (
        client.post(
            f"/api/v1/bank-lines/{line['id']}/assign", json={"other": "x"}, headers=auditor
        ).status_code
        == 403
    )


def test_the_bank_page_imports_and_resolves_by_form(client, app):
    from tests.campaigns.fixtures import login

    manager = factories.user("fund_manager")
    login(client, manager)
    data = coda(Stmt(IBAN, 21, 0, [Move(1500, free_text="voor de moestuin", name="Jörg Müller")]))
    r = client.post(
        "/manage/bank", data={"file": (io.BytesIO(data), "x.cod")}, content_type="multipart/form-data"
    )
    assert r.status_code == 303
    page = client.get("/manage/bank").get_data(as_text=True)
    assert "Jörg Müller" in page and "geen gestructureerde mededeling" in page
    (line,) = db.session.scalars(select(BankLine)).all()
    r = client.post(f"/manage/bank/lines/{line.id}/assign", data={"target": "other", "note": "rente"})
    assert r.status_code == 303 and reload(line).status == "other"
    r = client.post(f"/manage/bank/lines/{line.id}/undo", data={"note": "vergissing"})
    assert r.status_code == 303 and reload(line).status == "unmatched"
    bad = client.post(
        "/manage/bank", data={"file": (io.BytesIO(b"nonsense"), "x")}, content_type="multipart/form-data"
    )
    assert bad.status_code == 422 and "CODA" in bad.get_data(as_text=True)


def test_flask_bank_import(app, tmp_path):
    good = tmp_path / "ok.xml"
    good.write_bytes(camt053(Stmt(IBAN, 31, 0, [Move(100, free_text="x")])))
    bad = tmp_path / "bad.cod"
    bad.write_bytes(b"nonsense")
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["bank", "import", str(good)])
    assert ok.exit_code == 0 and "1 lines, 0 matched, 1 unmatched, 0 duplicates" in ok.output
    again = runner.invoke(args=["bank", "import", str(good)])
    assert again.exit_code == 0 and "1 duplicates" in again.output
    refused = runner.invoke(args=["bank", "import", str(bad)])
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    missing = runner.invoke(args=["bank", "import", str(tmp_path / "nope")])
    assert missing.exit_code == 1


def test_a_commitment_carries_its_structured_reference_and_qr_code(client, fm):
    sponsor = client.post(
        "/api/v1/sponsors", json={"name": "Bakkerij De Roos", "kind": "company"}, headers=fm
    ).json
    r = client.post(
        f"/api/v1/sponsors/{sponsor['id']}/commitments", json={"amount_cents": 500_000}, headers=fm
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert body["structured_reference"] == ogm.formatted(ogm.for_object(ogm.COMMITMENT, body["id"]))
    from tests.campaigns.fixtures import login

    login(client, factories.user("fund_manager", email="fm2@example.org"))
    assert client.get(body["qr_url"].removeprefix("http://testserver.local")).data.startswith(b"<svg")
    page = client.get(f"/manage/commitments/{body['id']}").get_data(as_text=True)
    assert body["structured_reference"] in page
