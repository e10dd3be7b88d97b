"""Building blocks of the page benchmarks: a fresh schema with one fund manager, one call
with a sponsor, open campaigns made through the services, and backers added in bulk
(pledges and their ledger lines written with multi-row INSERTs, as `money.count_in` would
have written them one by one). Only for a database the benchmark may empty."""

from __future__ import annotations

import secrets
from datetime import timedelta

PASSWORD = "Lang-wachtwoord-7"


def bench_app(url: str):
    import logging

    from app import create_app

    logging.getLogger("streekfonds").setLevel(logging.WARNING)  # not every demo mail on stdout
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PAYMENT_GATEWAY": "demo",
            "REDIS_URL": "",
            "MAIL_SERVER": "",
            "TESTING": False,
            # Fills the keys a bench process has no use for and allows the demo gateway
            # (the startup checks of issue 12 refuse both otherwise).
            "DEMO_MODE": True,
        }
    )


def fresh_schema() -> None:
    from sqlalchemy import text

    from app.extensions import db

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.create_all()


def fund(campaigns: int, policy: dict | None = None, commitment_cents: int = 50_000_000):
    """A manager, a sponsor, a published call and `campaigns` open campaigns (services)."""
    from app.accounts import services as accounts
    from app.calls import services as calls
    from app.campaigns import services as campaign_services
    from app.core import clock, ports
    from app.jury.ports import MatchReservation
    from app.matching import services as matching

    manager = accounts.create_user("bench-manager@example.org", PASSWORD, ["fund_manager"])
    owner = accounts.create_user("bench-owner@example.org", PASSWORD, ["applicant"])
    sponsor = matching.create_sponsor({"name": "Provincie (bench)", "kind": "province"}, manager.id)
    matching.add_commitment(sponsor, {"amount_cents": commitment_cents}, manager.id)
    now = clock.now()
    call = calls.create_call(
        {
            "title": "Bench",
            "description": "Benchmark call.",
            "theme": "bench",
            "municipalities": ["Gent", "Melle"],
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=2),
            "criteria": [{"key": "q", "label": "Q", "weight": 1, "max_score": 10}],
            "match_policy": policy
            or {"mode": "at_close", "condition": "none", "cap_per_project_cents": None},
            "max_pledge_cents": 500_000,
        },
        manager,
    )
    calls.publish_call(call, manager)
    apps = []
    for i in range(campaigns):
        a = calls.create_application(
            call,
            {
                "title": f"Project {i}",
                "summary": "Een project van de benchmark.",
                "description": "## Het verhaal\n\nEen **project** van de benchmark, met wat tekst.",
                "municipality": "Gent" if i % 2 else "Melle",
                "applicant_type": "individual",
                "budget_cents": 20_000_000,
                "target_cents": 10_000_000,
            },
            owner,
        )
        calls.submit_application(a, owner)
        calls.screen_application(a, True, "", manager)
        calls.set_application_status(a, "in_review", manager.id)
        apps.append(a)
    ports.get(MatchReservation)(call, apps)  # what the jury's confirmation asks of matching
    opened = []
    for a in apps:
        calls.set_application_status(a, "selected", manager.id)
        campaign = campaign_services.create_campaign(a)
        campaign_services.open_campaign(campaign, manager.id)
        opened.append(campaign)
    return call, opened


def add_backers(campaign_id: int, n: int, amount: int = 2_500, method: str = "stripe") -> None:
    """`n` succeeded pledges by distinct backers with their postings, in bulk; then the
    campaign's raised cache and figures version move as `money.bump` moves them."""
    from sqlalchemy import insert, select, text, update

    from app.campaigns.models import Campaign, Pledge
    from app.core import clock
    from app.extensions import db
    from app.ledger.models import JournalEntry, JournalTransaction

    now = clock.now()
    for start in range(0, n, 5_000):
        count = min(5_000, n - start)
        tag = secrets.token_hex(4)
        rows = [
            {
                "campaign_id": campaign_id,
                "amount_cents": amount,
                "currency": "eur",
                "email": f"backer-{tag}-{i}@example.org",
                "display_name": f"Backer {i}",
                "method": method,
                "status": "succeeded",
                "receipt_token_hash": secrets.token_hex(32),
                "receipt_nonce": secrets.token_hex(16),
                "created_at": now,
                "confirmed_at": now,
                "message": "Veel succes!" if i % 3 == 0 else "",
            }
            for i in range(count)
        ]
        ids = db.session.scalars(insert(Pledge).returning(Pledge.id), rows).all()
        txs = [
            {
                "created_at": now,
                "kind": "pledge",
                "idempotency_key": f"pledge:{pid}:in",
                "campaign_id": campaign_id,
                "pledge_id": pid,
            }
            for pid in ids
        ]
        tx_ids = db.session.scalars(insert(JournalTransaction).returning(JournalTransaction.id), txs).all()
        held = f"gateway:{method}" if method in ("stripe", "demo") else f"offline:{method}"
        entries = [
            line
            for tx in tx_ids
            for line in (
                {"transaction_id": tx, "account": held, "amount_cents": amount},
                {"transaction_id": tx, "account": f"campaign:{campaign_id}:raised", "amount_cents": -amount},
            )
        ]
        db.session.execute(insert(JournalEntry), entries)
        db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(
                raised_cache_cents=Campaign.raised_cache_cents + amount * count,
                figures_version=Campaign.figures_version + 1,
            )
        )
        db.session.commit()
    assert db.session.scalar(select(text("1")))
