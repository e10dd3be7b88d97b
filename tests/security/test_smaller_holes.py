"""Item 7 of issue 12: the smaller holes."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.core.log_redaction import RedactTokensInLog, redact
from app.notifications.models import OutboxMessage
from tests import factories as f
from tests.campaigns.fixtures import login


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/account/reset/abc.def-ghi", "/account/reset/[redacted]"),
        ("/account/confirm/abc.def", "/account/confirm/[redacted]"),
        ("/unsubscribe/tok3n", "/unsubscribe/[redacted]"),
        ("/jury/invitations/s3cret", "/jury/invitations/[redacted]"),
        ("/campaigns/1", "/campaigns/1"),
    ],
)
def test_tokens_in_paths_are_not_written_to_access_logs(path, logged):
    assert redact(path) == logged


def test_the_middleware_redacts_what_gunicorn_logs(app):
    seen = {}

    def inner(environ, start_response):
        seen["routed"] = environ["PATH_INFO"]
        return [b""]

    environ = {"PATH_INFO": "/account/reset/SECRET", "RAW_URI": "/account/reset/SECRET?x=1"}
    RedactTokensInLog(inner)(environ, lambda *a: None)
    assert seen["routed"] == "/account/reset/SECRET"  # the app routes on the real path
    assert "SECRET" not in environ["PATH_INFO"] + environ["RAW_URI"]


def test_the_development_server_log_line_is_redacted_too():
    import logging

    from app.core.log_redaction import RedactingFilter

    record = logging.LogRecord(
        "werkzeug", 20, "", 0, '"%s" %s %s', ("GET /account/confirm/abc.def HTTP/1.1", "200", "-"), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == '"GET /account/confirm/[redacted] HTTP/1.1" 200 -'


def test_an_attachment_with_a_non_ascii_name_downloads(client):
    owner = f.user("applicant")
    call = f.call(f.user("fund_manager"))
    application = f.application(call, owner)
    from app.calls import services as calls

    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
    att = calls.add_attachment(application, "begroting €-ölçü.pdf", pdf, owner, 10_000)
    login(client, owner)
    resp = client.get(f"/applications/{application.id}/attachments/{att.id}")
    assert resp.status_code == 200
    header = resp.headers["Content-Disposition"]
    assert "ölçü" in att.filename
    assert "filename*=UTF-8''" + quote(att.filename, safe="") in header
    assert "%C3%B6l%C3%A7%C3%BC.pdf" in header
    assert header.isascii()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "/ok\r\nX: y"]
)
def test_the_language_switch_only_goes_back_to_our_own_pages(client, target):
    resp = client.post("/lang/en", data={"next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] in ("/", "http://localhost/")


def test_the_language_switch_keeps_a_local_next(client):
    resp = client.post("/lang/en", data={"next": "/campaigns?q=x"})
    assert resp.headers["Location"] == "/campaigns?q=x"


@pytest.mark.parametrize("cursor", ["99999999999999999999999", "-5", "9223372036854775808"])
def test_an_out_of_range_list_cursor_is_422(client, cursor):
    resp = client.get(f"/api/v1/campaigns?after={cursor}")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"]["after"]


def test_a_reset_request_answers_the_same_and_mails_after_the_response(client):
    user = f.user("applicant", email="known@example.org")
    known = client.post("/account/forgot", data={"email": "known@example.org"})
    unknown = client.post("/account/forgot", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    from app.extensions import db

    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all()
    assert [m.recipient for m in mails] == [user.email]
