"""The backer's path in a real browser with the demo gateway: find a campaign, pledge, pay on
the demo checkout, and see the progress bar, raised and backers move."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.campaigns import services
from app.campaigns.models import Pledge
from app.extensions import db
from tests import factories


def _campaign(goal: int):
    call = factories.call(municipalities=["Eeklo", "Maldegem"], theme="klimaat")
    application = factories.application(
        call, status="selected", title="Deelfietsen Eeklo", municipality="Eeklo", target_cents=goal
    )
    campaign = services.create_campaign(application)
    services.open_campaign(campaign, None)
    other = factories.application(call, status="selected", title="Zorgboerderij", municipality="Maldegem")
    services.open_campaign(services.create_campaign(other), None)
    db.session.commit()
    return campaign


def test_backer_finds_pledges_pays_and_sees_the_progress(page, live):
    campaign = _campaign(goal=10_000)

    # Find it: filter on municipality and search by name.
    page.goto("/")
    page.get_by_role("link", name="Campagnes", exact=True).click()
    page.get_by_label("Gemeente", exact=True).select_option("Eeklo")
    page.get_by_label("Zoeken op naam", exact=True).fill("deelfiets")
    page.get_by_role("button", name="Toon", exact=True).click()
    expect(page.get_by_role("link", name="Zorgboerderij")).to_have_count(0)
    page.get_by_role("link", name="Deelfietsen Eeklo", exact=True).click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("backers")).to_have_text("0")

    # Pledge without an account; a wrong amount is shown next to the field first.
    page.get_by_role("link", name="Steun dit project", exact=True).click()
    page.get_by_label("Bedrag in euro", exact=True).fill("2")
    page.get_by_label("E-mailadres", exact=True).fill("bea@example.org")
    page.get_by_label("Naam op de campagnepagina", exact=True).fill("Bea")
    page.get_by_label("Boodschap (optioneel)", exact=True).fill("Trappen maar!")
    page.get_by_role("button", name="Verder naar betalen", exact=True).click()
    expect(page.locator(".field.has-error .error")).to_contain_text("Vul een bedrag in van € 5 tot € 5.000")
    page.get_by_label("Bedrag in euro", exact=True).fill("40")
    page.get_by_role("button", name="Verder naar betalen", exact=True).click()

    # The demo checkout, clearly marked; Pay produces the same event as Stripe's webhook.
    expect(page.locator(".demo-banner")).to_contain_text("DEMO")
    expect(page.get_by_test_id("demo-amount")).to_contain_text("40,00")
    page.get_by_role("button", name="Betalen (demo)", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    expect(page.get_by_test_id("outcome")).to_contain_text("is betaald")
    page.get_by_role("link", name="Bekijk de stand van je bijdrage").click()
    expect(page.get_by_test_id("pledge-status")).to_contain_text("betaald")
    assert re.search(r"/pledges/\d+\?token=[0-9a-f]{40}$", page.url)

    page.get_by_role("link", name="Naar de campagne", exact=True).click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "40")
    expect(page.get_by_test_id("raised")).to_contain_text("40,00")
    expect(page.get_by_test_id("backers")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("Trappen maar!")

    db.session.commit()
    pledge = db.session.scalar(db.select(Pledge))
    assert (pledge.status, pledge.amount_cents, pledge.email) == ("succeeded", 4000, "bea@example.org")
    assert services.raised_cents(db.session.get(type(campaign), campaign.id)) == 4000


def test_backer_whose_payment_fails_is_told_nothing_was_charged_and_retries(page, live):
    campaign = _campaign(goal=10_000)
    page.goto(f"/campaigns/{campaign.id}")
    page.get_by_role("link", name="Steun dit project", exact=True).click()
    page.get_by_label("Bedrag in euro", exact=True).fill("25.50")
    page.get_by_label("E-mailadres", exact=True).fill("cas@example.org")
    page.get_by_label("Naam op de campagnepagina", exact=True).fill("Cas")
    page.get_by_role("button", name="Verder naar betalen", exact=True).click()

    # The card is refused: no thanks, nothing charged, a retry with the same amount.
    page.get_by_role("button", name="Betaling laten mislukken (demo)", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je betaling is niet gelukt")
    expect(page.get_by_test_id("outcome")).to_contain_text("Er is niets afgeschreven")
    expect(page.locator("main")).not_to_contain_text("Bedankt")
    page.get_by_role("button", name="Opnieuw proberen te betalen", exact=True).click()

    # A new checkout for the same amount; this time it is paid.
    expect(page.get_by_test_id("demo-amount")).to_contain_text("25,50")
    page.get_by_role("button", name="Betalen (demo)", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    expect(page.get_by_test_id("outcome")).to_contain_text("25,50")
    expect(page.get_by_role("link", name="Deel via WhatsApp")).to_be_visible()

    page.get_by_role("link", name="Terug naar de campagne", exact=True).click()
    expect(page.get_by_test_id("raised")).to_contain_text("25,50")
    expect(page.get_by_test_id("backers")).to_have_text("1")
    db.session.commit()
    statuses = db.session.scalars(db.select(Pledge.status).order_by(Pledge.id)).all()
    assert statuses == ["failed", "succeeded"]
