"""Ten years of a fund in one database: the public pages, the API lists, a call report,
sealing and `ledger verify` on a large installation against the same on the demo data.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13 \\
        .venv/bin/python bench/scale.py [--campaigns 5000] [--pledges 1000000] [--repeat 15]

Two databases are emptied and rebuilt: BENCH_DATABASE_URL + "_demo" gets `flask demo load`;
BENCH_DATABASE_URL gets one fund with CAMPAIGNS campaigns over CAMPAIGNS / 100 calls (one
in five still open) and PLEDGES succeeded pledges spread over them, each with its journal
transaction and two entries, generated inside PostgreSQL (INSERT ... SELECT FROM
generate_series: no row crosses the wire). Both are sealed (timed: transactions/s) and
ANALYZEd. Then, in process through the WSGI test client (no server, so only the
application's own cost is measured), each page is rendered REPEAT times with the
rendered-page cache emptied before each view (the figures cache warm, as after the first
visitor), the two databases taking turns view by view: the medians are printed with the
ratio large / demo (aim: at most 1.5). A call report (`reports.publish`) and
`verify_ledger()` are timed once, with their rates. `--reuse` measures the databases of the
previous run again without rebuilding them. Nothing is asserted about time; the sizes are
bounded by the arguments.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.installation import bench_app, fresh_schema, fund  # noqa: E402

BULK = [
    # applications of the fund's calls, round robin
    """INSERT INTO applications (call_id, owner_id, status, title, summary, description, municipality,
           applicant_type, budget_cents, target_cents, created_at, updated_at)
       SELECT (:calls)[1 + g % cardinality(:calls)], :owner, 'selected', 'Project ' || g, 'Een project.',
              'Het verhaal van project ' || g, (ARRAY['Gent','Melle','Lochristi','Merelbeke'])[1 + g % 4],
              'individual', 20000000, 10000000, now() - (g || ' hours')::interval, now()
       FROM generate_series(1, :campaigns) g""",
    # their campaigns: one in five still open, the others closed over the years
    """INSERT INTO campaigns (application_id, call_id, owner_id, title, municipality, theme, goal_cents,
           status, starts_at, ends_at, opened_at, closed_at, summary, story_markdown, raised_cache_cents,
           created_at, figures_version, changed_at)
       SELECT a.id, a.call_id, a.owner_id, a.title, a.municipality, 'bench', 10000000,
              CASE WHEN a.id % 5 = 0 THEN 'open' WHEN a.id % 2 = 0 THEN 'succeeded' ELSE 'failed' END,
              a.created_at, CASE WHEN a.id % 5 = 0 THEN now() + interval '20 days' ELSE a.created_at
              + interval '45 days' END, a.created_at, NULL, a.summary, a.description, 0, a.created_at, 1,
              a.created_at
       FROM applications a WHERE a.id > :first_application""",
    # the pledges, spread over the campaigns
    """INSERT INTO pledges (campaign_id, amount_cents, currency, email, display_name, anonymous, message,
           hide_amount, method, status, refunded_cents, disputed_cents, created_at, confirmed_at,
           receipt_token_hash, receipt_nonce, notify_opt_in)
       SELECT :first_campaign + g % :campaigns, 500 + (g % 50) * 100, 'eur',
              'backer' || (g % greatest(:pledges / 3, 1)) || '@example.org', 'Backer ' || g, g % 7 = 0, '',
              false, 'stripe', 'succeeded', 0, 0, now() - (g || ' seconds')::interval,
              now() - (g || ' seconds')::interval, md5('t' || g) || md5('u' || g), md5('n' || g), false
       FROM generate_series(1, :pledges) g""",
    """INSERT INTO journal_transactions (created_at, kind, idempotency_key, campaign_id, pledge_id)
       SELECT p.confirmed_at, 'pledge', 'pledge:' || p.id || '\\:in', p.campaign_id, p.id
       FROM pledges p WHERE p.campaign_id >= :first_campaign ORDER BY p.id""",
    """INSERT INTO journal_entries (transaction_id, account, amount_cents)
       SELECT t.id, line.account, line.amount FROM journal_transactions t JOIN pledges p ON p.id = t.pledge_id
       CROSS JOIN LATERAL (VALUES ('gateway:stripe', p.amount_cents),
                                  ('campaign:' || p.campaign_id || '\\:raised', -p.amount_cents))
                          line(account, amount)
       WHERE p.campaign_id >= :first_campaign ORDER BY t.id""",
    """UPDATE campaigns c SET raised_cache_cents = s.total, figures_version = c.figures_version + 1
       FROM (SELECT campaign_id, sum(amount_cents) AS total FROM pledges GROUP BY campaign_id) s
       WHERE s.campaign_id = c.id AND c.id >= :first_campaign""",
]


def build_demo(url: str) -> None:
    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()


def build_large(url: str, campaigns: int, pledges: int) -> None:
    from sqlalchemy import text

    from app.calls.models import Call
    from app.campaigns.models import Campaign
    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        call, (first,) = fund(1)
        calls = [call.id]
        for i in range(max(1, campaigns // 100) - 1):
            # The calls of earlier years: closed long ago (the home page lists only open ones).
            extra = Call(**{c.key: getattr(call, c.key) for c in Call.__table__.columns if c.key != "id"})
            extra.title = f"Oproep {2016 + i % 10} ronde {i}"
            extra.opens_at = call.opens_at - timedelta(days=60 * (i + 2))
            extra.closes_at = call.opens_at - timedelta(days=60 * (i + 1))
            db.session.add(extra)
            db.session.flush()
            calls.append(extra.id)
        db.session.commit()
        first_application = first.application_id
        for statement in BULK[:2]:
            db.session.execute(
                text(statement),
                {
                    "calls": calls,
                    "owner": first.owner_id,
                    "campaigns": campaigns - 1,
                    "first_application": first_application,
                },
            )
        first_campaign = db.session.scalar(
            text("SELECT min(id) FROM campaigns WHERE id > :id"), {"id": first.id}
        )
        params = {"first_campaign": first_campaign, "campaigns": campaigns - 1, "pledges": pledges}
        for statement in BULK[2:]:
            started = time.perf_counter()
            db.session.execute(text(statement), params)
            db.session.commit()
            print(
                f"  {statement.split()[0]} {statement.split()[2]}: {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        assert db.session.get(Campaign, first_campaign).raised_cache_cents > 0
        db.engine.dispose()


def seal_and_analyze(url: str) -> tuple[int, float]:
    from sqlalchemy import text

    from app.extensions import db
    from app.transparency import services

    app = bench_app(url)
    with app.app_context():
        started = time.perf_counter()
        sealed = services.seal_ledger()
        db.session.commit()
        took = time.perf_counter() - started
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return sealed, took


def pages_of(url: str):
    """The app on `url` and the paths to time there."""
    from sqlalchemy import select

    from app.campaigns import listing
    from app.campaigns.models import Campaign
    from app.extensions import db

    app = bench_app(url)
    app.config["PUBLIC_PAGE_MAX_AGE"] = 0
    with app.app_context():
        campaign = db.session.scalar(
            select(Campaign)
            .where(Campaign.status == "open")
            .order_by(Campaign.raised_cache_cents.desc())
            .limit(1)
        )
        ids = db.session.scalars(select(Campaign.id).order_by(Campaign.id)).all()
        deep = ids[max(0, len(ids) - 60)]
        public = listing.campaigns_query()
        ordered, _next = listing.list_page(public, None, size=len(ids))
        deep_cursor = listing.cursor_of(ordered[max(0, len(ordered) - 30)])
        paths = {
            "home": "/",
            "campaign list": "/campaigns",
            "campaign list, deep page": f"/campaigns?after={deep_cursor}",
            "campaign list, filtered": "/campaigns?municipality=Gent&status=open",
            "campaign page": f"/campaigns/{campaign.id}",
            "API campaigns, first": "/api/v1/campaigns?limit=50",
            "API campaigns, deep": f"/api/v1/campaigns?limit=50&after={deep}",
            # The demo has fewer campaigns than a page: the same 5 rows isolate the size of
            # the database from how full the page is.
            "API campaigns, 5, first": "/api/v1/campaigns?limit=5",
            "API campaigns, 5, deep": f"/api/v1/campaigns?limit=5&after={deep}",
            "API calls": "/api/v1/calls?limit=50",
        }
        db.session.remove()
    return app, paths


def time_pages(demo_url: str, url: str, repeat: int) -> dict[str, tuple[float, float]]:
    """{page: (demo ms, large ms)}: medians, the two databases taking turns view by view
    (so drift in the machine's load hits both), each view rendered (page cache emptied)."""
    from app.core import pagecache

    (demo_app, demo_paths), (large_app, large_paths) = pages_of(demo_url), pages_of(url)
    clients = (demo_app.test_client(), large_app.test_client())
    out = {}
    for label in demo_paths:
        took: tuple[list[float], list[float]] = ([], [])
        paths = (demo_paths[label], large_paths[label])
        for client, path in zip(clients, paths, strict=True):
            assert client.get(path).status_code == 200, path  # warms the figures cache
        for _ in range(repeat):
            for k in (0, 1):
                pagecache.clear()
                started = time.perf_counter()
                r = clients[k].get(paths[k])
                took[k].append(time.perf_counter() - started)
                assert r.status_code == 200, (paths[k], r.status_code)
        out[label] = (statistics.median(took[0]) * 1000, statistics.median(took[1]) * 1000)
    return out


def report_and_verify(url: str) -> dict:
    """A call report (`reports.publish`) and `verify_ledger()`, timed once each."""
    from sqlalchemy import func, select

    from app.calls.models import Call
    from app.extensions import db
    from app.ledger.models import JournalEntry
    from app.matching.verify import verify_ledger
    from app.transparency import reports

    app = bench_app(url)
    out = {}
    with app.app_context():
        call_id = db.session.scalar(select(func.min(Call.id)).where(Call.status == "published"))
        out["entries"] = db.session.scalar(select(func.count(JournalEntry.id)))
        started = time.perf_counter()
        reports.publish("call", call_id, None, lambda _pct: None)
        db.session.commit()
        out["call report"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        result = verify_ledger()
        out["ledger verify"] = (time.perf_counter() - started) * 1000
        out["ledger ok"] = result["ok"]
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=5_000)
    parser.add_argument("--pledges", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the last run's databases again")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13")
    if not url.startswith("postgresql") or "127.0.0.1" not in url:
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL database on 127.0.0.1 that may be emptied")
    demo_url = url + "_demo"
    seals = {}
    if not args.reuse:
        for u in (url, demo_url):
            subprocess.run(
                [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/ensure_database.py"), u], check=True
            )
        print("demo data ...", flush=True)
        build_demo(demo_url)
        print(f"large installation: {args.campaigns} campaigns, {args.pledges} pledges ...", flush=True)
        started = time.perf_counter()
        build_large(url, args.campaigns, args.pledges)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        seals = {name: seal_and_analyze(u) for name, u in (("demo", demo_url), ("large", url))}
    pages = time_pages(demo_url, url, args.repeat)
    demo, large = report_and_verify(demo_url), report_and_verify(url)
    print(f"\n{'':<26}{'demo ms':>10}{'large ms':>11}{'ratio':>8}")
    for label, (d, g) in pages.items():
        print(f"{label:<26}{d:10.1f}{g:11.1f}{g / d:8.2f}")
    for label in ("call report", "ledger verify"):
        print(f"{label:<26}{demo[label]:10.1f}{large[label]:11.1f}{large[label] / demo[label]:8.2f}")
    for name, (count, took) in seals.items():
        print(f"sealing ({name}): {count} transactions in {took:.2f} s = {count / took:,.0f} transactions/s")
    for name, figures in (("demo", demo), ("large", large)):
        seconds = figures["ledger verify"] / 1000
        print(
            f"ledger verify ({name}): {figures['entries']} entries in {seconds:.2f} s "
            f"= {figures['entries'] / seconds:,.0f} entries/s, ok={figures['ledger ok']}"
        )


if __name__ == "__main__":
    main()
