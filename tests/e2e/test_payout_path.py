"""Paying a project in a real browser: the owner of a succeeded, settled campaign uploads
two invoices and asks for a payout; two fund managers approve; a SEPA file is exported
(and validates against the pain.001 schema); marking it paid moves the project's account,
the campaign page and the call's report."""

from __future__ import annotations

import os

import sepaxml
import xmlschema
from playwright.sync_api import expect

from app.extensions import db
from app.ledger import services as ledger
from app.payouts import services as payouts
from app.transparency import report_data
from tests.e2e.conftest import login, logout
from tests.payouts import helpers as h

PDF_FILE = {"name": "factuur.pdf", "mimeType": "application/pdf", "buffer": h.PDF}


def _invoice(page, supplier: str, euro: str) -> None:
    page.get_by_label("Factuur of kasticket (PDF, JPEG of PNG)", exact=True).set_input_files(PDF_FILE)
    page.get_by_label("Leverancier", exact=True).fill(supplier)
    page.get_by_label("Factuurdatum", exact=True).fill("2026-05-01")
    page.get_by_label("Bedrag van de factuur in euro", exact=True).fill(euro)
    page.get_by_role("button", name="Factuur opladen", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("De factuur is opgeladen")


def _approve(page, email: str, request_id: int) -> None:
    login(page, email)
    page.goto("/manage/payouts")
    page.get_by_role("link", name=f"Aanvraag {request_id}", exact=True).click()
    page.get_by_role("button", name="Goedkeuren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("Je goedkeuring is bewaard")


def test_owner_asks_two_managers_approve_the_batch_is_exported_and_paid(page, live, tmp_path):
    fund = {
        "PAYOUT_DEBTOR_NAME": h.FUND["name"],
        "PAYOUT_DEBTOR_IBAN": h.FUND["iban"],
        "PAYOUT_DEBTOR_BIC": "",
    }
    saved = {k: live.app.config.get(k) for k in fund}
    live.app.config.update(fund)
    try:
        campaign = h.settled_project(raised=100_000)  # € 1.000 raised + € 1.000 matched
        owner = h.owner_of(campaign)
        m1, m2 = live.user("fund_manager"), live.user("fund_manager")
        live.commit()

        login(page, owner.email)
        page.goto(f"/campaigns/{campaign.id}")
        page.get_by_role("link", name="Uitbetalingen en eindverslag", exact=True).click()
        expect(page.get_by_test_id("payable")).to_contain_text("2.000,00")
        expect(page.get_by_test_id("held-back")).to_contain_text("400,00")
        _invoice(page, "Tuincentrum De Linde", "700,00")
        _invoice(page, "Drukkerij Eeklo", "500,00")
        # A wrong IBAN is shown next to its field; nothing is asked.
        page.get_by_label("Uit te betalen bedrag in euro", exact=True).fill("1.200,00")
        page.get_by_label("IBAN-rekeningnummer", exact=True).fill(h.BAD_IBAN)
        page.get_by_label("Naam van de rekeninghouder", exact=True).fill("Buurtwerking vzw")
        page.get_by_label("Mededeling", exact=True).fill("Eerste schijf")
        page.get_by_label("Tuincentrum De Linde — 2026-05-01", exact=True).check()
        page.get_by_label("Drukkerij Eeklo — 2026-05-01", exact=True).check()
        page.get_by_role("button", name="Uitbetaling aanvragen", exact=True).click()
        expect(page.locator(".field.has-error .error")).to_contain_text("Dit IBAN-nummer klopt niet")
        page.get_by_label("IBAN-rekeningnummer", exact=True).fill(h.GOOD_IBAN)
        page.get_by_label("Tuincentrum De Linde — 2026-05-01", exact=True).check()
        page.get_by_label("Drukkerij Eeklo — 2026-05-01", exact=True).check()
        page.get_by_role("button", name="Uitbetaling aanvragen", exact=True).click()
        expect(page.locator(".flash.success")).to_contain_text("Je aanvraag is ingediend")
        expect(page.get_by_test_id("requested")).to_contain_text("1.200,00")
        expect(page.get_by_test_id("payable")).to_contain_text("800,00")
        logout(page)

        db.session.commit()
        request_id = payouts.requests_of(campaign)[0].id
        _approve(page, m1.email, request_id)
        expect(page.get_by_test_id("approvals")).to_have_text("1 / 2")
        logout(page)
        _approve(page, m2.email, request_id)
        expect(page.get_by_test_id("request-status")).to_contain_text("goedgekeurd")

        page.goto("/manage/payouts")
        page.get_by_role("button", name="Betaalbestand (SEPA) maken", exact=True).click()
        expect(page.locator(".flash.success")).to_contain_text("Het betaalbestand is klaar")
        with page.expect_download() as download:
            page.get_by_role("link", name="SEPA-bestand downloaden", exact=True).click()
        target = tmp_path / "batch.xml"
        download.value.save_as(target)
        xml = target.read_text(encoding="utf-8")
        version = "pain.001.001.09"
        assert f"urn:iso:std:iso:20022:tech:xsd:{version}" in xml
        xsd = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{version}.xsd")
        xmlschema.XMLSchema(xsd).validate(xml)
        assert "1200.00" in xml

        page.get_by_role("button", name="Als betaald boeken", exact=True).click()
        expect(page.get_by_test_id("batch-status")).to_contain_text("betaald")
        page.goto(f"/campaigns/{campaign.id}/payouts")
        expect(page.get_by_test_id("paid-out")).to_contain_text("1.200,00")
        expect(page.get_by_test_id("requested")).to_contain_text("0,00")
        expect(page.get_by_test_id("payable")).to_contain_text("800,00")
        page.goto(f"/campaigns/{campaign.id}")
        expect(page.get_by_test_id("money-spent")).to_contain_text("Wat is er met het geld gebeurd?")
        expect(page.get_by_test_id("money-spent")).to_contain_text("1.200,00")

        db.session.commit()
        assert ledger.balance(payouts.paid_out_account(campaign.id)) == 120_000
        call = db.session.get(type(campaign), campaign.id).call
        body = report_data.call_report(call, {"seq": 0, "hash": "0" * 64, "count": 0}, lambda _p: None)
        assert [p["paid_out_cents"] for p in body["payouts"]] == [120_000]
    finally:
        live.app.config.update(saved)
