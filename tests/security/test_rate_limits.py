"""Item 2 of issue 12: brute force and automation, with a clock the test moves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts import passwords
from app.core.errors import ValidationFailed
from app.notifications.models import OutboxMessage
from tests import factories as f
from tests.campaigns.fixtures import make_campaign

WRONG = "wrong password!"


def _login(client, email, password=WRONG):
    return client.post("/account/login", data={"email": email, "password": password})


def test_failed_logins_on_one_account_answer_429_with_retry_after_and_mail_the_owner(limited, limit_clock):
    user = f.user("applicant", email="victim@example.org")
    for _ in range(3):
        assert _login(limited, "victim@example.org").status_code == 422
    blocked = _login(limited, "victim@example.org", f.PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    mails = f_db_mails("login_throttled")
    assert [m.recipient for m in mails] == [user.email]
    # Another account from the same address is not blocked by this one.
    f.user("applicant", email="other@example.org")
    assert _login(limited, "other@example.org", f.PASSWORD).status_code == 302
    limit_clock.advance(15 * 60 + 1)
    assert _login(limited, "victim@example.org", f.PASSWORD).status_code == 302
    assert len(f_db_mails("login_throttled")) == 1


def f_db_mails(kind):
    from app.extensions import db

    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_log_in_per_address_is_limited_and_the_api_answers_json_429(limited, limit_clock):
    for i in range(8):
        _login(limited, f"nobody{i}@example.org")
    resp = _login(limited, "nobody-else@example.org")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    limit_clock.advance(61)
    assert _login(limited, "nobody-else@example.org").status_code == 422


def test_registration_and_reset_requests_are_limited_per_address(limited, limit_clock):
    def register(i):
        data = {"email": f"new{i}@example.org", "password": f.PASSWORD, "password_again": f.PASSWORD}
        return limited.post("/account/register", data=data)

    assert [register(i).status_code for i in range(3)] == [302, 302, 429]
    forgot = [limited.post("/account/forgot", data={"email": "x@example.org"}).status_code for _ in range(3)]
    assert forgot == [302, 302, 429]
    limit_clock.advance(3601)
    assert register(9).status_code == 302


def test_token_creation_is_limited_per_account(limited, limit_clock):
    user = f.user("applicant")
    assert _login(limited, user.email, f.PASSWORD).status_code == 302
    codes = [limited.post("/account/profile", data={"token-name": f"t{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_anonymous_pledges_ask_a_question_near_the_limit_then_stop(limited, limit_clock):
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    body = {"amount_cents": 2500, "email": "card@example.org", "display_name": "Card"}
    assert [limited.post(url, json=body).status_code for _ in range(2)] == [201, 201]
    asked = limited.post(url, json=body)
    assert asked.status_code == 428
    check = asked.get_json()["error"]["details"]["human_check"]
    a, b = (int(n) for n in re.findall(r"\d+", check["question"]))
    wrong = limited.post(url, json={**body, "human_check": {"token": check["token"], "answer": "99"}})
    assert wrong.status_code == 428
    right = {"token": check["token"], "answer": str(a + b)}
    assert limited.post(url, json={**body, "human_check": right}).status_code == 201
    assert limited.post(url, json={**body, "human_check": right}).status_code == 201
    over = limited.post(url, json={**body, "human_check": right})
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    limit_clock.advance(3601)
    assert limited.post(url, json=body).status_code == 201


def test_the_pledge_page_shows_the_question_near_the_limit(limited, limit_clock):
    campaign = make_campaign()
    data = {"amount": "25", "email": "card@example.org", "display_name": "Card"}
    for _ in range(2):
        assert limited.post(f"/campaigns/{campaign.id}/pledge", data=data).status_code == 303
    page = limited.post(f"/campaigns/{campaign.id}/pledge", data=data)
    assert page.status_code == 422
    assert 'name="human_token"' in page.get_data(as_text=True)


def test_rate_limits_are_off_when_disabled(client):
    for _ in range(12):
        _login(client, "someone@example.org")
    assert _login(client, "someone@example.org").status_code == 422


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        ("password1234", "an@example.org", ""),  # in the breached list
        ("qwertyuiop", "an@example.org", ""),
        ("marieke-is-de-beste", "marieke@example.org", ""),  # the e-mail's name
        ("vandenbroeck2027", "an@example.org", "Jan Vandenbroeck"),  # the display name
    ],
)
def test_new_passwords_are_checked_against_breaches_and_the_person(password, email, name):
    with pytest.raises(ValidationFailed):
        passwords.check(password, email, name)


def test_a_breached_password_is_refused_at_registration_next_to_the_field(client):
    data = {"email": "an@example.org", "password": "1234567890", "password_again": "1234567890"}
    resp = client.post("/account/register", data=data)
    assert resp.status_code == 422
    assert "gelekte wachtwoorden" in resp.get_data(as_text=True)


@pytest.mark.redis
def test_the_limits_live_in_redis_when_it_is_there(app_config):
    import os
    import uuid

    from app import create_app
    from app.config import Config
    from tests.conftest import CommittingClient

    cfg = Config(
        **{
            **app_config.as_dict(),
            "RATELIMIT_ENABLED": True,
            "REDIS_URL": os.environ["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": "",
            "RATELIMIT_LOGIN_ACCOUNT": "2 per hour",
        }
    )
    web = create_app(cfg)
    assert web.extensions["streekfonds_limiter"]._storage_uri.startswith("redis://")
    email = f"{uuid.uuid4().hex}@example.org"  # a key of its own in the shared Redis
    first = CommittingClient(web, web.response_class)
    assert [_login(first, email).status_code for _ in range(2)] == [422, 422]
    # Another process (a fresh app on the same Redis) sees the same count.
    other = create_app(cfg)
    resp = CommittingClient(other, other.response_class).post(
        "/account/login", data={"email": email, "password": WRONG}
    )
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
