"""The applicant's whole path in a real browser: register, confirm, draft, attach, submit,
follow the status; the fund manager screens; the applicant reads the result."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.calls.models import Application
from app.extensions import db
from tests.e2e.conftest import PASSWORD, login, logout

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _field(page, label):
    return page.get_by_label(label, exact=True)


def _error_of(page, label):
    """The error text shown next to the field with this label (macros.field)."""
    return page.locator(".field.has-error", has=page.get_by_label(label, exact=True)).locator(".error")


def test_applicant_registers_applies_and_reads_the_screening(page, live):
    call = live.call(title="Klimaatoproep Meetjesland", municipalities=["Eeklo", "Maldegem"])
    manager = live.user("fund_manager", email="fonds@example.org")

    # Register through the form; the confirmation link comes by mail (accounts signal).
    page.goto("/")
    page.get_by_role("link", name="Registreren", exact=True).click()
    _field(page, "E-mailadres").fill("an@example.org")
    _field(page, "Naam").fill("An Peeters")
    _field(page, "Wachtwoord").fill(PASSWORD)
    _field(page, "Wachtwoord (nogmaals)").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash.success")).to_contain_text("Welkom")
    confirm_url = live.mails["confirm"]["an@example.org"]
    assert confirm_url.startswith(live.url + "/account/confirm/")
    page.goto(confirm_url)
    expect(page.locator(".flash.success")).to_contain_text("bevestigd")
    # Registering does not log in (issue 12: the answer must not reveal who has an account).
    login(page, "an@example.org")
    page.goto("/")

    # Find the open call on the home page and start a draft with only a title.
    page.get_by_role("link", name="Klimaatoproep Meetjesland", exact=True).click()
    page.get_by_role("link", name="Een project indienen", exact=True).click()
    _field(page, "Titel van het project").fill("Repair café Eeklo")
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("Je ontwerp is bewaard")
    assert re.search(r"/applications/\d+/edit$", page.url)

    # Checking the incomplete draft names what is missing, at the top (focused) and next to
    # each field; the page title says "Fout"; nothing is submitted.
    page.get_by_role("button", name="Controleren en indienen", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Nog niet volledig")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Vul een samenvatting van het project in.")).to_be_visible()
    expect(_error_of(page, "Samenvatting")).to_contain_text("Vul een samenvatting van het project in.")
    assert page.title().startswith("Fout: ")

    # Complete it, with a wrong enterprise number and a renamed .exe: errors next to the fields.
    _field(page, "Samenvatting").fill("Herstellen in plaats van weggooien.")
    _field(page, "Beschrijving").fill("Elke maand een repair café in het OCMW-gebouw.")
    _field(page, "Gemeente").select_option("Eeklo")
    _field(page, "Type aanvrager").select_option("association")
    _field(page, "Naam van de organisatie").fill("Repair Eeklo vzw")
    _field(page, "Ondernemingsnummer (KBO)").fill("0123.456.789")
    _field(page, "Totaal budget (€)").fill("12.000,00")
    _field(page, "Streefbedrag crowdfunding (€)").fill("5.000,00")
    attach = "Bijlage toevoegen (PDF, JPEG of PNG, max. 10 MB)"
    _field(page, attach).set_input_files(
        {"name": "begroting.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(_error_of(page, "Ondernemingsnummer (KBO)")).to_contain_text("Geen geldig ondernemingsnummer")
    expect(_field(page, "Ondernemingsnummer (KBO)")).to_have_attribute("aria-invalid", "true")

    # Nothing of that bad save was kept.
    app_id = int(re.search(r"/applications/(\d+)/edit", page.url).group(1))
    db.session.commit()  # a fresh snapshot: see what the server committed
    stored = db.session.get(Application, app_id)
    assert stored.summary is None and stored.enterprise_number is None and stored.attachments == []

    _field(page, "Ondernemingsnummer (KBO)").fill("0123 456 749")
    _field(page, attach).set_input_files({"name": "virus.pdf", "mimeType": "application/pdf", "buffer": EXE})
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(_error_of(page, attach)).to_contain_text("Alleen PDF, JPEG of PNG")

    _field(page, attach).set_input_files(
        {"name": "begroting.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("Je ontwerp is bewaard")
    expect(page.locator("main")).to_contain_text("begroting.pdf")

    # Check the answers, then submit: the confirmation says what happens next; the status
    # page and "my applications" say it is submitted.
    page.get_by_role("button", name="Controleren en indienen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer je aanvraag voor je ze indient")
    expect(page.locator("dl.answers")).to_contain_text("Repair Eeklo vzw (0123.456.749)")
    page.get_by_role("button", name="Aanvraag indienen", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("Je aanvraag is ingediend")
    expect(page.locator("main")).to_contain_text("Wat gebeurt er nu?")
    page.get_by_role("link", name="Je aanvraag bekijken", exact=True).click()
    expect(page.locator("#application-status")).to_have_text("ingediend")
    expect(page.locator("main")).to_contain_text("0123.456.749")
    expect(page.locator("main")).to_contain_text("€ 5.000,00")
    expect(page.get_by_role("link", name="begroting.pdf", exact=True)).to_be_visible()
    page.get_by_role("link", name="Mijn aanvragen", exact=True).click()
    expect(page.locator("main table")).to_contain_text("Repair café Eeklo")
    expect(page.locator("main table")).to_contain_text("ingediend")

    stored = live.reload(stored)
    assert stored.status == "submitted"
    assert stored.enterprise_number == "0123456749"
    assert (stored.budget_cents, stored.target_cents) == (1_200_000, 500_000)
    assert [a.filename for a in stored.attachments] == ["begroting.pdf"]
    assert stored.call_id == call.id

    # The fund manager screens it: ineligible, with a reason.
    logout(page)
    login(page, manager.email)
    page.get_by_role("link", name="Beheer", exact=True).click()
    page.get_by_role("link", name="Klimaatoproep Meetjesland", exact=True).click()
    page.get_by_role("link", name="Repair café Eeklo", exact=True).click()
    page.get_by_label("Niet ontvankelijk").check()
    page.get_by_role("button", name="Beslissing bewaren", exact=True).click()
    expect(_error_of(page, "Reden (de aanvrager leest dit)")).to_contain_text("Geef de aanvrager een reden")
    page.get_by_label("Niet ontvankelijk").check()
    _field(page, "Reden (de aanvrager leest dit)").fill("Het project ligt buiten het werkgebied.")
    page.get_by_role("button", name="Beslissing bewaren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("De beslissing is bewaard")
    expect(page.locator("main table")).to_contain_text("niet ontvankelijk")

    # The applicant reads the result and the reason.
    logout(page)
    login(page, "an@example.org")
    page.get_by_role("link", name="Mijn aanvragen", exact=True).click()
    page.get_by_role("link", name="Repair café Eeklo", exact=True).click()
    expect(page.locator("#application-status")).to_have_text("niet ontvankelijk")
    expect(page.locator("main")).to_contain_text("Het project ligt buiten het werkgebied.")
    # A screened application can no longer be withdrawn or edited.
    expect(page.get_by_role("button", name="Intrekken", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Intrekken", exact=True)).to_have_count(0)


def test_fund_manager_publishes_a_call_that_applicants_then_find(page, live):
    manager = live.user("fund_manager")
    applicant = live.user("applicant")

    login(page, manager.email)
    page.get_by_role("link", name="Beheer", exact=True).click()
    page.get_by_role("link", name="Nieuwe oproep", exact=True).click()
    _field(page, "Titel").fill("Kansen voor kinderen")
    _field(page, "Beschrijving").fill("Projecten voor kwetsbare kinderen en jongeren.")
    _field(page, "Thema").fill("jeugd")
    _field(page, "Gemeenten (één per regel)").fill("Aalter\nDeinze")
    _field(page, "Opent op (uur in België)").fill("2020-01-01T09:00")
    _field(page, "Sluit op (uur in België)").fill("2099-12-31T17:00")
    _field(page, "Jurycriteria: één per regel, als sleutel | label | gewicht | maximumscore").fill(
        "impact | Impact | 2 | 10\nhaalbaar | Haalbaarheid | 1 | 5"
    )
    _field(page, "Maximale verdubbeling per project (€)").fill("5.000,00")
    page.locator("main form button[type=submit]:has-text('Bewaren')").click()
    expect(page.locator(".flash.success")).to_contain_text("ontwerp")
    page.get_by_role("button", name="Publiceren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("gepubliceerd")

    logout(page)
    login(page, applicant.email)
    page.goto("/")
    page.get_by_role("link", name="Kansen voor kinderen", exact=True).click()
    expect(page.locator("main")).to_contain_text("tot € 5.000,00 per project")
    expect(page.locator("main")).to_contain_text("31 december 2099, 17:00")
    expect(page.get_by_role("link", name="Een project indienen", exact=True)).to_be_visible()
