"""POST /api/v1/applications/{id}/attachments (multipart) and the download."""

from __future__ import annotations

import hashlib
import io

import pytest

from app.calls.models import Attachment
from app.extensions import db
from tests import factories as f

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 16


@pytest.fixture
def owner():
    return f.user("applicant")


@pytest.fixture
def oh(owner):
    return f.token_headers(owner)


def _upload(client, app_id, headers, content, name="plan.pdf", field="file"):
    return client.post(
        f"/api/v1/applications/{app_id}/attachments",
        data={field: (io.BytesIO(content), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_upload_and_download(client, owner, oh):
    app = f.application(owner=owner)
    resp = _upload(client, app.id, oh, PDF, name="../begroting.pdf")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["filename"] == "begroting.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF) and body["sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = client.get(f"/api/v1/applications/{app.id}", headers=oh).get_json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]
    resp = client.get(f"/api/v1/applications/{app.id}/attachments/{body['id']}", headers=oh)
    assert resp.status_code == 200 and resp.data == PDF and resp.mimetype == "application/pdf"
    # Staff read it too; a stranger gets 404.
    auditor = f.token_headers(f.user("auditor"))
    assert (
        client.get(f"/api/v1/applications/{app.id}/attachments/{body['id']}", headers=auditor).status_code
        == 200
    )
    stranger = f.token_headers(f.user("applicant"))
    resp = client.get(f"/api/v1/applications/{app.id}/attachments/{body['id']}", headers=stranger)
    assert resp.status_code == 404


def test_the_content_decides_not_the_name(client, owner, oh):
    app = f.application(owner=owner)
    assert _upload(client, app.id, oh, PNG, name="foto.pdf").get_json()["content_type"] == "image/png"
    resp = _upload(client, app.id, oh, EXE, name="begroting.pdf")
    assert resp.status_code == 422
    assert "file" in resp.get_json()["error"]["details"]
    assert db.session.query(Attachment).count() == 1


def test_more_than_ten_megabytes_is_422_and_empty_too(client, owner, oh):
    app = f.application(owner=owner)
    resp = _upload(client, app.id, oh, PDF + b"\x00" * (10 * 1024 * 1024))
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["details"]
    assert _upload(client, app.id, oh, b"").status_code == 422
    assert db.session.query(Attachment).count() == 0


def test_a_request_bigger_than_the_limit_is_413_json(client, app, owner, oh):
    application = f.application(owner=owner)
    resp = _upload(client, application.id, oh, PDF + b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"]


def test_missing_file_field_is_422(client, owner, oh):
    app = f.application(owner=owner)
    resp = _upload(client, app.id, oh, PDF, field="bestand")
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["details"]


def test_only_the_owner_and_only_on_a_draft(client, owner, oh):
    submitted = f.application(owner=owner, status="submitted")
    resp = _upload(client, submitted.id, oh, PDF)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "application_locked"
    draft = f.application(owner=owner)
    for headers in (f.token_headers(f.user("applicant")), f.token_headers(f.user("fund_manager"))):
        assert _upload(client, draft.id, headers, PDF).status_code == 404
    assert _upload(client, draft.id, f.token_headers(f.user("auditor")), PDF).status_code == 403
    assert _upload(client, draft.id, {}, PDF).status_code == 401
    assert db.session.query(Attachment).count() == 0


def test_the_upload_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/applications/{app_id}/attachments"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
