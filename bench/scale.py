"""Ten years of every fund in one database: the public pages of one fund's site, the API
lists, a call report, sealing and `ledger verify` on a large installation, against the same
on the demo data and on a small installation of the same shape.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13 \\
        .venv/bin/python bench/scale.py [--campaigns 5000] [--pledges 1000000] [--small 10]
                                        [--repeat 15] [--reuse]

Three databases are emptied and rebuilt: BENCH_DATABASE_URL + "_demo" gets `flask demo load`
(two funds, a handful of campaigns); BENCH_DATABASE_URL (large) and BENCH_DATABASE_URL +
"_small" (CAMPAIGNS and PLEDGES divided by --small) get three funds (FUNDS: 60, 30 and 10 %
of the calls), max(3, CAMPAIGNS / 100) calls between them (one open, the others closed over
the years), the campaigns round robin over the calls (one in five still open) and the
succeeded pledges evenly over the campaigns, each with its journal transaction and two
entries, generated inside PostgreSQL (INSERT ... SELECT FROM generate_series: no row crosses
the wire). So a call holds about 100 campaigns and PLEDGES / CAMPAIGNS pledges a campaign in
both, whatever their size. Each fund's ledger is sealed on its own and timed (transactions/s
at three sizes in each installation: linear if the rate stays), then VACUUM ANALYZE.

Then, in process through the WSGI test client (no server, so only the application's own cost
is measured), each view of the first fund's site (/f/<slug>/, the API with ?fund=<slug>) is
rendered REPEAT times with the rendered-page cache emptied before each view (the figures
cache warm, as after the first visitor), the three databases taking turns view by view: the
medians are printed with the ratios large / demo and large / small (aim: at most 1.5).
What is compared: the demo's first fund has 4 public campaigns and 5 calls, so a page of 24
cards or 50 rows is fuller in the large installation whatever the database holds; large /
demo is printed only for views that are as full in both (the list at 3 a page, the API at 3
rows, the calls at 2: LIKE_DEMO), large / small for every view where both are full (all
but the API's calls at 50 a page and the filtered list at 24: UNLIKE_SMALL). The call report
is one call of the same size in the small and the large installation (its second version, as
a worker that generated one before); `verify_ledger()` is timed once in each database with
its rate (entries/s), and so is a sealer's run with nothing new (the cost of finding what is
unsealed). `--reuse` measures the databases of the previous run again without rebuilding
them. Nothing is asserted about time; the sizes are bounded by the arguments.
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

# The funds of the large installation and their shares of its calls (so of its campaigns
# and pledges): unequal, so that sealing each fund's chain is timed at three sizes.
FUNDS = (
    ("streekfonds", "Streekfonds (bench)", 0.6),
    ("kustfonds", "Kustfonds", 0.3),
    ("klimaat", "Klimaatfonds", 0.1),
)

BULK = [
    # applications of the calls, round robin; each in its call's fund
    """INSERT INTO applications (fund_id, call_id, owner_id, status, title, summary, description,
           municipality, applicant_type, budget_cents, target_cents, created_at, updated_at)
       SELECT c.fund_id, c.id, :owner, 'selected', 'Project ' || g, 'Een project.',
              'Het verhaal van project ' || g, (ARRAY['Gent','Melle','Lochristi','Merelbeke'])[1 + g % 4],
              'individual', 20000000, 10000000, now() - (g || ' hours')::interval, now()
       FROM generate_series(1, :campaigns) g JOIN calls c ON c.id = (:calls)[1 + g % cardinality(:calls)]""",
    # their campaigns: one in five still open, the others closed over the years
    """INSERT INTO campaigns (fund_id, application_id, call_id, owner_id, title, municipality, theme,
           goal_cents, status, starts_at, ends_at, opened_at, closed_at, summary, story_markdown,
           raised_cache_cents, created_at, figures_version, changed_at, owner_profile)
       SELECT a.fund_id, a.id, a.call_id, a.owner_id, a.title, a.municipality, 'bench', 10000000,
              CASE WHEN a.id % 5 = 0 THEN 'open' WHEN a.id % 2 = 0 THEN 'succeeded' ELSE 'failed' END,
              a.created_at, CASE WHEN a.id % 5 = 0 THEN now() + interval '20 days' ELSE a.created_at
              + interval '45 days' END, a.created_at, NULL, a.summary, a.description, 0, a.created_at, 1,
              a.created_at, ''
       FROM applications a WHERE a.id > :first_application ORDER BY a.id""",
    # the pledges, spread evenly over the campaigns; each in its campaign's fund
    """INSERT INTO pledges (fund_id, campaign_id, amount_cents, currency, email, display_name, anonymous,
           message, hide_amount, method, status, refunded_cents, disputed_cents, created_at, confirmed_at,
           receipt_token_hash, receipt_nonce, notify_opt_in)
       SELECT c.fund_id, c.id, 500 + (g % 50) * 100, 'eur',
              'backer' || (g % greatest(:pledges / 3, 1)) || '@example.org', 'Backer ' || g, g % 7 = 0, '',
              false, 'stripe', 'succeeded', 0, 0, now() - (g || ' seconds')::interval,
              now() - (g || ' seconds')::interval, md5('t' || g) || md5('u' || g), md5('n' || g), false
       FROM generate_series(1, :pledges) g JOIN campaigns c ON c.id = :first_campaign + g % :campaigns""",
    # their postings, one fund after the other (so each fund's chain can be sealed and
    # timed on its own: the sealer takes unsealed transactions in id order)
    """INSERT INTO journal_transactions (fund_id, created_at, kind, idempotency_key, campaign_id, pledge_id)
       SELECT p.fund_id, p.confirmed_at, 'pledge', 'pledge:' || p.id || '\\:in', p.campaign_id, p.id
       FROM pledges p WHERE p.campaign_id >= :first_campaign ORDER BY p.fund_id, p.id""",
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


def fund_of_call(i: int, calls: int) -> int:
    """Which of FUNDS gets the i-th of `calls` calls: each fund at least one, else by share."""
    first = min(max(1, round(FUNDS[0][2] * calls)), calls - 2)
    last = max(calls - max(1, round(FUNDS[2][2] * calls)), first + 1)
    return 0 if i < first else 2 if i >= last else 1


def build_large(url: str, campaigns: int, pledges: int) -> None:
    """FUNDS with max(3, CAMPAIGNS / 100) calls between them (the first one open, the
    others closed over the years), CAMPAIGNS campaigns round robin over the calls and
    PLEDGES pledges evenly over the campaigns, with their ledger lines."""
    from sqlalchemy import text

    from app.calls.models import Call
    from app.campaigns.models import Campaign
    from app.core import tenancy
    from app.extensions import db
    from app.funds import services as funds

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        call, (first,) = fund(1)
        fund_ids = [call.fund_id]
        for slug, name, _share in FUNDS[1:]:
            fund_ids.append(funds.create(slug, {"name": name}).id)
        db.session.commit()
        funds.forget()
        calls = [call.id]
        n_calls = max(3, campaigns // 100)
        for i in range(1, n_calls):
            # The calls of earlier years: closed long ago (a home page lists only open ones).
            fund_id = fund_ids[fund_of_call(i, n_calls)]
            with tenancy.scoped({fund_id}):
                extra = Call(**{c.key: getattr(call, c.key) for c in Call.__table__.columns if c.key != "id"})
                extra.fund_id = fund_id
                extra.title = f"Oproep {2016 + i % 10} ronde {i}"
                extra.opens_at = call.opens_at - timedelta(days=60 * (i + 1))
                extra.closes_at = call.opens_at - timedelta(days=60 * i)
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


def seal_and_analyze(url: str, per_fund: bool) -> list[tuple[str, int, float]]:
    """Seal the ledger, then VACUUM ANALYZE: [(fund or "all", transactions, seconds)]. `per_fund`:
    one timed run per fund (the build wrote each fund's transactions in one id range), so
    the rate is seen at as many sizes as there are funds."""
    from sqlalchemy import func, select, text

    from app.extensions import db
    from app.funds import services as funds
    from app.ledger.models import JournalTransaction
    from app.transparency import services

    app = bench_app(url)
    out = []
    with app.app_context():
        if per_fund:
            runs = db.session.execute(
                select(JournalTransaction.fund_id, func.count())
                .group_by(JournalTransaction.fund_id)
                .order_by(func.min(JournalTransaction.id))
            ).all()
        else:
            runs = [(None, None)]
        for fund_id, count in runs:
            started = time.perf_counter()
            sealed = services.seal_ledger(limit=count)
            db.session.commit()
            took = time.perf_counter() - started
            assert count is None or sealed == count, (fund_id, count, sealed)
            out.append((funds.slug_of(fund_id) if fund_id else "all", sealed, took))
        db.session.commit()
        # As autovacuum leaves a database that has lived for years: statistics, and the
        # visibility map that lets an index-only scan skip the rows.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return out


# Views whose page is as full in the demo as in a large installation (the demo's fund has a
# handful of campaigns and calls): only these are compared with the demo; every view is
# compared with the small installation, whose pages are as full as the large one's.
LIKE_DEMO = {
    "platform home",
    "fund home",
    "campaign list, 3 a page",
    "campaign list, 3 a page, deep",
    "campaign page",
    "API campaigns, 3, first",
    "API campaigns, 3, deep",
    "API calls, 2",
}
# Not as full in the small installation either: its first fund has 3 calls (the large one's
# 30) and 15 open campaigns in Gent (the large one's 150) for a page of 24.
UNLIKE_SMALL = {"API calls, 50", "campaign list, filtered"}


def pages_of(url: str, slug: str):
    """The app on `url` and {label: (path, list page size or None)} of fund `slug`'s site."""
    from sqlalchemy import select

    from app.campaigns import listing
    from app.campaigns.models import Campaign
    from app.core import tenancy
    from app.extensions import db
    from app.funds import services as funds

    app = bench_app(url)
    app.config["PUBLIC_PAGE_MAX_AGE"] = 0
    with app.app_context(), tenancy.scoped({funds.by_slug(slug).id}):
        campaign = db.session.scalar(
            select(Campaign)
            .where(Campaign.status == "open")
            .order_by(Campaign.raised_cache_cents.desc())
            .limit(1)
        )
        ids = db.session.scalars(select(Campaign.id).order_by(Campaign.id)).all()
        ordered, _next = listing.list_page(listing.campaigns_query(), None, size=len(ids))

        def deep(back: int) -> str:
            return listing.cursor_of(ordered[max(0, len(ordered) - back)])

        site, api = f"/f/{slug}", f"/api/v1/campaigns?fund={slug}"
        deep_id = ids[max(0, len(ids) - 60)]
        paths = {
            "platform home": ("/", None),
            "fund home": (f"{site}/", None),
            "campaign list": (f"{site}/campaigns", None),
            "campaign list, deep page": (f"{site}/campaigns?after={deep(30)}", None),
            "campaign list, filtered": (f"{site}/campaigns?municipality=Gent&status=open", None),
            "campaign list, 3 a page": (f"{site}/campaigns", 3),
            "campaign list, 3 a page, deep": (f"{site}/campaigns?after={deep(4)}", 3),
            "campaign list, filtered, 3 a page": (f"{site}/campaigns?municipality=Gent&status=open", 3),
            "campaign page": (f"{site}/campaigns/{campaign.id}", None),
            "API campaigns, 50, first": (f"{api}&limit=50", None),
            "API campaigns, 50, deep": (f"{api}&limit=50&after={deep_id}", None),
            "API campaigns, 3, first": (f"{api}&limit=3", None),
            "API campaigns, 3, deep": (f"{api}&limit=3&after={ids[max(0, len(ids) - 5)]}", None),
            "API calls, 50": (f"/api/v1/calls?fund={slug}&limit=50", None),
            "API calls, 2": (f"/api/v1/calls?fund={slug}&limit=2", None),
        }
        db.session.remove()
    return app, paths


def time_pages(urls: list[str], slug: str, repeat: int) -> dict[str, list[float]]:
    """{view: [median ms per database]}, the databases taking turns view by view (so drift
    in the machine's load hits each alike), each view rendered (page cache emptied)."""
    from app.campaigns import listing
    from app.core import pagecache

    apps = [pages_of(u, slug) for u in urls]
    clients = [app.test_client() for app, _paths in apps]
    default_size = listing.LIST_PAGE_SIZE
    out = {}
    for label in apps[0][1]:
        took: list[list[float]] = [[] for _ in urls]
        paths = [paths[label][0] for _app, paths in apps]
        listing.LIST_PAGE_SIZE = apps[0][1][label][1] or default_size
        try:
            for client, path in zip(clients, paths, strict=True):
                assert client.get(path).status_code == 200, path  # warms the figures cache
            for _ in range(repeat):
                for k, client in enumerate(clients):
                    pagecache.clear()
                    started = time.perf_counter()
                    r = client.get(paths[k])
                    took[k].append(time.perf_counter() - started)
                    assert r.status_code == 200, (paths[k], r.status_code)
        finally:
            listing.LIST_PAGE_SIZE = default_size
        out[label] = [statistics.median(t) * 1000 for t in took]
    return out


def report_and_verify(url: str, call_title: str | None) -> dict:
    """A call report (`reports.publish`: its second version, the first untimed),
    `verify_ledger()` and a sealer's run with nothing to seal, timed once each. The call:
    the one titled `call_title` (the same place in a small and a large installation, so the
    same size), else the one with the most pledges (the demo's)."""
    from sqlalchemy import func, select

    from app.calls.models import Call
    from app.campaigns.models import Campaign, Pledge
    from app.extensions import db
    from app.ledger.models import JournalEntry
    from app.matching.verify import verify_ledger
    from app.transparency import reports, services

    app = bench_app(url)
    out = {}
    with app.app_context():
        if call_title:
            call_id = db.session.scalar(select(func.min(Call.id)).where(Call.title == call_title))
        else:
            call_id = db.session.scalar(
                select(Campaign.call_id)
                .join(Pledge, Pledge.campaign_id == Campaign.id)
                .group_by(Campaign.call_id)
                .order_by(func.count().desc())
                .limit(1)
            )
        out["call campaigns"] = db.session.scalar(
            select(func.count(Campaign.id)).where(Campaign.call_id == call_id)
        )
        out["call pledges"] = db.session.scalar(
            select(func.count(Pledge.id))
            .join(Campaign, Campaign.id == Pledge.campaign_id)
            .where(Campaign.call_id == call_id)
        )
        out["pledges"] = db.session.scalar(select(func.count(Pledge.id)))
        out["entries"] = db.session.scalar(select(func.count(JournalEntry.id)))
        reports.publish("call", call_id, None, lambda _pct: None)  # as by a worker that ran one before
        db.session.commit()
        started = time.perf_counter()
        reports.publish("call", call_id, None, lambda _pct: None)
        db.session.commit()
        out["call report"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        result = verify_ledger()
        out["ledger verify"] = (time.perf_counter() - started) * 1000
        out["ledger ok"] = result["ok"]
        # The sealer's run when nothing is new (the beat runs it every minute): what finding
        # the unsealed transactions costs by itself.
        started = time.perf_counter()
        out["idle sealed"] = services.seal_ledger()
        db.session.commit()
        out["idle seal"] = (time.perf_counter() - started) * 1000
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=5_000)
    parser.add_argument("--pledges", type=int, default=1_000_000)
    parser.add_argument(
        "--small", type=int, default=10, help="the small installation is this many times smaller"
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the last run's databases again")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13")
    if not url.startswith("postgresql") or "127.0.0.1" not in url:
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL database on 127.0.0.1 that may be emptied")
    demo_url, small_url = url + "_demo", url + "_small"
    sizes = {
        "small": (max(300, args.campaigns // args.small), args.pledges // args.small),
        "large": (args.campaigns, args.pledges),
    }
    seals = {}
    if not args.reuse:
        for u in (url, demo_url, small_url):
            subprocess.run(
                [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/ensure_database.py"), u], check=True
            )
        print("demo data ...", flush=True)
        build_demo(demo_url)
        seals["demo"] = seal_and_analyze(demo_url, per_fund=False)
        for name, u in (("small", small_url), ("large", url)):
            campaigns, pledges = sizes[name]
            print(f"{name} installation: {campaigns} campaigns, {pledges} pledges ...", flush=True)
            started = time.perf_counter()
            build_large(u, campaigns, pledges)
            print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
            seals[name] = seal_and_analyze(u, per_fund=True)
    slug = FUNDS[0][0]
    pages = time_pages([demo_url, small_url, url], slug, args.repeat)
    call = "Oproep 2017 ronde 1"  # the second call: closed, in the first fund, in both installations
    figures = {
        "demo": report_and_verify(demo_url, None),
        "small": report_and_verify(small_url, call),
        "large": report_and_verify(url, call),
    }
    print(
        f"\nThe pages of fund {slug!r} as a visitor sees them (its site /f/{slug}/, the API with "
        f"?fund={slug}); medians of {args.repeat} renders.\n"
        "large/demo only where the demo's page is as full as the large one's (same page size, "
        "enough rows): '-' elsewhere; large/small where both pages are full."
    )
    print(f"\n{'':<31}{'demo ms':>9}{'small ms':>10}{'large ms':>10}{'large/demo':>12}{'large/small':>13}")
    for label, (d, s, g) in pages.items():
        vs_demo = f"{g / d:12.2f}" if label in LIKE_DEMO else f"{'-':>12}"
        vs_small = f"{g / s:13.2f}" if label not in UNLIKE_SMALL else f"{'-':>13}"
        print(f"{label:<31}{d:9.1f}{s:10.1f}{g:10.1f}{vs_demo}{vs_small}")
    d, s, g = (figures[k]["call report"] for k in ("demo", "small", "large"))
    print(f"{'call report':<31}{d:9.1f}{s:10.1f}{g:10.1f}{'-':>12}{g / s:13.2f}")
    print(
        "  call report: demo's first call ({} campaigns, {} pledges); small and large: the same "
        "call '{}' ({} and {} campaigns, {} and {} pledges)".format(
            figures["demo"]["call campaigns"],
            figures["demo"]["call pledges"],
            call,
            figures["small"]["call campaigns"],
            figures["large"]["call campaigns"],
            figures["small"]["call pledges"],
            figures["large"]["call pledges"],
        )
    )
    for name, runs in seals.items():
        for fund_slug, count, took in runs:
            if not count:
                continue  # the demo seals as it loads
            print(
                f"sealing ({name}, {fund_slug}): {count:,} transactions in {took:.2f} s "
                f"= {count / took:,.0f} transactions/s"
            )
    for name, fig in figures.items():
        seconds = fig["ledger verify"] / 1000
        print(
            f"ledger verify ({name}, {fig['pledges']:,} pledges): {fig['entries']:,} entries in "
            f"{seconds:.2f} s = {fig['entries'] / seconds:,.0f} entries/s, ok={fig['ledger ok']}"
        )
    for name, fig in figures.items():
        print(
            f"sealer's run with nothing new ({name}): {fig['idle seal']:.1f} ms, sealed {fig['idle sealed']}"
        )


if __name__ == "__main__":
    main()
