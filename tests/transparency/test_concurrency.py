"""Sealing under real concurrency (PostgreSQL): ids do not give the commit order, sealers
run at the same time, and still every transaction is sealed exactly once, in one chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import JournalTransaction
from app.transparency import services
from app.transparency.chain import verify_ledger
from app.transparency.models import LedgerSeal
from tests.transparency.helpers import pledge

pytestmark = [pytest.mark.committed, pytest.mark.postgres]


def test_a_transaction_committed_late_is_sealed_after_the_ones_sealed_before(app):
    early_id: list[int] = []
    posted, release = threading.Event(), threading.Event()

    def slow_writer():
        with app.app_context():
            early_id.append(pledge(1, 111).id)  # gets the lower id ...
            posted.set()
            release.wait(10)
            db.session.commit()  # ... but commits last
            db.session.remove()

    t = threading.Thread(target=slow_writer)
    t.start()
    assert posted.wait(10)
    late = pledge(1, 222)
    db.session.commit()
    assert late.id > early_id[0]
    services.seal_ledger()
    db.session.commit()
    release.set()
    t.join(10)
    services.seal_ledger()
    db.session.commit()
    order = db.session.execute(
        select(LedgerSeal.seq, LedgerSeal.transaction_id).order_by(LedgerSeal.seq)
    ).all()
    assert [tuple(r) for r in order] == [(1, late.id), (2, early_id[0])]
    assert verify_ledger(services.iter_jsonl()).ok


def test_concurrent_writers_and_sealers_seal_everything_once(app):
    errors: list[BaseException] = []

    def writer(n):
        try:
            with app.app_context():
                for i in range(15):
                    pledge(n, 100 + i)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def sealer():
        try:
            with app.app_context():
                for _ in range(10):
                    services.seal_ledger()
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=sealer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    services.seal_ledger()
    db.session.commit()
    total = db.session.scalar(select(func.count(JournalTransaction.id)))
    assert total == 60
    check = verify_ledger(services.iter_jsonl())
    assert check.ok, check.failures
    assert check.count == 60
    assert db.session.scalar(select(func.count(func.distinct(LedgerSeal.transaction_id)))) == 60
