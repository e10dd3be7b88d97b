"""/api/v1/notifications: fund managers read the outbox and resend failed mails."""

from __future__ import annotations

from app.accounts import services as accounts
from app.extensions import db
from tests import factories
from tests.notifications.conftest import rows


def test_fund_manager_lists_and_resends(client, smtp):
    smtp.reply = "550 5.1.1 no such user"
    accounts.register("api@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    headers = factories.token_headers(factories.user("fund_manager"))
    listed = client.get("/api/v1/notifications?status=failed", headers=headers)
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert (item["id"], item["status"], item["attempts"]) == (row.id, "failed", 1)
    assert "550" in item["last_error"]
    smtp.reply = "accept"
    resent = client.post(f"/api/v1/notifications/{row.id}/resend", headers=headers)
    assert resent.status_code == 200
    assert resent.get_json()["status"] == "sent"
    again = client.post(f"/api/v1/notifications/{row.id}/resend", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_failed"
    assert len(smtp.wait_for(1)) == 1


def test_others_may_not_read_the_outbox(client):
    assert client.get("/api/v1/notifications").status_code == 401
    for roles in (("applicant",), ("backer", "juror")):
        headers = factories.token_headers(factories.user(*roles))
        assert client.get("/api/v1/notifications", headers=headers).status_code == 403
        assert client.get("/api/v1/notifications/1", headers=headers).status_code == 403
        assert client.post("/api/v1/notifications/1/resend", headers=headers).status_code == 403


def test_the_auditor_reads_delivery_metadata_but_never_a_secret_link(client, smtp):
    accounts.register("toezicht-lees@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    [mail] = smtp.wait_for(1)
    link = next(w for w in mail.get_body(("plain",)).get_content().split() if "/account/confirm/" in w)
    headers = factories.token_headers(factories.user("auditor"))
    listed = client.get("/api/v1/notifications", headers=headers)
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert (item["id"], item["kind"], item["recipient"], item["status"], item["attempts"]) == (
        row.id,
        "account_confirm",
        "toezicht-lees@example.org",
        "sent",
        1,
    )
    assert item["created_at"] and item["sent_at"]
    one = client.get(f"/api/v1/notifications/{row.id}", headers=headers)
    assert one.status_code == 200
    for body in (listed.get_data(as_text=True), one.get_data(as_text=True)):
        assert link not in body and "/account/confirm/" not in body
        assert "body_text" not in body and "body_html" not in body and "context" not in body
    # Reading is all: the overseer resends nothing.
    assert client.post(f"/api/v1/notifications/{row.id}/resend", headers=headers).status_code == 403


def test_bad_filters_are_422_and_unknown_ids_404(client):
    headers = factories.token_headers(factories.user("fund_manager"))
    assert client.get("/api/v1/notifications?status=lost", headers=headers).status_code == 422
    assert client.get("/api/v1/notifications/424242", headers=headers).status_code == 404
    assert client.post("/api/v1/notifications/424242/resend", headers=headers).status_code == 404
