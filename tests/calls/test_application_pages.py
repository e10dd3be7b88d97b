"""The applicant's HTML pages: drafts, errors next to fields, uploads, submission, CSRF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.calls import services
from app.calls.models import Application, Attachment
from app.core import clock
from app.core.errors import ValidationFailed
from app.core.uploads import check_upload, safe_filename, sniff
from app.extensions import db
from tests import factories as f

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 32
TEN_MB = 10 * 1024 * 1024

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


@pytest.fixture
def applicant(client):
    user = f.user("applicant", email="an@example.org")
    client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    return user


@pytest.fixture
def call():
    return f.call()


def _apps(user):
    return db.session.query(Application).filter_by(owner_id=user.id).all()


def test_save_a_partial_draft_then_complete_and_submit(client, applicant, call):
    resp = client.post(f"/calls/{call.id}/apply", data={"title": "Eerst een titel", "action": "save"})
    assert resp.status_code == 302
    [app] = _apps(applicant)
    assert app.status == "draft" and app.title == "Eerst een titel"
    assert resp.headers["Location"].endswith(f"/applications/{app.id}/edit")

    # The edit page shows what was saved; amounts come back the Belgian way.
    resp = client.post(f"/applications/{app.id}/edit", data={**FORM, "action": "save"})
    assert resp.status_code == 302
    page = client.get(f"/applications/{app.id}/edit").get_data(as_text=True)
    assert 'value="12.000,00"' in page and 'value="0123.456.749"' in page

    resp = client.post(f"/applications/{app.id}/edit", data={**FORM, "action": "submit"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "submitted"
    page = client.get(f"/applications/{app.id}").get_data(as_text=True)
    assert "ingediend" in page and "€ 5.000,00" in page.replace("\xa0", " ")
    # A submitted application can no longer be edited: the edit page sends one back.
    assert client.get(f"/applications/{app.id}/edit").status_code == 302


def test_submitting_an_incomplete_draft_names_the_missing_fields(client, applicant, call):
    client.post(f"/calls/{call.id}/apply", data={"title": "Half", "action": "save"})
    [app] = _apps(applicant)
    resp = client.post(
        f"/applications/{app.id}/edit", data={"title": "Half", "action": "submit"}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert "Nog niet volledig" in html and "Samenvatting" in html and "Totaal budget" in html
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "draft"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"enterprise_number": "0123.456.789"}, "enterprise_number", "Geen geldig ondernemingsnummer"),
        ({"budget": "twaalf"}, "budget", "Schrijf een bedrag als 1.250,00."),
        ({"target": "13.000,00"}, "target", "Het streefbedrag mag niet hoger zijn dan het budget."),
        ({"municipality": "Parijs"}, "municipality", ""),
    ],
)
def test_errors_appear_next_to_the_field_and_nothing_is_saved(
    client, applicant, call, change, field, message
):
    resp = client.post(f"/calls/{call.id}/apply", data={**FORM, **change, "action": "save"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">' in html
    assert f'aria-describedby="{field}-error"' in html
    assert message in html
    assert _apps(applicant) == []


def test_submit_after_the_deadline_is_refused_with_a_message(client, applicant, call):
    client.post(f"/calls/{call.id}/apply", data={**FORM, "action": "save"})
    [app] = _apps(applicant)
    clock.travel_to(call.closes_at + timedelta(minutes=1))
    resp = client.post(
        f"/applications/{app.id}/edit", data={**FORM, "action": "submit"}, follow_redirects=True
    )
    assert "De deadline van deze oproep is voorbij; indienen kan niet meer." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "draft"
    # The apply page of a closed call sends one back to the call.
    assert client.get(f"/calls/{call.id}/apply").status_code == 302


def test_withdraw_through_the_page(client, applicant, call):
    app = f.application(call, applicant, status="submitted")
    resp = client.post(f"/applications/{app.id}/withdraw")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == "withdrawn"
    resp = client.post(f"/applications/{app.id}/withdraw", follow_redirects=True)
    assert "kan niet van" in resp.get_data(as_text=True)


def test_someone_elses_application_pages_are_404(client, applicant, call):
    other = f.application(call)
    for url in (f"/applications/{other.id}", f"/applications/{other.id}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/applications/{other.id}/withdraw").status_code == 404
    assert client.post(f"/applications/{other.id}/edit", data={"title": "Van mij"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, other.id).status == "draft"
    assert db.session.get(Application, other.id).title == "Buurtmoestuin"


# --- uploads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")]
)
def test_upload_accepts_pdf_jpeg_png_by_content(client, applicant, call, content, kind):
    app = f.application(call, applicant)
    # The name lies: the bytes decide.
    data = {**FORM, "action": "save", "attachment": (io.BytesIO(content), "scan.bin")}
    resp = client.post(f"/applications/{app.id}/edit", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    [att] = db.session.query(Attachment).filter_by(application_id=app.id).all()
    assert att.content_type == kind and att.size == len(content) and att.filename == "scan.bin"
    resp = client.get(f"/applications/{app.id}/attachments/{att.id}")
    assert resp.data == content and resp.mimetype == kind
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in resp.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "begroting.pdf", "Alleen PDF, JPEG of PNG zijn toegestaan."),
        (b"<html><script>alert(1)</script>", "foto.png", "Alleen PDF, JPEG of PNG zijn toegestaan."),
        (PDF + b"\x00" * TEN_MB, "groot.pdf", "Het bestand is groter dan 10 MB."),
    ],
)
def test_upload_refuses_other_files_next_to_the_field(client, applicant, call, content, name, message):
    app = f.application(call, applicant)
    data = {"title": "Nieuwe titel", "action": "save", "attachment": (io.BytesIO(content), name)}
    resp = client.post(f"/applications/{app.id}/edit", data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="attachment-error"' in html and message in html
    db.session.expire_all()
    assert db.session.query(Attachment).count() == 0
    assert db.session.get(Application, app.id).title == "Buurtmoestuin"  # the save was refused whole


def test_exactly_ten_megabytes_is_accepted():
    checked = check_upload("a.pdf", PDF + b"\x00" * (TEN_MB - len(PDF)), TEN_MB)
    assert checked.size == TEN_MB
    with pytest.raises(ValidationFailed):
        check_upload("a.pdf", PDF + b"\x00" * (TEN_MB - len(PDF) + 1), TEN_MB)
    with pytest.raises(ValidationFailed):
        check_upload("leeg.pdf", b"", TEN_MB)


def test_sniff_and_safe_filename():
    assert sniff(PDF) == "application/pdf" and sniff(JPEG) == "image/jpeg" and sniff(PNG) == "image/png"
    assert sniff(EXE) is None and sniff(b"GIF89a") is None
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\an\\plan.pdf") == "plan.pdf"
    assert safe_filename('a"b<c>.pdf') == "a_b_c_.pdf"
    assert safe_filename("") == "bestand"


def test_attachments_only_on_a_draft_and_only_by_the_owner(call):
    owner = f.user()
    app = f.application(call, owner, status="submitted")
    with pytest.raises(Exception) as exc:
        services.add_attachment(app, "a.pdf", PDF, owner, TEN_MB)
    assert getattr(exc.value, "code", None) == "application_locked"
    draft = f.application(call, owner)
    with pytest.raises(Exception) as exc:
        services.add_attachment(draft, "a.pdf", PDF, f.user(), TEN_MB)
    assert getattr(exc.value, "status", None) == 404


def test_remove_an_attachment(client, applicant, call):
    app = f.application(call, applicant)
    att = services.add_attachment(app, "plan.pdf", PDF, applicant, TEN_MB)
    resp = client.post(f"/applications/{app.id}/attachments/{att.id}/delete")
    assert resp.status_code == 302
    assert db.session.query(Attachment).count() == 0


def test_another_users_attachment_is_404(client, applicant, call):
    owner = f.user()
    app = f.application(call, owner)
    att = services.add_attachment(app, "plan.pdf", PDF, owner, TEN_MB)
    assert client.get(f"/applications/{app.id}/attachments/{att.id}").status_code == 404
    assert client.post(f"/applications/{app.id}/attachments/{att.id}/delete").status_code == 404
    mine = f.application(call, applicant)
    # My application id with someone else's attachment id: still nothing.
    assert client.get(f"/applications/{mine.id}/attachments/{att.id}").status_code == 404


# --- CSRF ---------------------------------------------------------------------------------


def test_forms_refuse_a_post_without_the_csrf_token(csrf_app):
    c = csrf_app.test_client()
    user = f.user("applicant", email="an@example.org")
    resp = c.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert resp.status_code == 400
    assert "Afmelden" not in c.get("/").get_data(as_text=True)

    # With the token from the form, the same post works.
    page = c.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    resp = c.post("/account/login", data={"email": user.email, "password": f.PASSWORD, "csrf_token": token})
    assert resp.status_code == 302

    # Logged in, a forged post (no token) changes nothing.
    the_call = f.call()
    resp = c.post(f"/calls/{the_call.id}/apply", data={"title": "Vervalst", "action": "save"})
    assert resp.status_code == 400
    assert db.session.query(Application).count() == 0
    assert c.post("/account/logout").status_code == 400
    assert c.post("/lang/en").status_code == 400


def test_the_api_needs_no_csrf_token_but_a_bearer_token(csrf_app):
    c = csrf_app.test_client()
    headers = f.token_headers(f.user("fund_manager"))
    assert c.post("/api/v1/calls", json={"title": "Via de API"}, headers=headers).status_code == 201
    # A browser session does not open the API (so no CSRF through it).
    user = f.user("fund_manager", email="fonds@example.org")
    page = c.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    c.post("/account/login", data={"email": user.email, "password": f.PASSWORD, "csrf_token": token})
    assert c.post("/api/v1/calls", json={"title": "Met cookie"}).status_code == 401
