"""The payout pages: forms with their errors next to the fields, roles on every object,
CSRF, the campaign page's "Wat is er met het geld gebeurd?" and the call's report."""

from __future__ import annotations

import io

from app.extensions import db
from app.payouts import services as payouts
from app.payouts.models import Invoice, PayoutRequest
from tests import factories
from tests.payouts import helpers as h


def login(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    assert resp.status_code == 302


def _field_error(html: str, field_id: str) -> bool:
    return f'id="{field_id}-error"' in html


def test_owner_uploads_asks_and_sees_errors_next_to_the_fields(client):
    campaign = h.settled_project(raised=100_000)
    owner = h.owner_of(campaign)
    login(client, owner)
    page = client.get(f"/campaigns/{campaign.id}/payouts")
    assert page.status_code == 200 and "2.000,00" in page.get_data(as_text=True)
    bad = client.post(
        f"/campaigns/{campaign.id}/payouts/invoices",
        data={
            "invoice-file": (io.BytesIO(b"not a pdf"), "f.pdf"),
            "invoice-supplier": "X",
            "invoice-invoice_date": "2026-05-01",
            "invoice-amount": "10",
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and _field_error(bad.get_data(as_text=True), "invoice-file")
    ok = client.post(
        f"/campaigns/{campaign.id}/payouts/invoices",
        data={
            "invoice-file": (io.BytesIO(h.PDF), "f.pdf"),
            "invoice-supplier": "Tuincentrum",
            "invoice-invoice_date": "2026-05-01",
            "invoice-amount": "600,00",
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    inv = db.session.scalar(db.select(Invoice))
    assert inv.amount_cents == 60_000
    form = {
        "amount": "500,00",
        "iban": h.BAD_IBAN,
        "account_holder": "Buurtwerking vzw",
        "description": "Eerste schijf",
        "invoice_ids": [str(inv.id)],
    }
    resp = client.post(f"/campaigns/{campaign.id}/payouts/requests", data=form)
    assert resp.status_code == 422 and _field_error(resp.get_data(as_text=True), "iban")
    resp = client.post(
        f"/campaigns/{campaign.id}/payouts/requests", data={**form, "iban": h.GOOD_IBAN, "amount": "1.600,01"}
    )
    assert resp.status_code == 422 and _field_error(resp.get_data(as_text=True), "amount")
    resp = client.post(
        f"/campaigns/{campaign.id}/payouts/requests", data={**form, "iban": h.GOOD_IBAN, "invoice_ids": []}
    )
    assert resp.status_code == 422 and _field_error(resp.get_data(as_text=True), "invoice_ids")
    assert db.session.query(PayoutRequest).count() == 0
    resp = client.post(f"/campaigns/{campaign.id}/payouts/requests", data={**form, "iban": h.GOOD_IBAN})
    assert resp.status_code == 302
    assert db.session.scalar(db.select(PayoutRequest)).amount_cents == 50_000


def test_roles_on_the_payout_pages(client):
    campaign = h.settled_project()
    req = h.request(campaign)
    owner = h.owner_of(campaign)
    login(client, factories.user("applicant"))
    assert client.get(f"/campaigns/{campaign.id}/payouts").status_code == 404
    assert client.get(f"/payout-requests/{req.id}").status_code == 404
    assert client.get("/manage/payouts").status_code == 403
    client.post("/account/logout")
    login(client, owner)
    assert client.post(f"/payout-requests/{req.id}/approve").status_code == 403
    client.post("/account/logout")
    auditor = factories.user("auditor")
    login(client, auditor)
    assert client.get(f"/payout-requests/{req.id}").status_code == 200
    assert client.get("/manage/payouts").status_code == 200
    assert client.post(f"/payout-requests/{req.id}/approve").status_code == 403
    assert client.post("/manage/payouts/batches").status_code == 403


def test_managers_approve_export_and_mark_paid_by_the_pages(client):
    campaign = h.settled_project(raised=100_000)
    req = h.request(campaign, 40_000)
    m1, m2 = factories.user("fund_manager"), factories.user("fund_manager")
    login(client, m1)
    assert client.post(f"/payout-requests/{req.id}/approve").status_code == 302
    again = client.post(f"/payout-requests/{req.id}/approve")
    assert again.status_code == 409 and "al goedgekeurd" in again.get_data(as_text=True)
    client.post("/account/logout")
    login(client, m2)
    client.post(f"/payout-requests/{req.id}/approve")
    assert db.session.get(PayoutRequest, req.id).status == "approved"
    resp = client.post("/manage/payouts/batches")
    assert resp.status_code == 302
    batch_url = resp.headers["Location"]
    assert client.get(batch_url + "/sepa.xml").data.startswith(b"<?xml")
    client.post(batch_url + "/paid")
    db.session.expire_all()
    assert db.session.get(PayoutRequest, req.id).status == "paid"
    assert payouts.figures(campaign).paid_out_cents == 40_000


def test_forms_need_the_csrf_token(csrf_app):
    with csrf_app.app_context():
        campaign = h.settled_project()
        owner = h.owner_of(campaign)
        db.session.commit()
        c = csrf_app.test_client()
        c.post("/account/login", data={"email": owner.email, "password": factories.PASSWORD})
        resp = c.post(f"/campaigns/{campaign.id}/payouts/project-end", data={"ends_on": "2027-06-30"})
        assert resp.status_code in (400, 422)
        assert payouts.report_of(campaign) is None


def test_the_campaign_page_and_the_report_show_what_the_money_became(client):
    campaign = h.settled_project(raised=100_000)
    owner = h.owner_of(campaign)
    req = h.approved(campaign, 50_000)
    manager = factories.user("fund_manager")
    batch = payouts.create_batch(manager)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Wat is er met het geld gebeurd?" not in page
    payouts.mark_paid(batch.id, manager)
    payouts.submit_report(
        campaign.id,
        {
            "summary": "Veertig gezinnen oogsten nu samen.",
            "spending": [{"description": "Plantgoed", "amount_cents": 50_000}],
        },
        owner,
    )
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Wat is er met het geld gebeurd?" in page and "500,00" in page
    assert "Veertig gezinnen" not in page  # not approved yet
    payouts.decide_report(campaign.id, manager, True)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Veertig gezinnen" in page and req.iban not in page

    from app.transparency import report_data

    body = report_data.call_report(campaign.call, {"seq": 0, "hash": "0" * 64, "count": 0}, lambda _p: None)
    assert body["payouts"][0]["paid_out_cents"] == 50_000
    assert body["payouts"][0]["instalments"][0]["paid_at"]
    assert body["payouts"][0]["final_report"]["summary"].startswith("Veertig")
    assert req.iban not in str(body) and "iban" not in str(body).lower()


def test_final_report_by_the_pages_with_spending_against_the_budget(client):
    campaign = h.settled_project(raised=100_000)  # budget of the application: € 2.000
    owner = h.owner_of(campaign)
    login(client, owner)
    bad = client.post(
        f"/campaigns/{campaign.id}/payouts/final-report",
        data={"summary": "Klaar.", "spending": "Plantgoed zonder bedrag"},
    )
    assert bad.status_code == 422 and _field_error(bad.get_data(as_text=True), "spending")
    ok = client.post(
        f"/campaigns/{campaign.id}/payouts/final-report",
        data={"summary": "Klaar.", "spending": "Plantgoed; 1.250,00\nGereedschap; 250,00"},
    )
    assert ok.status_code == 302
    report = payouts.report_of(campaign)
    assert [s["amount_cents"] for s in report.spending] == [125_000, 25_000]
    page = client.get(f"/campaigns/{campaign.id}/payouts").get_data(as_text=True)
    line = page.split('data-testid="spending-vs-budget">')[1].split("</p>")[0].replace("\xa0", " ")
    assert line == "Uitgegeven: € 1.500,00; begroting van de aanvraag: € 2.000,00."
    client.post("/account/logout")
    login(client, factories.user("fund_manager"))
    resp = client.post(f"/campaigns/{campaign.id}/payouts/final-report/changes", data={"reason": ""})
    assert resp.status_code == 422 and _field_error(resp.get_data(as_text=True), "reason")
    assert client.post(f"/campaigns/{campaign.id}/payouts/final-report/approve").status_code == 302
    assert payouts.report_of(campaign).status == "approved"
