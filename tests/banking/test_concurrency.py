"""The same statement imported from several threads at once, against PostgreSQL: every
transfer pledge counts once, every line is stored once, the ledger agrees with the bank."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.banking.models import BankLine
from app.campaigns import services as campaigns
from app.core import structured_reference as ogm
from app.demo.bank_files import Move, Stmt, camt053, coda
from app.extensions import db
from app.matching import services as matching
from tests import factories
from tests.campaigns.fixtures import make_campaign, pledge

pytestmark = [pytest.mark.postgres, pytest.mark.committed, pytest.mark.slow]
IBAN = "BE68539007547034"


@pytest.fixture
def busy_app(app):
    from app import create_app
    from app.config import Config

    cfg = {k: v for k, v in app.config.items() if k.isupper()}
    cfg.update(BANK_IBAN=IBAN, BANK_BENEFICIARY="Streekfonds vzw")
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 10, "max_overflow": 2, "pool_timeout": 60}
    busy = create_app(Config(**cfg))
    yield busy
    with busy.app_context():
        db.engine.dispose()


def test_eight_imports_of_one_statement_at_once_count_each_transfer_once(app, busy_app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_IBAN", IBAN)
    campaign = make_campaign(goal=1_000_000)
    amounts = [1000 + 250 * i for i in range(10)]
    pledges = [
        pledge(campaign, amount_cents=a, email=f"b{i}@example.org", method="bank_transfer")[0]
        for i, a in enumerate(amounts)
    ]
    manager = factories.user("fund_manager")
    headers = factories.token_headers(manager)
    db.session.commit()
    stmt = Stmt(
        IBAN, 40, 0, [Move(p.amount_cents, structured=ogm.for_object(ogm.PLEDGE, p.id)) for p in pledges]
    )
    files = [coda(stmt), camt053(stmt)] * 4
    barrier = threading.Barrier(len(files))

    def one(data):
        with busy_app.test_client() as c:
            barrier.wait(timeout=30)
            return c.post(
                "/api/v1/bank-statements",
                data={"file": (io.BytesIO(data), "s")},
                headers=headers,
                content_type="multipart/form-data",
            ).status_code

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        statuses = list(pool.map(one, files))
    # One import stores the statement; the others wait for it, then find every line known.
    assert sorted(statuses) == [200] * 7 + [201], statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(BankLine)) == 10
    assert campaigns.raised_cents(campaign) == sum(amounts)
    result = matching.verify_ledger()
    assert result["ok"], result["violations"]
