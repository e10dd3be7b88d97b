"""The test harness itself: a test's commits stay inside a transaction that is rolled back."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from app.accounts.models import User
from app.extensions import db
from tests import factories as f


def test_a_commit_in_a_test_stays_inside_the_rolled_back_transaction(client):
    bind = db.session().get_bind()
    assert isinstance(bind, Connection)  # not the engine: the engine would commit for real
    f.user("applicant", email="blijft-niet@example.org")
    db.session.commit()
    client.get("/")  # a request commits as well
    assert bind.in_transaction()  # the outer transaction is open: it is rolled back after
    assert db.session.query(User).filter_by(email="blijft-niet@example.org").count() == 1


def test_an_error_response_does_not_wipe_what_the_test_made(client):
    user = f.user("applicant")
    resp = client.get("/api/v1/calls/999999")  # a DomainError: the handler rolls back
    assert resp.status_code == 404
    assert db.session.get(User, user.id) is not None


def test_the_previous_request_s_user_does_not_leak_into_the_next(client):
    headers = f.token_headers(f.user("fund_manager"))
    assert client.get("/api/v1/applications").status_code == 401
    assert client.get("/api/v1/applications", headers=headers).status_code == 200
    assert client.get("/api/v1/applications").status_code == 401
