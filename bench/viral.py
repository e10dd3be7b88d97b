"""A campaign goes viral: N backers pledge through the real Stripe checkout path while
readers keep loading the campaign page.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13 \\
        .venv/bin/python bench/viral.py [--backers 500] [--concurrency 50] [--readers 200]

The database is emptied and rebuilt: one open campaign of a `live` call with a commitment
that covers every draw. gunicorn (deploy/gunicorn.conf.py, BENCH_GUNICORN_WORKERS=2 ×
BENCH_GUNICORN_THREADS=4, Redis DB BENCH_REDIS_URL as broker, nothing consumes it) serves
the app with tests/fakes/stripe_server.py as Stripe, on 127.0.0.1. First the page's idle
p50 (200 sequential views). Then, at once: CONCURRENCY threads each take backers from the
N: open the campaign page, open the pledge form (session and CSRF token), post it (the app
creates the Stripe Checkout Session at the fake), pay at the fake, and deliver the signed
`checkout.session.completed` webhook as Stripe would (retried on a non-2xx, as Stripe
does); READERS threads load the campaign page until every backer is done. Bounded: N
backers, and at most --max-seconds for the whole load. Printed: page p50/p99 under load
against idle, confirmations/s, errors by kind; then the check: raised, backers, the match
and the ledger (`verify_ledger()`) exact, and the page shows them. Nothing is asserted
about time; the exit status is 1 when the check fails.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("BENCH_GUNICORN_WORKERS", "2")
os.environ.setdefault("BENCH_GUNICORN_THREADS", "4")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

from bench.installation import bench_app, fresh_schema, fund  # noqa: E402
from bench.pledges import serve, stop  # noqa: E402

AMOUNT = 2_500
LIVE = {"mode": "live", "condition": "none", "cap_per_project_cents": None, "ratio": 1}


def quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return ((values[0] * 1000) if values else float("nan"),) * 2
    q = statistics.quantiles(values, n=100)
    return q[49] * 1000, q[98] * 1000


def build(url: str, n: int) -> int:
    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        _call, (campaign,) = fund(1, policy=LIVE, commitment_cents=n * AMOUNT * 2)
        db.session.commit()
        campaign_id = campaign.id
        db.engine.dispose()
    return campaign_id


STEPS: dict[str, list[float]] = {"pledge form": [], "pledge post": [], "pay + webhook": []}


def _timed(step: str, call):
    start = time.perf_counter()
    out = call()
    STEPS[step].append(time.perf_counter() - start)
    return out


def backer(base: str, stripe: str, campaign_id: int, i: int, errors: Counter, page_times: list) -> bool:
    """One backer's journey: the page, the pledge form, the pledge (the app creates the
    Checkout Session at the fake Stripe), paying at the fake's checkout page, which returns
    once its signed webhook was delivered to the app (as Stripe would, retried on a non-2xx)."""
    import requests

    s = requests.Session()
    start = time.perf_counter()
    r = s.get(f"{base}/campaigns/{campaign_id}", timeout=30)
    page_times.append(time.perf_counter() - start)
    if r.status_code != 200:
        errors[f"page {r.status_code}"] += 1
        return False
    form = _timed("pledge form", lambda: s.get(f"{base}/campaigns/{campaign_id}/pledge", timeout=30))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        errors[f"pledge form {form.status_code}"] += 1
        return False
    data = {
        "csrf_token": token.group(1),
        "amount": f"{AMOUNT // 100}",
        "email": f"viral-{i}@example.org",
        "display_name": f"Fan {i}",
        "message": "Hup!",
    }
    posted = _timed(
        "pledge post",
        lambda: s.post(
            f"{base}/campaigns/{campaign_id}/pledge", data=data, allow_redirects=False, timeout=30
        ),
    )
    session_id = re.search(r"/pay/([^/?]+)", posted.headers.get("Location", ""))
    if posted.status_code != 303 or session_id is None:
        errors[f"pledge post {posted.status_code}"] += 1
        return False
    pay = f"{stripe}/pay/{session_id.group(1)}"
    paid = _timed(
        "pay + webhook", lambda: s.post(pay, data={"action": "pay"}, allow_redirects=False, timeout=60)
    )
    if paid.status_code != 303:
        errors[f"pay {paid.status_code}"] += 1
        return False
    return True


def check(url: str, campaign_id: int, n_ok: int, page_html: str) -> dict:
    from sqlalchemy import text

    from app.campaigns import money
    from app.campaigns import services as campaigns
    from app.campaigns.models import Campaign
    from app.extensions import db
    from app.matching.verify import verify_ledger

    app = bench_app(url)
    with app.app_context(), app.test_request_context():
        campaign = db.session.get(Campaign, campaign_id)
        figures = campaigns.public_figures([campaign])[campaign_id]
        drawn = db.session.scalar(text("SELECT coalesce(sum(drawn_cents), 0) FROM match_pledge_draws"))
        result = verify_ledger()
        out = {
            "succeeded": db.session.scalar(text("SELECT count(*) FROM pledges WHERE status = 'succeeded'")),
            "raised_ledger": money.raised_from_ledger(campaign_id),
            "raised_shown": figures["raised_cents"],
            "backers_shown": figures["backers_count"],
            "backers_ledger": campaigns.backers_count(campaign),
            "matched_shown": figures["matched_cents"],
            "matched_draws": drawn,
            "ledger_ok": result["ok"],
            "violations": result["violations"][:3],
        }
        db.session.rollback()
        db.engine.dispose()
    want = n_ok * AMOUNT
    shown = page_html.replace("\xa0", " ")
    out["exact"] = (
        out["succeeded"] == n_ok
        and out["raised_ledger"] == out["raised_shown"] == want
        and out["backers_shown"] == out["backers_ledger"] == n_ok
        and out["matched_shown"] == out["matched_draws"] == want
        and out["ledger_ok"]
        and f'data-testid="backers">{n_ok}<' in shown
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--think", type=float, default=1.0, help="a reader's pause between views (s)")
    parser.add_argument("--max-seconds", type=float, default=240)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13")
    if not url.startswith("postgresql") or "127.0.0.1" not in url:
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL database on 127.0.0.1 that may be emptied")
    import redis
    import requests

    subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/ensure_database.py"), url], check=True
    )
    campaign_id = build(url, args.backers)
    errors: Counter = Counter()
    secret = "whsec_bench_viral"
    fake = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "bench/fake_stripe_proc.py"), secret],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stripe = fake.stdout.readline().strip()
    os.environ.update(
        {"STRIPE_API_BASE": stripe, "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": secret}
    )
    import bench.pledges as pledges_bench

    pledges_bench.SECRET = secret  # serve() hands it to the app
    proc, port = serve("app:create_app()", url)
    base = f"http://127.0.0.1:{port}"
    fake.stdin.write(f"{base}/webhooks/stripe\n")
    fake.stdin.flush()
    page = f"{base}/campaigns/{campaign_id}"
    deliveries = "?"
    try:
        idle = []
        with requests.Session() as s:
            for _ in range(20):
                s.get(page, timeout=30)
            for _ in range(200):
                t = time.perf_counter()
                s.get(page, timeout=30)
                idle.append(time.perf_counter() - t)
        done = threading.Event()
        reader_times: list[float] = []
        backer_page_times: list[float] = []
        deadline = time.perf_counter() + args.max_seconds

        def reader() -> None:
            with requests.Session() as s:
                while not done.is_set() and time.perf_counter() < deadline:
                    s.cookies.clear()  # a new visitor each time
                    t = time.perf_counter()
                    try:
                        r = s.get(page, timeout=30)
                        if r.status_code != 200:
                            errors[f"reader {r.status_code}"] += 1
                        reader_times.append(time.perf_counter() - t)
                    except requests.RequestException as exc:
                        errors[f"reader {type(exc).__name__}"] += 1
                    done.wait(args.think)

        def one(i: int) -> bool:
            if time.perf_counter() > deadline:
                errors["not started (time bound)"] += 1
                return False
            try:
                return backer(base, stripe, campaign_id, i, errors, backer_page_times)
            except requests.RequestException as exc:
                errors[f"backer {type(exc).__name__}"] += 1
                return False

        readers = [threading.Thread(target=reader, daemon=True) for _ in range(args.readers)]
        started = time.perf_counter()
        for t in readers:
            t.start()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            confirmed = [ok for ok in pool.map(one, range(args.backers)) if ok]
        wall = time.perf_counter() - started
        done.set()
        for t in readers:
            t.join(timeout=35)
        # An anonymous view may show the version read up to PUBLIC_PAGE_MAX_AGE (1 s) ago.
        time.sleep(1.5)
        final_page = requests.get(page, timeout=30).text
    finally:
        stop(proc)
        fake.stdin.close()
        deliveries = fake.stdout.readline().strip()
        fake.wait(timeout=30)
    redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]).flushdb()  # the queued receipt mails
    idle_p50, idle_p99 = quantiles(idle)
    p50, p99 = quantiles(reader_times + backer_page_times)
    workers, threads = os.environ["BENCH_GUNICORN_WORKERS"], os.environ["BENCH_GUNICORN_THREADS"]
    print(
        f"backers={args.backers} concurrency={args.concurrency} readers={args.readers} "
        f"(think {args.think} s); "
        f"gunicorn {workers} workers x {threads} threads; fake Stripe on 127.0.0.1"
    )
    print(f"page idle:       p50 {idle_p50:7.1f} ms  p99 {idle_p99:7.1f} ms  (200 sequential views)")
    views = len(reader_times) + len(backer_page_times)
    print(
        f"page under load: p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({views} views, "
        f"{len(reader_times) / wall:.0f} reader views/s); p99 / idle p50 = {p99 / idle_p50:.1f}"
    )
    rate = len(confirmed) / wall
    print(f"confirmed: {len(confirmed)} of {args.backers} in {wall:.1f} s = {rate:.1f} confirmations/s")
    for step, took in STEPS.items():
        s50, s99 = quantiles(took)
        print(f"  backer step {step:<14} p50 {s50:7.1f} ms  p99 {s99:7.1f} ms")
    print(f"errors: {dict(errors) or 'none'}; webhook deliveries by the fake: {deliveries}")
    verdict = check(url, campaign_id, len(confirmed), final_page)
    print(f"check: {verdict}")
    if not verdict["exact"] or len(confirmed) != args.backers:
        sys.exit(1)


if __name__ == "__main__":
    main()
