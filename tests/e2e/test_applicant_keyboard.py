"""An applicant with errors on the application form fixes them by keyboard alone (issue 18):
the error summary takes focus, its links lead to the fields, the organisation's fields hide
for a private person, and the check-your-answers page submits."""

from __future__ import annotations

from playwright.sync_api import expect

from app.calls.models import Application
from app.extensions import db
from tests.e2e.conftest import login


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e && (e.id || e.textContent.trim()); }"
    )


def _tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the element whose id or text is `name` has focus."""
    for _ in range(limit):
        if _focused(page) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name!r} (last: {_focused(page)!r})")


def test_an_applicant_fixes_the_errors_with_the_keyboard(page, live):
    call = live.call(title="Buurtoproep", municipalities=["Eeklo", "Maldegem"])
    applicant = live.user("applicant")
    login(page, applicant.email)
    page.goto(f"/calls/{call.id}/apply")
    page.get_by_label("Titel van het project", exact=True).focus()
    page.keyboard.type("Repair café")
    _tab_to(page, "Controleren en indienen")
    page.keyboard.press("Enter")

    # The summary has focus and names every missing field; the title says "Fout".
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Fout: ")
    expect(summary.locator("a")).to_have_count(6)

    # Its first link leads to the summary field; type, then Tab on through the form.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Vul een samenvatting van het project in.")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Samenvatting", exact=True)).to_be_focused()
    page.keyboard.type("Herstellen in plaats van weggooien.")
    page.keyboard.press("Tab")
    page.keyboard.type("Elke maand een repair café.")
    page.keyboard.press("Tab")
    page.keyboard.type("Eeklo")  # type-ahead in the closed list
    expect(page.get_by_label("Gemeente", exact=True)).to_have_value("Eeklo")
    page.keyboard.press("Tab")
    page.keyboard.type("Particulier")
    expect(page.get_by_label("Type aanvrager", exact=True)).to_have_value("individual")
    # A private person: the organisation's fields are hidden, so Tab goes to the budget.
    expect(page.locator("#organisation-fields")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Totaal budget (€)", exact=True)).to_be_focused()
    page.keyboard.type("3.000,00")
    page.keyboard.press("Tab")
    page.keyboard.type("1.500,00")
    _tab_to(page, "Controleren en indienen")
    page.keyboard.press("Enter")

    # Check your answers, then submit from the keyboard.
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer je aanvraag voor je ze indient")
    assert not page.title().startswith("Fout")
    _tab_to(page, "Aanvraag indienen")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Wat gebeurt er nu?")

    db.session.commit()
    [stored] = db.session.query(Application).filter_by(owner_id=applicant.id).all()
    assert stored.status == "submitted" and stored.applicant_type == "individual"
    assert (stored.budget_cents, stored.target_cents, stored.municipality) == (300_000, 150_000, "Eeklo")
