"""A backer pays by bank transfer in a real browser: the form offers it, the pledge page
shows the account, the structured communication and the QR code; a fund manager imports
the bank's statement on the Bank page and the pledge counts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.campaigns import services
from app.campaigns.models import Pledge
from app.core import structured_reference as ogm
from app.demo.bank_files import Move, Stmt, coda
from app.extensions import db
from tests import factories

IBAN = "BE68539007547034"


@pytest.fixture
def fund_account(live):
    saved = {k: live.app.config.get(k) for k in ("BANK_IBAN", "BANK_BIC", "BANK_BENEFICIARY")}
    live.app.config.update(BANK_IBAN=IBAN, BANK_BIC="GKCCBEBB", BANK_BENEFICIARY="Streekfonds vzw")
    yield
    live.app.config.update(saved)


def test_backer_pays_by_transfer_and_the_statement_makes_it_count(page, live, fund_account, login, tmp_path):
    call = factories.call()
    application = factories.application(
        call, status="selected", title="Speelbos Lembeke", target_cents=50_000
    )
    campaign = services.create_campaign(application)
    services.open_campaign(campaign, None)
    manager = live.user("fund_manager", email="kassa@example.org")

    page.goto(f"/campaigns/{campaign.id}/pledge")
    page.get_by_label("Met een overschrijving (QR-code of rekeningnummer)").check()
    page.get_by_label("Bedrag in euro", exact=True).fill("25,50")
    page.get_by_label("E-mailadres", exact=True).fill("bea@example.org")
    page.get_by_label("Naam op de campagnepagina", exact=True).fill("Bea")
    page.get_by_role("button", name="Verder naar betalen", exact=True).click()

    expect(page.get_by_role("heading", name="Zo betaal je met een overschrijving")).to_be_visible()
    expect(page.get_by_test_id("transfer-iban")).to_have_text("BE68 5390 0754 7034")
    reference = page.get_by_test_id("transfer-reference").inner_text().strip()
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", reference)
    qr = page.get_by_role("img", name=re.compile("QR-code om te betalen"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    db.session.commit()  # end the test's snapshot: the browser's request wrote the pledge
    pledge = db.session.scalar(db.select(Pledge).order_by(Pledge.id.desc()))
    assert reference == ogm.formatted(ogm.for_object(ogm.PLEDGE, pledge.id))
    status_url = page.url

    # The campaign page shows it as announced, not raised.
    page.goto(f"/campaigns/{campaign.id}")
    expect(page.get_by_test_id("announced")).to_contain_text("25,50")
    expect(page.get_by_test_id("raised")).to_contain_text("0,00")

    # The fund manager imports the bank's statement.
    statement = tmp_path / "uittreksel.cod"
    statement.write_bytes(
        coda(Stmt(IBAN, 3, 0, [Move(2550, structured=reference.strip("+").replace("/", ""))]))
    )
    login(page, manager.email)
    page.goto("/manage/bank")
    page.get_by_label("Rekeninguittreksel (CODA of CAMT.053)").set_input_files(str(statement))
    page.get_by_role("button", name="Inlezen", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("1 gekoppeld")

    page.goto(status_url)
    expect(page.get_by_test_id("pledge-status")).to_contain_text("betaald")
    page.goto(f"/campaigns/{campaign.id}")
    expect(page.get_by_test_id("raised")).to_contain_text("25,50")
