"""Issue 18, applicants and staff: GOV.UK's error pattern on the forms, the application's
task list / check-your-answers / confirmation, destructive actions that ask on a page of
their own, the grouped staff menu, the audit trail in words, numbers in the locale."""

from __future__ import annotations

import re

import pytest

from app.calls.models import Application
from app.core import audit
from app.extensions import db
from tests import factories as f

FORM = {
    "title": "Buurtmoestuin",
    "summary": "Een moestuin voor de buurt.",
    "description": "We leggen een moestuin aan.",
    "municipality": "Gent",
    "applicant_type": "association",
    "organisation": "Buurtwerking vzw",
    "enterprise_number": "0123.456.749",
    "budget": "12.000,00",
    "target": "5.000,00",
}


def _login(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert resp.status_code == 302


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --- the error pattern -------------------------------------------------------------------


def test_a_form_with_errors_has_a_summary_that_links_to_each_field(client):
    resp = client.post("/account/register", data={"email": "", "password": "kort", "password_again": "x"})
    html = resp.get_data(as_text=True)
    assert _title(html).startswith("Fout: ")
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary is not None and "autofocus" in html and 'tabindex="-1"' in html
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(1))
    assert [target for target, _text in links] == ["email", "password", "password_again"]
    # Specific wording instead of WTForms' "Dit veld is vereist."
    assert ("email", "Vul ‘E-mailadres’ in.") in links
    assert "vereist" not in html
    # The same message next to the field, which says it is invalid and points at it.
    assert (
        '<p class="error" id="email-error"><span class="sr-only">Fout: </span>Vul ‘E-mailadres’ in.</p>'
        in html
    )
    assert re.search(
        r'<input[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"|'
        r'<input[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"',
        html,
    )
    # Required fields marked, personal fields with their autocomplete purpose.
    assert "Velden met een * zijn verplicht." in html and 'class="req" aria-hidden="true">*' in html
    assert 'autocomplete="email"' in html and 'autocomplete="new-password"' in html


def test_a_form_without_errors_has_no_summary_and_a_plain_title(client):
    html = client.get("/account/login").get_data(as_text=True)
    assert "error-summary" not in html and not _title(html).startswith("Fout")
    assert 'autocomplete="email"' in html and 'autocomplete="current-password"' in html
    assert "forms.js" not in html  # pages without errors carry no script


# --- the application ---------------------------------------------------------------------


@pytest.fixture
def applicant(client):
    user = f.user("applicant", email="an@example.org")
    _login(client, user)
    return user


def test_task_list_check_your_answers_and_confirmation(client, applicant):
    call = f.call()
    resp = client.post(f"/calls/{call.id}/apply", data={"title": "Half", "action": "review"})
    [app] = db.session.query(Application).filter_by(owner_id=applicant.id).all()
    # Incomplete: back to the form, every missing field named there; nothing submitted.
    assert resp.status_code == 303 and resp.headers["Location"].endswith(
        f"/applications/{app.id}/edit?check=1"
    )
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _title(html).startswith("Fout: ") and "Nog niet volledig" in html
    for message in ("Vul een samenvatting van het project in.", "Vul het totale budget van het project in."):
        assert message in html
    assert html.count("Nog te doen") == 4  # project, where and who, money, attachments
    # Complete: the check-your-answers page, then the submission and its confirmation.
    resp = client.post(f"/applications/{app.id}/edit", data={**FORM, "action": "review"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/applications/{app.id}/check")
    html = client.get(f"/applications/{app.id}/check").get_data(as_text=True)
    assert "Buurtwerking vzw (0123.456.749)" in html and f'href="/applications/{app.id}/edit#summary"' in html
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "draft"  # looking submits nothing
    resp = client.post(f"/applications/{app.id}/submit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/applications/{app.id}/submitted")
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "submitted"
    html = client.get(f"/applications/{app.id}/submitted").get_data(as_text=True)
    assert "Wat gebeurt er nu?" in html and "De oproep sluit op" in html
    # Once submitted, the check page and the submit button lead back to the status page.
    assert client.get(f"/applications/{app.id}/check").status_code == 302


def test_organisation_fields_do_not_count_for_a_private_person(client, applicant):
    call = f.call(applicant_types=["individual", "association"])
    values = {**FORM, "applicant_type": "individual", "enterprise_number": "niet geldig"}
    resp = client.post(f"/calls/{call.id}/apply", data={**values, "action": "save"})
    assert resp.status_code == 302
    [app] = db.session.query(Application).filter_by(owner_id=applicant.id).all()
    assert app.organisation is None and app.enterprise_number is None
    html = client.get(f"/applications/{app.id}/edit").get_data(as_text=True)
    assert 'data-show-when="applicant_type:,association,company"' in html and "forms.js" in html
    # For an association the same number is checked (and refused).
    resp = client.post(
        f"/applications/{app.id}/edit", data={**values, "applicant_type": "association", "action": "save"}
    )
    assert resp.status_code == 422 and "Geen geldig ondernemingsnummer" in resp.get_data(as_text=True)


# --- destructive actions -----------------------------------------------------------------


def test_withdrawing_asks_on_a_page_of_its_own(client, applicant):
    app = f.application(f.call(), applicant, status="submitted")
    page = client.get(f"/applications/{app.id}").get_data(as_text=True)
    assert f'class="button button--danger" href="/applications/{app.id}/withdraw"' in page
    confirm = client.get(f"/applications/{app.id}/withdraw")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Ja, aanvraag intrekken" in html
    assert f'<form method="post" action="/applications/{app.id}/withdraw">' in html
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "submitted"  # asking changes nothing
    assert client.post(f"/applications/{app.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "withdrawn"


def test_no_button_is_primary_just_because_it_is_alone(app):
    css = (app.static_folder + "/site.css").replace("//", "/")
    with open(css, encoding="utf-8") as fh:
        text = fh.read()
    assert ":only-of-type" not in text and ".button--danger" in text


# --- menus, audit trail, numbers ----------------------------------------------------------


def test_the_staff_menu_is_grouped_and_an_owner_sees_my_campaigns(client):
    _login(client, f.user("fund_manager"))
    html = client.get("/").get_data(as_text=True)
    staff = re.search(r'<nav class="staff"(.*?)</nav>', html, re.S).group(1)
    assert "Geld" in staff and "Toezicht" in staff and "Sponsors" in staff and "Audittrail" in staff
    main_nav = re.search(r'<header class="site">(.*?)</header>', html, re.S).group(1)
    assert "Sponsors" not in main_nav and "Mijn campagnes" not in main_nav
    client.post("/account/logout")
    _login(client, f.user("applicant"))
    html = client.get("/").get_data(as_text=True)
    assert 'class="staff"' not in html and "Mijn campagnes" not in html


def test_the_audit_trail_reads_in_words_and_filters_by_name(client):
    jo = f.user("juror", display_name="Jo Jurylid")
    other = f.user("juror", display_name="Ann Anders")
    audit.record(db.session, jo.id, "jury.score_saved", "jury_assignment", 1, None, {"impact": 8})
    audit.record(db.session, other.id, "jury.score_submitted", "jury_assignment", 2, None, {"impact": 3})
    _login(client, f.user("auditor"))
    html = client.get("/transparency/audit?who=jurylid").get_data(as_text=True)
    assert "Score opgeslagen door Jo Jurylid" in html and "Ann Anders" not in html
    assert '<details class="json"><summary>Voor en na (JSON)</summary>' in html
    assert 'role="region"' in html and 'class="table-scroll" tabindex="0"' in html


def test_scores_use_the_decimal_sign_of_the_language(app):
    from flask_babel import refresh

    from app.core.setup import decimal

    with app.test_request_context("/?lang=nl"):
        refresh()  # the locale is kept per app context, which these requests share
        assert decimal(71.666) == "71,67"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert decimal(71.666) == "71.67" and decimal(1234.5, 1) == "1,234.5"


def test_dutch_content_in_an_english_page_says_it_is_dutch(client):
    call = f.call(title="Klimaatoproep Meetjesland")
    html = client.get(f"/calls/{call.id}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and '<h1><span lang="nl">Klimaatoproep Meetjesland</span></h1>' in html
    html = client.get(f"/calls/{call.id}?lang=nl").get_data(as_text=True)
    assert "<h1>Klimaatoproep Meetjesland</h1>" in html
