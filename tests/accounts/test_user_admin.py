"""User administration (role admin), page and API: search, roles, deactivate (no log-in, no
session, no API token from that moment), reactivate, resend the invitation; all audited."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests import factories


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_api_lists_searches_and_reads_users_for_admins_only(client):
    admin = factories.user("admin")
    headers = factories.token_headers(admin)
    anna = factories.user("applicant", email="anna.peeters@example.org", display_name="Anna Peeters")
    factories.user("backer", email="bert@example.org")
    listed = client.get("/api/v1/users?q=PEETERS", headers=headers)
    assert listed.status_code == 200
    assert [u["id"] for u in listed.json["items"]] == [anna.id] and listed.json["next"] is None
    assert len(client.get("/api/v1/users", headers=headers).json["items"]) >= 3
    paged = client.get("/api/v1/users?limit=1", headers=headers).json
    assert len(paged["items"]) == 1 and paged["next"]
    one = client.get(f"/api/v1/users/{anna.id}", headers=headers).json
    assert (one["email"], one["roles"], one["active"]) == ("anna.peeters@example.org", ["applicant"], True)
    assert client.get("/api/v1/users/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/users").status_code == 401
    for roles in (("fund_manager",), ("auditor",), ("applicant",)):
        other = factories.token_headers(factories.user(*roles))
        assert client.get("/api/v1/users", headers=other).status_code == 403
        assert client.post(f"/api/v1/users/{anna.id}/deactivate", headers=other).status_code == 403


def test_roles_are_granted_and_revoked_and_audited(client):
    admin = factories.user("admin")
    headers = factories.token_headers(admin)
    juror = factories.user("applicant")
    url = f"/api/v1/users/{juror.id}/roles"
    r = client.post(url, json={"role": "juror"}, headers=headers)
    assert r.status_code == 200 and r.json["roles"] == ["applicant", "juror"]
    assert client.post(url, json={"role": "koning"}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=headers).status_code == 422
    r = client.delete(f"{url}/applicant", headers=headers)
    assert r.status_code == 200 and r.json["roles"] == ["juror"]
    assert client.delete(f"{url}/koning", headers=headers).status_code == 422
    # An admin cannot take their own admin role away (no lock-out by accident).
    own = client.delete(f"/api/v1/users/{admin.id}/roles/admin", headers=headers)
    assert own.status_code == 409 and own.json["error"]["code"] == "own_admin_role"
    [granted] = _audit("user.role_granted")
    [revoked] = _audit("user.role_revoked")
    assert (granted.actor_id, granted.object_id, granted.after) == (
        admin.id,
        juror.id,
        {"roles": ["applicant", "juror"]},
    )
    assert revoked.before == {"roles": ["applicant", "juror"]} and revoked.after == {"roles": ["juror"]}


def test_a_deactivated_user_cannot_log_in_and_their_token_and_session_stop_at_once(client, app):
    admin_headers = factories.token_headers(factories.user("admin"))
    manager = factories.user("fund_manager")
    token = factories.token_headers(manager)
    db.session.commit()
    assert client.get("/api/v1/sponsors", headers=token).status_code == 200
    session = app.test_client()
    assert (
        session.post(
            "/account/login", data={"email": manager.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert session.get("/manage/campaigns").status_code == 200
    r = client.post(
        f"/api/v1/users/{manager.id}/deactivate", json={"note": "vertrokken"}, headers=admin_headers
    )
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/api/v1/sponsors", headers=token).status_code == 401
    assert session.get("/manage/campaigns").status_code == 302  # back to the log-in page
    assert accounts.authenticate(manager.email, factories.PASSWORD) is None
    login = app.test_client().post(
        "/account/login", data={"email": manager.email, "password": factories.PASSWORD}
    )
    assert login.status_code == 422
    [event] = _audit("user.deactivated")
    assert (event.object_id, event.note) == (manager.id, "vertrokken")
    r = client.post(f"/api/v1/users/{manager.id}/reactivate", headers=admin_headers)
    assert r.status_code == 200 and r.json["active"] is True
    assert client.get("/api/v1/sponsors", headers=token).status_code == 200
    assert len(_audit("user.reactivated")) == 1


def test_an_admin_cannot_deactivate_themselves(client):
    admin = factories.user("admin")
    r = client.post(f"/api/v1/users/{admin.id}/deactivate", headers=factories.token_headers(admin))
    assert r.status_code == 409 and r.json["error"]["code"] == "own_account"
    assert db.session.get(type(admin), admin.id).active is True


def test_resending_the_invitation_mails_a_fresh_confirmation_link(client):
    headers = factories.token_headers(factories.user("admin"))
    new = accounts.create_user("nieuw@example.org", factories.PASSWORD, ["juror"])
    confirmed = factories.user("juror")
    r = client.post(f"/api/v1/users/{new.id}/invitation", headers=headers)
    assert r.status_code == 200 and r.json["email_confirmed"] is False
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "nieuw@example.org")
    ).all()
    assert mail.kind == "account_confirm" and "/account/confirm/" in mail.context["confirm_url"]
    again = client.post(f"/api/v1/users/{confirmed.id}/invitation", headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_confirmed"
    assert len(_audit("user.invitation_resent")) == 1


def test_the_admin_pages_do_the_same(client):
    admin = factories.user("admin")
    target = factories.user("applicant", email="pagina@example.org")
    r = client.post("/account/login", data={"email": admin.email, "password": factories.PASSWORD})
    assert r.status_code == 302
    page = client.get("/admin/users?q=pagina")
    assert page.status_code == 200 and "pagina@example.org" in page.get_data(as_text=True)
    assert client.get(f"/admin/users/{target.id}").status_code == 200
    assert client.post(f"/admin/users/{target.id}/grant", data={"role": "auditor"}).status_code == 303
    assert db.session.get(type(target), target.id).roles == {"applicant", "auditor"}
    assert client.post(f"/admin/users/{target.id}/deactivate", data={"note": ""}).status_code == 303
    assert db.session.get(type(target), target.id).active is False
    # Refusals are flashed, nothing changes.
    client.post(f"/admin/users/{admin.id}/revoke", data={"role": "admin"})
    assert "admin" in db.session.get(type(admin), admin.id).roles
    assert client.get("/admin/users/999999").status_code == 404
    manager = factories.user("fund_manager")
    other = app_client_logged_in(client.application, manager)
    assert other.get("/admin/users").status_code == 403


def app_client_logged_in(app, user):
    c = app.test_client()
    c.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    return c
