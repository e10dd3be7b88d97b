"""Item 3 of issue 12: sessions end on the server, time out, and tokens expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts import services, sessions
from app.accounts.models import ApiToken
from app.core import clock
from app.extensions import db
from tests import factories as f
from tests.conftest import CommittingClient


class WallClock:
    def __init__(self):
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def move(self, delta):
        self.now += delta

    def to(self, moment):
        self.now = moment


@pytest.fixture(autouse=True)
def wall(monkeypatch):
    clock_ = WallClock()
    monkeypatch.setattr(sessions, "wall_now", clock_)
    return clock_


def _login(client, user, remember=False):
    data = {"email": user.email, "password": f.PASSWORD}
    if remember:
        data["remember"] = "y"
    resp = client.post("/account/login", data=data)
    assert resp.status_code == 302
    return resp


def _logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_replayed_session_cookie_is_refused_after_logout(app, client):
    user = f.user("applicant")
    _login(client, user)
    stolen = _cookie(client, "session")
    assert _logged_in(client)
    client.post("/account/logout")
    assert not _logged_in(client)
    thief = CommittingClient(app, app.response_class, use_cookies=True)
    thief.set_cookie("session", stolen, domain="localhost")
    assert not _logged_in(thief)


def test_remember_me_cookie_is_strict_and_refused_for_staff(client):
    backer = f.user("backer")
    resp = _login(client, backer, remember=True)
    header = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    manager = f.user("fund_manager")
    staff_client = client.application.test_client()
    resp = _login(staff_client, manager, remember=True)
    assert not any(h.startswith("remember_token=") for h in resp.headers.getlist("Set-Cookie"))


def test_remember_me_lasts_at_most_30_days_and_ends_with_logout(app, wall):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    backer = f.user("backer")
    first = CommittingClient(app, app.response_class, use_cookies=True)
    _login(first, backer, remember=True)
    remember = _cookie(first, "remember_token")
    # A fresh browser with only the remember cookie is let in...
    second = CommittingClient(app, app.response_class, use_cookies=True)
    second.set_cookie("remember_token", remember, domain="localhost")
    assert _logged_in(second)
    # ...not after 31 days...
    wall.move(timedelta(days=31))
    third = CommittingClient(app, app.response_class, use_cookies=True)
    third.set_cookie("remember_token", remember, domain="localhost")
    assert not _logged_in(third)
    wall.move(-timedelta(days=31))
    # ...and not after logging out.
    first.post("/account/logout")
    fourth = CommittingClient(app, app.response_class, use_cookies=True)
    fourth.set_cookie("remember_token", remember, domain="localhost")
    assert not _logged_in(fourth)


def test_staff_sessions_end_after_30_idle_minutes_others_later(client, wall):
    manager = f.user("fund_manager")
    _login(client, manager)
    wall.move(timedelta(minutes=29))
    assert _logged_in(client)  # activity keeps it alive
    wall.move(timedelta(minutes=31))
    assert not _logged_in(client)
    applicant = f.user("applicant")
    other = client.application.test_client()
    _login(other, applicant)
    wall.move(timedelta(minutes=31))
    assert _logged_in(other)


def test_every_session_ends_after_12_hours_whatever_happens(client, wall):
    user = f.user("applicant")
    _login(client, user)
    start = wall.now
    for hours in range(1, 12):
        wall.to(start + timedelta(hours=hours))
        assert _logged_in(client)
    wall.to(start + timedelta(hours=12, minutes=1))
    assert not _logged_in(client)


def test_moving_the_app_clock_for_the_demo_does_not_log_anyone_out(client):
    user = f.user("fund_manager")
    _login(client, user)
    clock.travel_to(clock.now() + timedelta(days=40))
    assert _logged_in(client)


def test_a_password_change_revokes_the_api_tokens(client):
    user = f.user("applicant")
    _token, clear = services.create_api_token(user, "script")
    headers = {"Authorization": f"Bearer {clear}"}
    _login(client, user)
    new = "een heel ander wachtwoord"
    resp = client.post(
        "/account/profile", data={"pw-current": f.PASSWORD, "pw-password": new, "pw-password_again": new}
    )
    assert resp.status_code == 302
    assert _logged_in(client)  # this browser goes on
    assert services.user_for_token(clear) is None
    assert client.get("/api/v1/campaigns?limit=1", headers=headers).status_code in (200,)  # public
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_tokens_expire_and_record_their_last_use(client):
    user = f.user("fund_manager")
    token, clear = services.create_api_token(user, "script", days=30)
    headers = {"Authorization": f"Bearer {clear}"}
    assert token.last_used_at is None
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    clock.travel_to(clock.now() + timedelta(days=31))
    assert services.user_for_token(clear) is None
