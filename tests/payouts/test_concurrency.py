"""Four eyes under concurrency on PostgreSQL: approvals of one request sent at the same
moment, through the API, from threads of their own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.payouts.models import PayoutApproval, PayoutRequest
from tests import factories
from tests.payouts import helpers as h

pytestmark = [pytest.mark.postgres, pytest.mark.committed, pytest.mark.slow]
ROUNDS = 8


@pytest.fixture
def race_app(app):
    from app import create_app
    from app.config import Config

    cfg = {k: v for k, v in app.config.items() if k.isupper()}
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 6, "max_overflow": 2, "pool_timeout": 60}
    other = create_app(Config(**cfg))
    yield other
    with other.app_context():
        db.engine.dispose()
    app.extensions["celery"].set_default()


def _at_once(app, calls):
    """POST each (path, headers) from its own thread, all released together."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        path, headers = call
        with app.test_client() as c:
            barrier.wait(timeout=30)
            resp = c.post(path, headers=headers)
            return resp.status_code, (resp.get_json() or {}).get("error", {}).get("code")

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_two_managers_approving_at_the_same_moment_approve_once(race_app):
    campaign = h.settled_project(raised=400_000)
    m1, m2 = factories.user("fund_manager"), factories.user("fund_manager")
    h1, h2 = factories.token_headers(m1), factories.token_headers(m2)
    reqs = [h.request(campaign, 10_000) for _ in range(ROUNDS)]
    db.session.commit()
    for req in reqs:
        path = f"/api/v1/payout-requests/{req.id}/approve"
        assert sorted(s for s, _c in _at_once(race_app, [(path, h1), (path, h2)])) == [200, 200]
    db.session.expire_all()
    for req in reqs:
        row = db.session.get(PayoutRequest, req.id)
        assert row.status == "approved"
        assert sorted(a.user_id for a in row.current_approvals) == sorted([m1.id, m2.id])


def test_one_manager_approving_twice_at_the_same_moment_counts_once(race_app):
    campaign = h.settled_project(raised=400_000)
    m1 = factories.user("fund_manager")
    h1 = factories.token_headers(m1)
    reqs = [h.request(campaign, 10_000) for _ in range(ROUNDS)]
    db.session.commit()
    for req in reqs:
        path = f"/api/v1/payout-requests/{req.id}/approve"
        outcomes = sorted(_at_once(race_app, [(path, h1), (path, h1)]))
        assert outcomes == [(200, None), (409, "already_approved")]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PayoutApproval.id))) == ROUNDS
    assert {r.status for r in db.session.scalars(select(PayoutRequest))} == {"submitted"}
