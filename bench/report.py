"""How long a call's transparency report takes at 1k, 10k and 100k pledges, against the floor:
the time PostgreSQL needs to read the same rows out with COPY.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_transparency \\
        .venv/bin/python bench/report.py [1000 10000 100000]

The database is emptied and rebuilt. The data (one call, 10 campaigns, N succeeded pledges
with their journal transactions) is bulk-inserted, then sealed (timed apart: sealing is
done once per transaction, by beat, not per report); then the report is generated the way
the worker does it (`publish`; once untimed, as a worker has done before, then timed), and
the pledges, journal entries and seals it reads are COPYed out. Printed: seconds for each
and the ratio report / COPY. Nothing is asserted.
"""

from __future__ import annotations

import io
import os
import secrets
import sys
import time
from datetime import timedelta

from sqlalchemy import insert, text

CAMPAIGNS = 10
DEFAULT_SIZES = (1_000, 10_000, 100_000)


def build(n: int):
    from app.accounts import services as accounts
    from app.calls import services as calls
    from app.campaigns import services as campaigns
    from app.campaigns.models import Pledge
    from app.core import clock
    from app.extensions import db
    from app.ledger.models import JournalEntry, JournalTransaction

    manager = accounts.create_user(
        f"bench{secrets.token_hex(4)}@example.org", "Lang-wachtwoord-7", ["fund_manager"]
    )
    owner = accounts.create_user(
        f"owner{secrets.token_hex(4)}@example.org", "Lang-wachtwoord-7", ["applicant"]
    )
    now = clock.now()
    call = calls.create_call(
        {
            "title": f"Bench {n}",
            "description": "Benchmark call.",
            "theme": "bench",
            "municipalities": ["Gent", "Melle"],
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
            "criteria": [{"key": "q", "label": "Q", "weight": 1, "max_score": 10}],
        },
        manager,
    )
    calls.publish_call(call, manager)
    camps = []
    for i in range(CAMPAIGNS):
        app = calls.create_application(
            call,
            {
                "title": f"Project {i}",
                "summary": "s",
                "description": "d",
                "municipality": "Gent" if i % 2 else "Melle",
                "applicant_type": "individual",
                "budget_cents": 10_000_000,
                "target_cents": 5_000_000,
            },
            owner,
        )
        calls.submit_application(app, owner)
        calls.screen_application(app, True, "", manager)
        calls.set_application_status(app, "in_review", manager.id)
        calls.set_application_status(app, "selected", manager.id)
        campaign = campaigns.create_campaign(app, manager.id)
        campaigns.open_campaign(campaign, manager.id)
        camps.append(campaign)
    db.session.commit()
    rows = []
    for k in range(n):
        rows.append(
            {
                "campaign_id": camps[k % CAMPAIGNS].id,
                "amount_cents": 500 + (k % 50) * 100,
                "email": f"backer{k % (n // 3 + 1)}@example.org",
                "display_name": "",
                "anonymous": True,
                "method": "bank_transfer",
                "reference": f"ref{k}",
                "status": "succeeded",
                "confirmed_at": now,
                "created_at": now,
                "receipt_token_hash": secrets.token_hex(32),
                "receipt_nonce": secrets.token_hex(16),
            }
        )
    ids = db.session.scalars(insert(Pledge).returning(Pledge.id), rows).all()
    txs = [
        {
            "kind": "pledge",
            "campaign_id": r["campaign_id"],
            "pledge_id": pid,
            "created_at": now,
            "idempotency_key": f"bench:{pid}",
        }
        for pid, r in zip(ids, rows, strict=True)
    ]
    tx_ids = db.session.scalars(insert(JournalTransaction).returning(JournalTransaction.id), txs).all()
    entries = []
    for tid, r in zip(tx_ids, rows, strict=True):
        entries.append(
            {"transaction_id": tid, "account": "offline:bank_transfer", "amount_cents": r["amount_cents"]}
        )
        entries.append(
            {
                "transaction_id": tid,
                "account": f"campaign:{r['campaign_id']}:raised",
                "amount_cents": -r["amount_cents"],
            }
        )
    db.session.execute(insert(JournalEntry), entries)
    db.session.commit()
    return call


def copy_floor(call_id: int) -> float:
    """Seconds for PostgreSQL to COPY out the rows the report reads."""
    from app.extensions import db

    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        start = time.perf_counter()
        pledges = (
            "COPY (SELECT p.* FROM pledges p JOIN campaigns c ON c.id = p.campaign_id "
            "WHERE c.call_id = %d) TO STDOUT"
        )
        for sql in (
            pledges % int(call_id),
            "COPY (SELECT e.*, s.seq, s.hash FROM journal_entries e JOIN ledger_seals s "
            "ON s.transaction_id = e.transaction_id) TO STDOUT",
            "COPY (SELECT * FROM ledger_seals) TO STDOUT",
        ):
            sink = io.BytesIO()
            with cur.copy(sql) as copy:
                for data in copy:
                    sink.write(data)
        elapsed = time.perf_counter() - start
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def main(sizes) -> None:
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_transparency"
    )
    if not url.startswith("postgresql"):
        sys.exit("bench/report.py needs PostgreSQL (BENCH_DATABASE_URL)")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import subprocess

    subprocess.run([sys.executable, "scripts/ensure_database.py", url], check=True)
    from app import create_app
    from app.config import Config
    from app.extensions import db
    from app.transparency import reports, services

    app = create_app(
        Config(
            SQLALCHEMY_DATABASE_URI=url,
            REDIS_URL="",
            SECRET_KEY=secrets.token_urlsafe(48),
            PSEUDONYM_KEY=secrets.token_urlsafe(48),
            DEMO_MODE=True,
            RATELIMIT_ENABLED=False,
        )
    )
    print(f"{'pledges':>8} {'seal s':>8} {'report s':>9} {'COPY s':>8} {'ratio':>7} {'s/1k pledges':>13}")
    with app.app_context():
        for n in sizes:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            db.create_all()
            call = build(n)
            start = time.perf_counter()
            services.seal_ledger()
            db.session.commit()
            seal = time.perf_counter() - start
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            # Untimed first: a worker that generates reports has its SQL and templates
            # compiled already (the first report of a process costs ~0.3 s more).
            reports.publish("call", call.id, None, lambda _pct: None)
            db.session.commit()
            start = time.perf_counter()
            report = reports.publish("call", call.id, None, lambda _pct: None)
            db.session.commit()
            took = time.perf_counter() - start
            floor = copy_floor(call.id)
            campaigns = len(services.report_document(report)["campaigns"])
            assert campaigns == CAMPAIGNS  # the report really covered the data
            ratio, per_1k = took / floor, 1000 * took / n
            print(f"{n:>8} {seal:>8.2f} {took:>9.2f} {floor:>8.3f} {ratio:>7.1f} {per_1k:>13.3f}")
            db.session.remove()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or DEFAULT_SIZES)
