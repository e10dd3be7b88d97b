"""The payouts API end to end on the real services and ledger: the contract fields, every
refusal, four eyes, batches, paid, the bank return and the final report's held-back share."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import JournalTransaction
from app.matching.verify import verify_ledger
from app.payouts import services as payouts
from app.payouts.models import PayoutRequest
from tests import factories
from tests.payouts import helpers as h


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()["error"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def project():
    campaign = h.settled_project(raised=100_000)  # raised 1.000 + matched 1.000 = 2.000 euro
    owner = h.owner_of(campaign)
    return campaign, owner, factories.token_headers(owner)


@pytest.fixture
def managers():
    a, b = factories.user("fund_manager"), factories.user("fund_manager")
    return (a, factories.token_headers(a)), (b, factories.token_headers(b))


def _invoice(client, campaign, headers, **over):
    data = {
        "supplier": "Tuincentrum De Linde",
        "invoice_date": "2026-05-01",
        "amount_cents": "60000",
        "description": "Plantgoed",
        **over,
    }
    return client.post(
        f"/api/v1/campaigns/{campaign.id}/invoices",
        data=h.upload(data),
        headers=headers,
        content_type="multipart/form-data",
    )


def _ask(client, campaign, headers, invoice_ids, **over):
    body = {
        "amount_cents": 50_000,
        "iban": h.GOOD_IBAN,
        "account_holder": "Buurtwerking vzw",
        "description": "Eerste schijf",
        "invoice_ids": invoice_ids,
        **over,
    }
    return client.post(f"/api/v1/campaigns/{campaign.id}/payout-requests", json=body, headers=headers)


def test_the_whole_path_from_invoice_to_paid_and_the_ledger(client, project, managers):
    campaign, _owner, oh = project
    (m1, h1), (m2, h2) = managers
    start = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    # 20% of 2.000 euro waits for the final report.
    assert {
        k: start[k] for k in ("payable_cents", "paid_out_cents", "requested_cents", "held_back_cents")
    } == {"payable_cents": 200_000, "paid_out_cents": 0, "requested_cents": 0, "held_back_cents": 40_000}
    assert start["items"] == []

    inv1 = _invoice(client, campaign, oh)
    inv2 = _invoice(client, campaign, oh, supplier="Drukkerij Eeklo")
    assert inv1.status_code == 201 and inv2.status_code == 201, inv1.get_json()
    resp = _ask(client, campaign, oh, [inv1.get_json()["id"], inv2.get_json()["id"]], amount_cents=120_000)
    assert resp.status_code == 201, resp.get_json()
    req = resp.get_json()
    assert (req["status"], req["approvals"]) == ("submitted", [])
    after = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert (after["payable_cents"], after["requested_cents"]) == (80_000, 120_000)

    first = client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=h1).get_json()
    assert first["status"] == "submitted" and [a["user_id"] for a in first["approvals"]] == [m1.id]
    _error(client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=h1), 409, "already_approved")
    second = client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=h2).get_json()
    assert second["status"] == "approved" and [a["user_id"] for a in second["approvals"]] == [m1.id, m2.id]

    batch = client.post("/api/v1/payout-batches", json={}, headers=h1)
    assert batch.status_code == 201, batch.get_json()
    batch = batch.get_json()
    assert (batch["count"], batch["total_cents"], batch["request_ids"]) == (1, 120_000, [req["id"]])
    scheduled = client.get(f"/api/v1/payout-requests/{req['id']}", headers=oh).get_json()
    assert scheduled["status"] == "scheduled" and scheduled["end_to_end_id"]
    xml = client.get(f"/api/v1/payout-batches/{batch['id']}/sepa.xml", headers=h1)
    assert xml.status_code == 200 and scheduled["end_to_end_id"].encode() in xml.data
    assert b"1200.00" in xml.data and h.GOOD_IBAN.replace(" ", "").encode() in xml.data

    paid = client.post(f"/api/v1/payout-batches/{batch['id']}/paid", headers=h2).get_json()
    assert paid["status"] == "paid"
    figures = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert (figures["paid_out_cents"], figures["requested_cents"], figures["payable_cents"]) == (
        120_000,
        0,
        80_000,
    )
    assert figures["held_back_cents"] == 40_000
    # One journal transaction, from the project's account to the bank, traceable to the request.
    row = db.session.get(PayoutRequest, req["id"])
    tx = db.session.get(JournalTransaction, row.paid_transaction_id)
    assert tx.kind == "payout_paid" and tx.campaign_id == campaign.id
    assert sorted((e.account, e.amount_cents) for e in tx.entries) == [
        ("bank:payouts", -120_000),
        (f"campaign:{campaign.id}:paid_out", 120_000),
    ]
    assert str(req["id"]) in tx.idempotency_key
    # Marking it paid again posts nothing.
    client.post(f"/api/v1/payout-batches/{batch['id']}/paid", headers=h2)
    assert ledger.balance(f"campaign:{campaign.id}:paid_out") == 120_000
    assert verify_ledger()["ok"]

    # The bank returns it: reversed, back to approved after one manager's approval.
    returned = client.post(
        f"/api/v1/payout-requests/{req['id']}/failed", json={"reason": "Rekening opgeheven"}, headers=h1
    ).get_json()
    assert returned["status"] == "failed"
    assert ledger.balance(f"campaign:{campaign.id}:paid_out") == 0
    fixed = client.patch(f"/api/v1/payout-requests/{req['id']}", json={"iban": h.OTHER_IBAN}, headers=oh)
    assert fixed.status_code == 200 and fixed.get_json()["iban"] == h.OTHER_IBAN.replace(" ", "")
    again = client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=h2).get_json()
    assert again["status"] == "approved"
    batch2 = client.post("/api/v1/payout-batches", json={"request_ids": [req["id"]]}, headers=h1).get_json()
    assert (
        client.get(f"/api/v1/payout-requests/{req['id']}", headers=oh).get_json()["end_to_end_id"]
        != scheduled["end_to_end_id"]
    )
    client.post(f"/api/v1/payout-batches/{batch2['id']}/paid", headers=h1)
    assert ledger.balance(f"campaign:{campaign.id}:paid_out") == 120_000
    assert verify_ledger()["ok"]


def test_refusals_of_a_payout_request(client, project):
    campaign, _owner, oh = project
    inv = _invoice(client, campaign, oh).get_json()["id"]
    other = h.settled_project(raised=50_000)
    foreign = h.invoice(other).id
    _error(_ask(client, campaign, oh, [inv], iban=h.BAD_IBAN), 422, "validation_error")
    body = _error(_ask(client, campaign, oh, [inv], amount_cents=0), 422)
    assert "amount_cents" in body["details"]
    _error(_ask(client, campaign, oh, [inv], amount_cents=-5), 422)
    body = _error(_ask(client, campaign, oh, [foreign]), 422)
    assert "invoice_ids" in body["details"]
    _error(_ask(client, campaign, oh, []), 422)
    # 2.000 − 20% held back = 1.600 euro may be asked now.
    body = _error(_ask(client, campaign, oh, [inv], amount_cents=160_001), 409, "above_payable")
    assert body["details"]["requestable_cents"] == 160_000
    assert _ask(client, campaign, oh, [inv], amount_cents=160_000).status_code == 201
    _error(_ask(client, campaign, oh, [inv], amount_cents=1), 409, "above_payable")
    assert db.session.query(PayoutRequest).count() == 1


def test_a_campaign_that_is_not_settled_pays_nothing(client):
    from tests.matching import helpers as mh

    mh.commitment(1_000_000)
    call = factories.call()
    application = mh.in_review(call, 100_000)
    mh.confirm(call, [application])
    campaign = mh.open_campaign(application)
    mh.give(campaign, 20_000)
    owner = h.owner_of(campaign)
    oh = factories.token_headers(owner)
    inv = _invoice(client, campaign, oh).get_json()["id"]
    _error(_ask(client, campaign, oh, [inv], amount_cents=1_000), 409, "campaign_not_settled")
    assert client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()["payable_cents"] == 0


def test_who_may_do_what(client, project, managers):
    campaign, owner, oh = project
    (_m1, h1), _ = managers
    stranger = factories.token_headers(factories.user("applicant"))
    auditor = factories.token_headers(factories.user("auditor"))
    _error(client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=stranger), 404)
    assert client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=auditor).status_code == 200
    _error(client.get(f"/api/v1/campaigns/{campaign.id}/payouts"), 401)
    inv = _invoice(client, campaign, oh).get_json()["id"]
    _error(_ask(client, campaign, stranger, [inv]), 404)
    _error(_ask(client, campaign, h1, [inv]), 403)
    req = _ask(client, campaign, oh, [inv]).get_json()
    _error(client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=oh), 403)
    _error(client.post(f"/api/v1/payout-requests/{req['id']}/approve", headers=auditor), 403)
    _error(client.get(f"/api/v1/payout-requests/{req['id']}", headers=stranger), 404)
    _error(client.post("/api/v1/payout-batches", json={}, headers=oh), 403)


def test_an_owner_who_is_a_fund_manager_cannot_approve_their_project(client, managers):
    boss = factories.user("fund_manager", "applicant")
    campaign = h.settled_project(owner=boss)
    req = h.request(campaign)
    _error(
        client.post(f"/api/v1/payout-requests/{req.id}/approve", headers=factories.token_headers(boss)),
        403,
        "own_project",
    )
    assert req.current_approvals == []


def test_invoices_are_judged_by_their_content(client, project):
    campaign, _owner, oh = project
    resp = client.post(
        f"/api/v1/campaigns/{campaign.id}/invoices",
        data=h.upload(
            {"supplier": "X", "invoice_date": "2026-05-01", "amount_cents": "100"},
            content=b"MZ\x90\x00 not a pdf",
            name="factuur.pdf",
        ),
        headers=oh,
        content_type="multipart/form-data",
    )
    assert "file" in _error(resp, 422)["details"]
    resp = _invoice(client, campaign, oh, amount_cents="0")
    assert "amount_cents" in _error(resp, 422)["details"]
    resp = client.post(
        f"/api/v1/campaigns/{campaign.id}/invoices",
        data=h.upload(
            {"supplier": "X", "invoice_date": "2026-05-01", "amount_cents": "100"},
            content=h.PNG,
            name="bon.png",
        ),
        headers=oh,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201 and resp.get_json()["content_type"] == "image/png"


def test_changes_requested_then_resubmitted_needs_two_new_approvals(client, project, managers):
    campaign, _owner, oh = project
    (_m1, h1), (_m2, h2) = managers
    req = h.request(campaign)
    client.post(f"/api/v1/payout-requests/{req.id}/approve", headers=h1)
    _error(client.post(f"/api/v1/payout-requests/{req.id}/request-changes", json={}, headers=h2), 422)
    back = client.post(
        f"/api/v1/payout-requests/{req.id}/request-changes",
        json={"reason": "Factuur 2 ontbreekt"},
        headers=h2,
    ).get_json()
    assert (back["status"], back["reason"]) == ("changes_requested", "Factuur 2 ontbreekt")
    _error(client.post(f"/api/v1/payout-requests/{req.id}/approve", headers=h1), 409)
    _error(client.patch(f"/api/v1/payout-requests/{req.id}", json={"iban": h.BAD_IBAN}, headers=oh), 422)
    patched = client.patch(
        f"/api/v1/payout-requests/{req.id}", json={"amount_cents": 30_000}, headers=oh
    ).get_json()
    assert patched["amount_cents"] == 30_000
    again = client.post(f"/api/v1/payout-requests/{req.id}/submit", headers=oh).get_json()
    assert (again["status"], again["approvals"], again["round"]) == ("submitted", [], 2)
    one = client.post(f"/api/v1/payout-requests/{req.id}/approve", headers=h1).get_json()
    assert one["status"] == "submitted"
    assert (
        client.post(f"/api/v1/payout-requests/{req.id}/approve", headers=h2).get_json()["status"]
        == "approved"
    )
    _error(client.post(f"/api/v1/payout-requests/{req.id}/withdraw", headers=oh), 409)
    _error(
        client.patch(f"/api/v1/payout-requests/{req.id}", json={"amount_cents": 1}, headers=oh),
        409,
        "not_editable",
    )


def test_withdraw_and_reject_are_final(client, project, managers):
    campaign, _owner, oh = project
    (_m1, h1), _ = managers
    a, b = h.request(campaign, 10_000), h.request(campaign, 10_000)
    assert (
        client.post(f"/api/v1/payout-requests/{a.id}/withdraw", headers=oh).get_json()["status"]
        == "withdrawn"
    )
    _error(client.post(f"/api/v1/payout-requests/{a.id}/approve", headers=h1), 409, "invalid_transition")
    rejected = client.post(
        f"/api/v1/payout-requests/{b.id}/reject", json={"reason": "Geen projectkost"}, headers=h1
    )
    assert rejected.get_json()["status"] == "rejected"
    _error(client.post(f"/api/v1/payout-requests/{b.id}/submit", headers=oh), 409)
    figures = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert figures["requested_cents"] == 0 and len(figures["items"]) == 2


def test_batches_refuse_what_is_not_approved_and_need_the_funds_account(client, app, project, managers):
    campaign, _owner, _oh = project
    (_m1, h1), _ = managers
    _error(client.post("/api/v1/payout-batches", json={}, headers=h1), 409, "nothing_to_pay")
    req = h.request(campaign)
    _error(
        client.post("/api/v1/payout-batches", json={"request_ids": [req.id]}, headers=h1), 409, "not_approved"
    )
    _error(client.post("/api/v1/payout-batches", json={"request_ids": [999_999]}, headers=h1), 404)
    h.approved(campaign, 10_000)
    app.config["PAYOUT_DEBTOR_IBAN"] = ""
    _error(client.post("/api/v1/payout-batches", json={}, headers=h1), 409, "debtor_missing")


def test_the_final_report_holds_back_and_then_releases_the_share(client, project, managers):
    campaign, _owner, oh = project
    (_m1, h1), _ = managers
    h.approved(campaign, 160_000)
    figures = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert (figures["payable_cents"], figures["held_back_cents"], figures["requestable_cents"]) == (
        40_000,
        40_000,
        0,
    )
    body = {
        "summary": "De moestuin draait; 40 gezinnen oogsten.",
        "spending": [
            {"description": "Plantgoed", "amount_cents": 150_000},
            {"description": "Gereedschap", "amount_cents": 50_000},
        ],
    }
    _error(
        client.post(
            f"/api/v1/campaigns/{campaign.id}/final-report", json={**body, "summary": ""}, headers=oh
        ),
        422,
    )
    _error(client.post(f"/api/v1/campaigns/{campaign.id}/final-report", json=body, headers=h1), 403)
    assert (
        client.post(f"/api/v1/campaigns/{campaign.id}/final-report", json=body, headers=oh).status_code == 201
    )
    _error(client.post(f"/api/v1/campaigns/{campaign.id}/final-report/approve", headers=oh), 403)
    back = client.post(
        f"/api/v1/campaigns/{campaign.id}/final-report/request-changes",
        json={"reason": "Foto's ontbreken"},
        headers=h1,
    ).get_json()
    assert back["status"] == "changes_requested"
    _error(client.post(f"/api/v1/campaigns/{campaign.id}/final-report/approve", headers=h1), 409)
    client.post(f"/api/v1/campaigns/{campaign.id}/final-report", json=body, headers=oh)
    assert (
        client.post(f"/api/v1/campaigns/{campaign.id}/final-report/approve", headers=h1).get_json()["status"]
        == "approved"
    )
    figures = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert (figures["payable_cents"], figures["held_back_cents"], figures["requestable_cents"]) == (
        40_000,
        0,
        40_000,
    )


def test_a_call_may_hold_back_another_share():
    campaign = h.settled_project(raised=100_000, share=0.5)
    fig = payouts.figures(campaign)
    assert (fig.held_back_cents, fig.requestable_cents) == (100_000, 100_000)


def test_the_call_setting_final_report_share(client, project, managers):
    campaign, _owner, oh = project
    (_m1, h1), _ = managers
    url = f"/api/v1/calls/{campaign.call_id}/payout-settings"
    assert client.get(url, headers=h1).get_json()["final_report_share"] == 0.2
    _error(client.put(url, json={"final_report_share": 1.5}, headers=h1), 422)
    _error(client.put(url, json={"final_report_share": 0.5}, headers=oh), 403)
    _error(
        client.put("/api/v1/calls/999999/payout-settings", json={"final_report_share": 0.5}, headers=h1), 404
    )
    assert (
        client.put(url, json={"final_report_share": 0.5}, headers=h1).get_json()["final_report_share"] == 0.5
    )
    figures = client.get(f"/api/v1/campaigns/{campaign.id}/payouts", headers=oh).get_json()
    assert (figures["held_back_cents"], figures["final_report_share"]) == (100_000, 0.5)


def test_a_changed_amount_above_what_is_left_is_refused_on_resubmission(client, project, managers):
    campaign, _owner, oh = project
    (_m1, h1), _ = managers
    req = h.request(campaign, 100_000)
    client.post(f"/api/v1/payout-requests/{req.id}/request-changes", json={"reason": "Te laag"}, headers=h1)
    client.patch(f"/api/v1/payout-requests/{req.id}", json={"amount_cents": 170_000}, headers=oh)
    body = _error(client.post(f"/api/v1/payout-requests/{req.id}/submit", headers=oh), 409, "above_payable")
    assert body["details"]["requestable_cents"] == 160_000
    client.patch(f"/api/v1/payout-requests/{req.id}", json={"amount_cents": 160_000}, headers=oh)
    assert (
        client.post(f"/api/v1/payout-requests/{req.id}/submit", headers=oh).get_json()["status"]
        == "submitted"
    )
