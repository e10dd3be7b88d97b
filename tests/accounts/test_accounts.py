"""Accounts: registration, argon2, confirmation, log-in and -out, reset, API tokens."""

from __future__ import annotations

import hashlib
import time

import pytest
from itsdangerous import timed

from app.accounts import events, services
from app.accounts.models import ApiToken, User
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from tests import factories as f

PASSWORD = f.PASSWORD


@pytest.fixture
def sent():
    """The links the accounts domain hands to the mailer, by kind."""
    links: dict[str, list] = {"confirm": [], "reset": []}

    def on_registered(user, confirm_url=None, **_):
        links["confirm"].append((user.email, confirm_url))

    def on_reset(user, reset_url=None, **_):
        links["reset"].append((user.email, reset_url))

    events.user_registered.connect(on_registered)
    events.password_reset_requested.connect(on_reset)
    yield links
    events.user_registered.disconnect(on_registered)
    events.password_reset_requested.disconnect(on_reset)


def _register(client, email="an@example.org", password=PASSWORD, again=None, name="An"):
    return client.post(
        "/account/register",
        data={
            "email": email,
            "display_name": name,
            "password": password,
            "password_again": again or password,
        },
    )


def _login(client, email, password=PASSWORD, next_=None):
    url = "/account/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


def _path(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1].join(["/", ""])


def test_register_hashes_with_argon2_and_sends_a_confirmation_link(client, sent):
    resp = _register(client, email="  An@Example.ORG ")
    assert resp.status_code == 302
    user = services.find_user_by_email("an@example.org")
    assert user.email == "an@example.org"  # normalised
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.roles == {"applicant", "backer"}
    assert user.email_confirmed_at is None
    [(email, url)] = sent["confirm"]
    assert email == "an@example.org"
    assert url.startswith("http://testserver.local/account/confirm/")
    # Registering does not log in (issue 12: the answer must not tell who has an account).
    assert resp.headers["Location"].endswith("/account/login")
    assert "Mijn aanvragen" not in client.get("/").get_data(as_text=True)

    assert client.get(_path(url)).status_code == 302
    db.session.expire_all()
    assert services.find_user_by_email("an@example.org").email_confirmed_at is not None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"email": "geen-adres"}, "email", "Geen geldig e-mailadres"),
        ({"password": "kort"}, "password", ""),
        ({"again": "iets anders helemaal"}, "password_again", "De wachtwoorden verschillen"),
    ],
)
def test_register_errors_show_next_to_the_field(client, kwargs, field, message):
    resp = _register(client, **kwargs)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert f'aria-describedby="{field}-error"' in html
    assert message in html
    assert db.session.query(User).count() == 0


def test_register_twice_with_the_same_address_answers_the_same_and_mails_the_owner(client):
    # Issue 12 item 7 changed this: no "address taken" error that would reveal the account.
    from app.notifications.models import OutboxMessage

    f.user("applicant", email="an@example.org")
    fresh = _register(client, email="someone-new@example.org")
    resp = _register(client, email="AN@example.org")
    assert resp.status_code == fresh.status_code == 302
    assert resp.headers["Location"] == fresh.headers["Location"]
    assert "Er bestaat al een account" not in resp.get_data(as_text=True)
    assert db.session.query(User).count() == 2
    [mail] = db.session.query(OutboxMessage).filter_by(kind="account_exists").all()
    assert mail.recipient == "an@example.org"


def test_confirm_link_forged_or_stale_is_refused(client, sent):
    _register(client)
    [(_, url)] = sent["confirm"]
    token = url.rsplit("/", 1)[1]
    assert client.get("/account/confirm/" + token[:-2] + "xx").status_code == 404
    # A link for the reset purpose cannot confirm (salted per purpose).
    user = services.find_user_by_email("an@example.org")
    assert client.get("/account/confirm/" + services.make_token("reset", user)).status_code == 404
    assert services.find_user_by_email("an@example.org").email_confirmed_at is None


def test_confirm_link_expires_after_seven_days(monkeypatch):
    user = f.user("applicant")
    user.email_confirmed_at = None
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(timed.time, "time", lambda: eight_days_ago)  # only to sign an old link
    token = services.make_token("confirm", user)
    monkeypatch.undo()
    with pytest.raises(Conflict) as exc:
        services.confirm_email(token)
    assert exc.value.code == "link_expired"
    assert user.email_confirmed_at is None


def test_login_and_logout(client):
    user = f.user("applicant", email="an@example.org")
    resp = _login(client, "an@example.org")
    assert resp.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user.display_name in page and "Afmelden" in page
    resp = client.post("/account/logout")
    assert resp.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Afmelden" not in page and "Aanmelden" in page
    assert client.get("/applications").status_code == 302  # to the login page


def test_wrong_password_shows_one_message_for_both_fields(client):
    f.user("applicant", email="an@example.org")
    for email, password in (("an@example.org", "verkeerd wachtwoord"), ("niemand@example.org", PASSWORD)):
        resp = _login(client, email, password)
        assert resp.status_code == 422
        html = resp.get_data(as_text=True)
        assert "E-mailadres of wachtwoord klopt niet." in html
        assert 'id="password-error"' in html
    assert "Afmelden" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_off_site(client, target):
    f.user("applicant", email="an@example.org")
    resp = _login(client, "an@example.org", next_=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] in ("/", "http://localhost/")


def test_login_follows_a_local_next(client):
    f.user("applicant", email="an@example.org")
    resp = _login(client, "an@example.org", next_="/applications")
    assert resp.headers["Location"].endswith("/applications")


def test_password_reset_round_trip(client, sent):
    f.user("applicant", email="an@example.org")
    for email in ("an@example.org", "niemand@example.org"):
        resp = client.post("/account/forgot", data={"email": email})
        assert resp.status_code == 302  # the same answer: no probing for accounts
    [(email, url)] = sent["reset"]
    assert email == "an@example.org"
    new = "een nieuw lang wachtwoord"
    resp = client.post(_path(url), data={"password": new, "password_again": new})
    assert resp.status_code == 302
    assert services.authenticate("an@example.org", PASSWORD) is None
    assert services.authenticate("an@example.org", new) is not None
    # The link works once: the password change invalidated it.
    resp = client.post(
        _path(url),
        data={"password": "nog een ander wachtwoord", "password_again": "nog een ander wachtwoord"},
    )
    assert resp.status_code == 200
    assert "Deze link is ongeldig." in resp.get_data(as_text=True)
    assert services.authenticate("an@example.org", new) is not None


def test_changing_the_password_ends_other_sessions(client, app):
    f.user("applicant", email="an@example.org")
    other = app.test_client()
    _login(client, "an@example.org")
    _login(other, "an@example.org")
    new = "een nieuw lang wachtwoord"
    resp = client.post(
        "/account/profile", data={"pw-current": PASSWORD, "pw-password": new, "pw-password_again": new}
    )
    assert resp.status_code == 302
    assert client.get("/account/profile").status_code == 200  # this session goes on
    db.session.commit()
    assert other.get("/account/profile").status_code == 302  # the other one is logged out


def test_profile_creates_a_token_shown_once_and_stored_hashed(client):
    user = f.user("applicant", email="an@example.org")
    _login(client, "an@example.org")
    resp = client.post("/account/profile", data={"token-name": "mijn script"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    clear = html.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
    assert clear.startswith("sf_")
    token = db.session.query(ApiToken).filter_by(user_id=user.id).one()
    assert token.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert clear not in client.get("/account/profile").get_data(as_text=True)
    assert client.get("/api/v1/applications", headers={"Authorization": f"Bearer {clear}"}).status_code == 200
    resp = client.post(f"/account/tokens/{token.id}/revoke")
    assert resp.status_code == 302
    assert client.get("/api/v1/applications", headers={"Authorization": f"Bearer {clear}"}).status_code == 401


def test_one_cannot_revoke_someone_elses_token(client):
    owner = f.user("applicant")
    token, _clear = services.create_api_token(owner, "van mij")
    f.user("applicant", email="an@example.org")
    _login(client, "an@example.org")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_services_refuse_bad_input():
    with pytest.raises(ValidationFailed) as exc:
        services.create_user("a@example.org", "kort", ["applicant"])
    assert "password" in exc.value.details
    with pytest.raises(ValidationFailed) as exc:
        services.create_user("a@example.org", PASSWORD, ["keizer"])
    assert exc.value.details == {"role": ["keizer"]}
    with pytest.raises(NotFound):
        services.revoke_api_token(f.user(), 999999)
    assert services.user_for_token("") is None
    assert services.user_for_token("sf_bestaat-niet") is None


def test_a_user_may_hold_several_roles():
    user = f.user("fund_manager", "auditor")
    assert user.has_role("auditor") and user.has_role("fund_manager")
    assert not user.is_auditor_only
    assert f.user("auditor").is_auditor_only
    services.set_roles(user, ["juror"])
    assert user.roles == {"juror"}


# --- the CLI -------------------------------------------------------------------------------


def test_cli_creates_a_user_with_roles_and_prints_a_working_token(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Fonds@Example.org",
            "--role",
            "fund_manager",
            "--role",
            "auditor",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "fonds@example.org" in result.output and "password:" not in result.output
    user = services.find_user_by_email("fonds@example.org")
    assert user.roles == {"fund_manager", "auditor"} and user.email_confirmed_at is not None
    assert services.authenticate("fonds@example.org", PASSWORD) is not None

    result = runner.invoke(args=["users", "token", "fonds@example.org"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip()
    assert clear.startswith("sf_")
    resp = client.post(
        "/api/v1/calls", json={"title": "Via de CLI"}, headers={"Authorization": f"Bearer {clear}"}
    )
    assert resp.status_code == 201


def test_cli_prints_a_generated_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "jury@example.org", "--role", "juror"])
    assert result.exit_code == 0, result.output
    password = result.output.split("password:", 1)[1].strip()
    assert services.authenticate("jury@example.org", password) is not None


def test_cli_refuses_bad_input_with_a_message(app):
    runner = app.test_cli_runner()
    f.user("applicant", email="an@example.org")
    result = runner.invoke(
        args=["users", "create", "an@example.org", "--role", "juror", "--password", PASSWORD]
    )
    assert result.exit_code != 0 and "Er bestaat al een account" in result.output
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "keizer"])
    assert result.exit_code != 0 and "keizer" in result.output
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "juror", "--password", "kort"])
    assert result.exit_code != 0
    result = runner.invoke(args=["users", "token", "niemand@example.org"])
    assert result.exit_code != 0 and "niemand@example.org" in result.output
    assert services.find_user_by_email("x@example.org") is None
