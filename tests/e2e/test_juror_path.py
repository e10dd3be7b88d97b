"""The juror's path in a real browser: find the assignment, declare no conflict, score,
save, come back, submit, and only then see the other juror's scores."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.jury import services as jury
from app.jury.models import Assignment
from tests import factories
from tests.e2e.conftest import login


def test_juror_declares_scores_saves_and_submits(page, live):
    manager = live.user("fund_manager", email="fonds@example.org")
    call = factories.call(manager, title="Oproep Meetjesland")
    app = factories.application(call, status="eligible", title="Repair café Eeklo")
    other_app = factories.application(call, status="eligible", title="Speelstraat Maldegem")
    juror = live.user("juror", email="jo@example.org", display_name="Jo Jurylid")
    colleague = live.user("juror", email="jana@example.org", display_name="Jana Jurylid")
    clock.travel_to(call.closes_at + timedelta(hours=1))
    for u in (juror, colleague):
        jury.add_juror(call, u.email, manager)
        jury.assign(call, u.email, None, manager)
    jury.open_scoring(call, manager)
    jury.declare(app.id, colleague, False)
    jury.save_score(app.id, colleague, {"impact": 10, "feasibility": 5}, "Uitstekend", submit=True)
    live.commit()

    login(page, juror.email)
    page.get_by_role("link", name="Jury", exact=True).click()
    expect(page.get_by_role("heading", name="Oproep Meetjesland")).to_be_visible()
    page.get_by_role("link", name="Repair café Eeklo").click()

    # Before declaring: the applicant's name, not the file.
    expect(page.get_by_text("Verklaar eerst")).to_be_visible()
    expect(page.get_by_role("heading", name="De aanvraag")).to_have_count(0)
    page.get_by_label("Nee, ik heb geen belangenconflict").check()
    page.get_by_role("button", name="Verklaring bewaren").click()
    expect(page.locator(".flash.success")).to_contain_text("geen belangenconflict")
    expect(page.get_by_role("heading", name="De aanvraag")).to_be_visible()

    # Save a partial score, come back later, complete and submit.
    page.get_by_label("Impact (0–10)").fill("8")
    page.get_by_label("Commentaar").fill("Sterk verankerd in de buurt.")
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("bewaard")
    expect(page.get_by_role("heading", name="Scores van de andere juryleden")).to_have_count(0)
    page.get_by_role("link", name="Mijn jurywerk").click()
    expect(page.get_by_role("row", name="Repair café Eeklo")).to_contain_text("bewaard, niet ingediend")
    page.get_by_role("link", name="Repair café Eeklo").click()
    expect(page.get_by_label("Impact (0–10)")).to_have_value("8")
    page.get_by_role("button", name="Indienen").click()
    # The message at the field, and a link to it in the summary at the top (issue 18).
    expect(page.locator("#score_feasibility-error")).to_contain_text("Geef een score om in te dienen")
    expect(page.locator(".error-summary a[href='#score_feasibility']")).to_be_visible()
    page.get_by_label("Haalbaarheid (0–5)").fill("3")
    page.get_by_role("button", name="Indienen").click()
    expect(page.locator(".flash.success")).to_contain_text("ingediend")
    expect(page.get_by_text("73,33 / 100")).to_be_visible()  # the decimal comma of Dutch
    # Now the other juror's submitted scores show.
    expect(page.get_by_role("heading", name="Scores van de andere juryleden")).to_be_visible()
    expect(page.get_by_role("row", name="Jana Jurylid")).to_contain_text("Uitstekend")

    # A conflict on the other application takes it away.
    page.get_by_role("link", name="Mijn jurywerk").click()
    page.get_by_role("link", name="Speelstraat Maldegem").click()
    page.get_by_label("Ja, ik heb een belangenconflict").check()
    page.get_by_label("Reden van het conflict").fill("Mijn broer trekt dit project.")
    page.get_by_role("button", name="Verklaring bewaren").click()
    expect(page.locator(".flash.info")).to_contain_text("belangenconflict")
    expect(page.get_by_role("link", name="Speelstraat Maldegem")).to_have_count(0)

    db.session.commit()
    mine = {a.application_id: a for a in db.session.query(Assignment).filter_by(user_id=juror.id)}
    assert mine[app.id].submitted_at is not None and mine[app.id].scores == {"impact": 8, "feasibility": 3}
    assert mine[other_app.id].declaration == "conflict"
