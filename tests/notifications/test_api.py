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
    for roles in (("applicant",), ("auditor",)):
        headers = factories.token_headers(factories.user(*roles))
        assert client.get("/api/v1/notifications", headers=headers).status_code == 403
        assert client.post("/api/v1/notifications/1/resend", headers=headers).status_code == 403


def test_bad_filters_are_422_and_unknown_ids_404(client):
    headers = factories.token_headers(factories.user("fund_manager"))
    assert client.get("/api/v1/notifications?status=lost", headers=headers).status_code == 422
    assert client.get("/api/v1/notifications/424242", headers=headers).status_code == 404
    assert client.post("/api/v1/notifications/424242/resend", headers=headers).status_code == 404
