"""A campaign goes viral: N backers pledge through the real Stripe checkout path while
readers keep loading the campaign page.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13 \\
        .venv/bin/python bench/viral.py [--backers 500] [--concurrency 50] [--readers 200]
        [--think 1.0] [--nginx]

Needs `wrk` (Debian: `apt-get install -y wrk`), and for --nginx `nginx`. The database is
emptied and rebuilt: one open campaign of a `live` call with a commitment that covers every
draw. gunicorn (deploy/gunicorn.conf.py, BENCH_GUNICORN_WORKERS=2 × BENCH_GUNICORN_THREADS=4,
Redis DB BENCH_REDIS_URL as broker, nothing consumes it) serves the app with
tests/fakes/stripe_server.py as Stripe, on 127.0.0.1; with --nginx every request (backers,
readers, the fake's webhooks) goes through nginx with deploy/nginx/streekfonds-app.conf
(one worker, its cache in a temporary directory).

The readers are wrk (bench/viral_readers.lua): READERS connections, each loading the page,
waiting --think seconds, loading it again; no cookies, so every view is a visitor without
a session. A C client: the figure is the server's, not a Python client's own waits for
its GIL. First the page's idle figures with the same tool (wrk, one connection, no pause,
--idle-seconds). Then, at once: wrk's readers, and CONCURRENCY Python threads that each take
backers from the N: open the campaign page, open the pledge form (session and CSRF token),
post it (the app creates the Stripe Checkout Session at the fake), pay at the fake, which
delivers the signed `checkout.session.completed` webhook as Stripe would (retried on a
non-2xx); the webhook records it and a Celery worker of its own (bench/pledges.py's
`start_applier`, as deployed) confirms the pledges. When every backer is done and every
event applied (the time of "confirmed"), wrk is stopped (SIGINT: it prints its histogram).
Bounded: N backers, and at most --max-seconds for the whole load. Printed: the load
average, the page's p50/p99 under load (wrk's histogram) against its idle p50, the ratio,
the backers' steps, confirmations/s, errors by kind; then the check: raised, backers, the
match and the ledger (`verify_ledger()`) exact, and the page (asked for without a cookie
1.5 s after the last pledge; through nginx again every 0.5 s while nginx answers with its
copy before, UPDATING, as it does while one request fetches the new page) shows them.
Nothing is asserted about time; the exit status is 1 when the check fails.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
from bench.pledges import serve, start_applier, stop, wait_applied  # noqa: E402

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


READERS_SCRIPT = ROOT / "bench/viral_readers.lua"


def wrk_start(url: str, connections: int, seconds: float, think_ms: int) -> subprocess.Popen:
    """wrk with `connections` readers, each waiting `think_ms` between views; no cookies."""
    return subprocess.Popen(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--timeout",
            "30s",
            "-s",
            str(READERS_SCRIPT),
            url,
            "--",
            str(think_ms),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_stop(proc: subprocess.Popen, interrupt: bool = True) -> dict:
    """Stop wrk (SIGINT: it prints its figures and runs the script's done()) and parse them."""
    if interrupt and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    line = re.search(r"^VIRAL-READERS (.*)$", out, re.M)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{out}")
    fields = {k: float(v) for k, v in (kv.split("=") for kv in line.group(1).split())}
    figures = {k: int(v) for k, v in fields.items() if k != "seconds"} | {"seconds": fields["seconds"]}
    for name in ("p50", "p99", "max"):
        figures[f"{name}_ms"] = figures.pop(f"{name}_us") / 1000
    return figures


def wrk(url: str, connections: int, seconds: float, think_ms: int) -> dict:
    return wrk_stop(wrk_start(url, connections, seconds, think_ms), interrupt=False)


NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
daemon off;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=streekfonds:10m max_size=64m inactive=10m
                     use_temp_path=off;
    upstream streekfonds {{
        server 127.0.0.1:{app_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {root}/deploy/nginx/streekfonds-app.conf;
    }}
}}
"""


def nginx_start(app_port: int) -> tuple[subprocess.Popen, int]:
    """nginx (one worker) in front of the app, with deploy/nginx/streekfonds-app.conf."""
    from bench.pledges import free_port

    tmp = Path(tempfile.mkdtemp(prefix="viral-nginx-"))
    tmp.chmod(0o777)  # nginx's worker runs as nobody when started as root
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, app_port=app_port, port=port, root=ROOT))
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nginx did not start: {(tmp / 'error.log').read_text()}")


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
    parser.add_argument("--nginx", action="store_true", help="every request through nginx (deploy/nginx)")
    parser.add_argument("--idle-seconds", type=int, default=5, help="idle measurement (wrk, 1 connection)")
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
    applier = start_applier(url)  # the Celery worker that applies the received webhooks
    proxy = None
    if args.nginx:
        proxy, port = nginx_start(port)
    base = f"http://127.0.0.1:{port}"
    fake.stdin.write(f"{base}/webhooks/stripe\n")
    fake.stdin.flush()
    page = f"{base}/campaigns/{campaign_id}"
    deliveries = "?"
    try:
        with requests.Session() as s:  # warm both workers' caches
            for _ in range(20):
                s.get(page, timeout=30)
        idle = wrk(page, connections=1, seconds=args.idle_seconds, think_ms=0)
        backer_page_times: list[float] = []
        deadline = time.perf_counter() + args.max_seconds
        readers = wrk_start(page, args.readers, args.max_seconds, int(args.think * 1000))

        def one(i: int) -> bool:
            if time.perf_counter() > deadline:
                errors["not started (time bound)"] += 1
                return False
            try:
                return backer(base, stripe, campaign_id, i, errors, backer_page_times)
            except requests.RequestException as exc:
                errors[f"backer {type(exc).__name__}"] += 1
                return False

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            confirmed = [ok for ok in pool.map(one, range(args.backers)) if ok]
        wait_applied(url)  # every delivered webhook's pledge confirmed
        wall = time.perf_counter() - started
        load = wrk_stop(readers)
        # An anonymous view may show the version read up to PUBLIC_PAGE_MAX_AGE (1 s) ago;
        # nginx gives the copy before while one request fetches the new one from the app.
        settled = time.perf_counter()
        time.sleep(1.5)
        for _ in range(60):
            final = requests.get(page, timeout=30)
            cache_status = final.headers.get("X-Cache-Status", "-")
            if cache_status not in ("UPDATING", "STALE"):
                break
            time.sleep(0.5)
        final_page, settled = final.text, time.perf_counter() - settled
        loadavg = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=30)
        stop(applier)
        stop(proc)
        fake.stdin.close()
        deliveries = fake.stdout.readline().strip()
        fake.wait(timeout=30)
    redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]).flushdb()  # the queued receipt mails
    workers, threads = os.environ["BENCH_GUNICORN_WORKERS"], os.environ["BENCH_GUNICORN_THREADS"]
    print(
        f"backers={args.backers} concurrency={args.concurrency} readers={args.readers} "
        f"(wrk, think {args.think} s); "
        f"gunicorn {workers} workers x {threads} threads{' behind nginx' if args.nginx else ''}; "
        "fake Stripe on 127.0.0.1; "
        f"load average {' '.join(loadavg)}"
    )
    print(
        f"page idle (wrk, 1 connection, {args.idle_seconds} s): p50 {idle['p50_ms']:7.2f} ms  "
        f"p99 {idle['p99_ms']:7.2f} ms  ({idle['views']} views)"
    )
    print(
        f"page under load (wrk readers): p50 {load['p50_ms']:7.2f} ms  p99 {load['p99_ms']:7.2f} ms  "
        f"max {load['max_ms']:7.1f} ms  ({load['views']} views, {load['views'] / load['seconds']:.0f}/s); "
        f"p99 / idle p50 = {load['p99_ms'] / idle['p50_ms']:.1f}"
    )
    b50, b99 = quantiles(backer_page_times)
    print(f"  backers' own page view (Python client): p50 {b50:7.1f} ms  p99 {b99:7.1f} ms")
    rate = len(confirmed) / wall
    print(f"confirmed: {len(confirmed)} of {args.backers} in {wall:.1f} s = {rate:.1f} confirmations/s")
    for step, took in STEPS.items():
        s50, s99 = quantiles(took)
        print(f"  backer step {step:<14} p50 {s50:7.1f} ms  p99 {s99:7.1f} ms")
    for source in (idle, load):
        for kind in ("status_errors", "connect", "read", "write", "timeout"):
            if source[kind]:
                errors[f"reader {kind}"] += source[kind]
    print(f"errors: {dict(errors) or 'none'}; webhook deliveries by the fake: {deliveries}")
    print(f"final page (checked below): {settled:.1f} s after the last backer, X-Cache-Status {cache_status}")
    verdict = check(url, campaign_id, len(confirmed), final_page)
    print(f"check: {verdict}")
    if not verdict["exact"] or len(confirmed) != args.backers:
        sys.exit(1)


if __name__ == "__main__":
    main()
