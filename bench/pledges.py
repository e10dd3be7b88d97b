"""Confirmed pledges per second through the real webhook, against the floor.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_matching \\
        .venv/bin/python bench/pledges.py [N=2000] [C=32]

The database is emptied and rebuilt: 20 open `live` campaigns sharing one commitment that
covers about half of what the pledges ask (so draws run out halfway), and N pending
Stripe pledges. gunicorn (deploy/gunicorn.conf.py, access log off, WORKERS x THREADS, with
Redis as the broker like production) serves the app; N signed `checkout.session.completed`
events are POSTed to /webhooks/stripe at concurrency C, the first WARMUP of them untimed.
A second gunicorn serves bench/floor.py: one INSERT and one conditional UPDATE of one row
per request. The two take turns on ROUNDS slices of the events (BENCH_ROUNDS, default 4)
so load drift on the machine hits both. Printed: confirmed pledges/s, p50 and p99 latency
per slice, and the ratio app / floor (median of the paired slices). Afterwards
`verify_ledger()` must be clean and every pledge succeeded exactly once. Nothing is asserted about time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "whsec_bench_secret"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
PAYMENTS_QUEUE = "bench_payments"
CAMPAIGNS = 20
AMOUNT = 1_000
# The same server for the app and the floor. Both spend their time on the CPU of this
# machine (Python, PostgreSQL, the load generator), so one process per core with a few
# threads to overlap the database round trips beats the deploy default of 2 × cores + 1
# processes, whose extra threads only queue behind the shared commitment's row lock.
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(os.cpu_count() or 2)))
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))
# Deliveries before the clock starts (worker start-up, connection pools, SQL caches).
WARMUP = 100
# Alternating timed slices per server (see main); an even number gives a fair median.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
# Keys that pass the start-up checks (a bench is not production; they are made per run).
BENCH_SECRET_KEY = secrets.token_urlsafe(48)
BENCH_PSEUDONYM_KEY = secrets.token_urlsafe(48)


def _app(url: str, redis_url: str = ""):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "REDIS_URL": redis_url,
            "MAIL_SERVER": "",
            "TESTING": False,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "PSEUDONYM_KEY": BENCH_PSEUDONYM_KEY,
            "RATELIMIT_ENABLED": False,
        }
    )


def build(url: str, n: int) -> list[dict]:
    """Schema, campaigns, the commitment and N pending pledges; returns the events."""
    from sqlalchemy import insert, text

    from app.accounts import services as accounts
    from app.calls import services as calls
    from app.campaigns import services as campaigns
    from app.campaigns.models import Pledge
    from app.core import clock, ports
    from app.extensions import db
    from app.jury.ports import MatchReservation
    from app.matching import services as matching

    app = _app(url)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        manager = accounts.create_user("bench-manager@example.org", "Lang-wachtwoord-7", ["fund_manager"])
        owner = accounts.create_user("bench-owner@example.org", "Lang-wachtwoord-7", ["applicant"])
        sponsor = matching.create_sponsor({"name": "Provincie (bench)", "kind": "province"}, manager.id)
        matching.add_commitment(sponsor, {"amount_cents": n * AMOUNT // 2}, manager.id)
        now = clock.now()
        call = calls.create_call(
            {
                "title": "Bench live",
                "description": "Benchmark call.",
                "theme": "bench",
                "municipalities": ["Gent"],
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(hours=1),
                "criteria": [{"key": "q", "label": "Q", "weight": 1, "max_score": 10}],
                "match_policy": {"mode": "live", "condition": "none", "cap_per_project_cents": None},
                "max_pledge_cents": 500_000,
            },
            manager,
        )
        calls.publish_call(call, manager)
        target = max(n * AMOUNT // CAMPAIGNS, 10_000)
        apps = []
        for i in range(CAMPAIGNS):
            a = calls.create_application(
                call,
                {
                    "title": f"Project {i}",
                    "summary": "Bench.",
                    "description": "Bench.",
                    "municipality": "Gent",
                    "applicant_type": "individual",
                    "budget_cents": 2 * target,
                    "target_cents": target,
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
            campaign = campaigns.create_campaign(a)
            campaigns.open_campaign(campaign, manager.id)
            opened.append(campaign)
        rows = []
        for i in range(n):
            campaign = opened[i % CAMPAIGNS]
            rows.append(
                {
                    "campaign_id": campaign.id,
                    "amount_cents": AMOUNT,
                    "currency": "eur",
                    "email": f"backer{i}@example.org",
                    "display_name": f"Backer {i}",
                    "method": "stripe",
                    "status": "pending",
                    "receipt_token_hash": secrets.token_hex(32),
                    "receipt_nonce": secrets.token_hex(16),
                    "checkout_session_id": f"cs_bench_{i}",
                    "payment_intent_id": f"pi_bench_{i}",
                    "created_at": now,
                }
            )
        db.session.execute(insert(Pledge), rows)
        db.session.commit()
        pledges = db.session.execute(
            text("SELECT id, checkout_session_id, payment_intent_id FROM pledges ORDER BY id")
        ).all()
        events = [
            {
                "id": f"evt_bench_{pid}",
                "type": "checkout.session.completed",
                "object": "event",
                "data": {
                    "object": {
                        "id": cs,
                        "object": "checkout.session",
                        "payment_status": "paid",
                        "amount_total": AMOUNT,
                        "currency": "eur",
                        "payment_intent": pi,
                        "metadata": {"pledge_id": str(pid)},
                    }
                },
            }
            for pid, cs, pi in pledges
        ]
        db.engine.dispose()
    return events


def sign(payload: bytes) -> str:
    t = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "PAYMENT_GATEWAY": "stripe",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "PSEUDONYM_KEY": BENCH_PSEUDONYM_KEY,
        # A load test is one address hammering the site: the limits would answer 429.
        "RATELIMIT_ENABLED": "false",
        # As deployed: a broker, so each confirmation queues its receipt mail for a worker
        # (rendered and sent there). Without one Celery runs the delivery eagerly inside
        # the request, which no production request does. Nothing consumes the queue here;
        # it is flushed at the end.
        "REDIS_URL": REDIS_URL,
        # The webhook records each event and kicks the applier (payments.apply_received),
        # which a Celery worker of its own runs (see start_applier), as in production.
        "PAYMENTS_QUEUE": PAYMENTS_QUEUE,
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOGLEVEL": "warning",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }


def start_applier(url: str) -> subprocess.Popen:
    """A Celery worker (one process, as `celery -A workers.celery_app worker`) for the queue
    of payments.apply_received only: it applies the events the app's webhook received. The
    receipt mails stay queued on the default queue, as before (nothing consumes them)."""
    # Left open: the worker writes to it for as long as it runs.
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-applier-{os.getpid()}.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "workers.celery_app",
            "worker",
            "-Q",
            PAYMENTS_QUEUE,
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "info",
        ],
        env=server_env(url, 0),
        cwd=str(ROOT),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        log.seek(0)
        if "ready." in log.read():
            return proc
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"the applier did not start (see {log.name})")


def wait_applied(url: str, limit_s: float = 300) -> None:
    """Until no event is left `received` (every delivered confirmation applied)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        deadline = time.time() + limit_s
        while time.time() < deadline:
            if not conn.execute("SELECT 1 FROM payment_events WHERE outcome = 'received' LIMIT 1").fetchone():
                return
            time.sleep(0.01)
    raise SystemExit("events still received after the time limit")


def serve(target: str, url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = server_env(url, port)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            str(ROOT / "deploy/gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
            "--chdir",
            str(ROOT),
            target,
        ],
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(1.0)  # let every worker boot
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{target} did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def drive(port: int, path: str, bodies: list[bytes], concurrency: int, signed: bool, settled=None) -> dict:
    """POST the bodies at this concurrency; the clock stops when every one was answered
    and, with `settled`, when it returns (the app: when every event was applied)."""
    import requests

    local = threading.local()
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one(body: bytes) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["Stripe-Signature"] = sign(body)
        for _attempt in range(5):  # Stripe retries a delivery that did not get a 2xx
            start = time.perf_counter()
            resp = session.post(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, timeout=60)
            took = time.perf_counter() - start
            if resp.status_code == 200:
                with lock:
                    latencies.append(took)
                return
        with lock:
            failures.append(f"{resp.status_code} {resp.text[:200]}")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, bodies))
    answered = time.perf_counter() - start
    if settled is not None:
        settled()
    wall = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "ok": len(latencies),
        "failed": len(failures),
        "first_failure": failures[:1],
        "per_s": len(latencies) / wall,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "wall_s": wall,
        "answered_s": answered,
    }


COUNTED = 10


def count_statements(url: str, bodies: list[bytes]) -> tuple[list[int], float]:
    """Deliver these events in-process (Flask's test client, the same view and settings as
    the server, Redis as the broker) and count the SQL statements each webhook sends to
    the database; then apply them in-process as one group, as the applier does, and count
    its statements per event. Every cursor execution counts (SAVEPOINTs included), not the
    BEGIN and COMMIT psycopg adds. Nothing is timed here."""
    from sqlalchemy import event

    from app.core import tenancy
    from app.extensions import db
    from app.payments import drain, inbox
    from app.payments.gateways import get_gateway

    app = _app(url, REDIS_URL)
    counts = []
    with app.app_context():
        seen = [0]

        def one(*_args, **_kwargs):
            seen[0] += 1

        event.listen(db.engine, "before_cursor_execute", one)
        client = app.test_client()
        for body in bodies:
            seen[0] = 0
            headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body)}
            resp = client.post("/webhooks/stripe", data=body, headers=headers)
            if resp.status_code != 200:
                raise SystemExit(f"in-process delivery failed: {resp.status_code} {resp.text[:200]}")
            counts.append(seen[0])
        seen[0] = 0
        with tenancy.scoped(None):
            drain.clear()  # as the applier does before it looks: the next webhook kicks again
            taken = inbox.apply_received(get_gateway, limit=len(bodies))
            db.session.commit()
        per_event = seen[0] / max(taken, 1)
        event.remove(db.engine, "before_cursor_execute", one)
        db.engine.dispose()
    return counts, per_event


def check(url: str, n: int) -> dict:
    from sqlalchemy import text

    from app.extensions import db
    from app.matching.verify import verify_ledger

    app = _app(url)
    with app.app_context():
        succeeded = db.session.scalar(text("SELECT count(*) FROM pledges WHERE status = 'succeeded'"))
        postings = db.session.scalar(text("SELECT count(*) FROM journal_transactions WHERE kind = 'pledge'"))
        matched = db.session.scalar(text("SELECT coalesce(sum(drawn_cents), 0) FROM match_pledge_draws"))
        result = verify_ledger()
        db.engine.dispose()
    return {
        "succeeded": succeeded,
        "postings": postings,
        "matched_cents": matched,
        "commitment_cents": n * AMOUNT // 2,
        "ledger_ok": result["ok"],
        "violations": result["violations"][:3],
    }


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_matching")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    c = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    if n <= WARMUP:
        raise SystemExit(f"N must be above the {WARMUP} warm-up deliveries")
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/ensure_database.py"), url], check=True
    )
    print(f"building {n} pending pledges on {CAMPAIGNS} live campaigns ...", flush=True)
    events = build(url, n)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    bodies = [json.dumps(e).encode() for e in events]

    from bench.floor import reset

    reset(url, n // 2)
    # The first events, in-process: how many statements one confirmation sends (with a
    # live draw: the commitment still has money). The rest of the warm-up goes over HTTP.
    statements, applied_statements = count_statements(url, bodies[:COUNTED])
    # Both servers run side by side and take turns on slices of the events (app, floor,
    # app, floor, ...), so a change in machine load during the run hits both alike; the
    # ratio is the median of the paired slices. The idle server only sleeps in accept().
    # The app's slice ends when its applier has applied every event of it.
    app_proc, app_port = serve("app:create_app()", url)
    applier = floor_proc = None
    settled = lambda: wait_applied(url)  # noqa: E731
    try:
        applier = start_applier(url)
        floor_proc, floor_port = serve("bench.floor:create_app()", url)
        drive(app_port, "/webhooks/stripe", bodies[:WARMUP], c, signed=True, settled=settled)
        drive(floor_port, "/floor", bodies[:WARMUP], c, signed=False)
        timed = bodies[WARMUP:]
        pairs = []
        for r in range(ROUNDS):
            part = timed[r * len(timed) // ROUNDS : (r + 1) * len(timed) // ROUNDS]
            pairs.append(
                (
                    drive(app_port, "/webhooks/stripe", part, c, signed=True, settled=settled),
                    drive(floor_port, "/floor", part, c, signed=False),
                )
            )
    finally:
        stop(app_proc)
        for proc in (applier, floor_proc):
            if proc is not None:
                stop(proc)
    verdict = check(url, n)

    print(
        f"N={n} (first {WARMUP} untimed) C={c} gunicorn: {WORKERS} workers x {THREADS} threads, both; "
        f"{ROUNDS} alternating rounds"
    )
    for r, (app_run, floor_run) in enumerate(pairs, 1):
        for name, run in (("app  ", app_run), ("floor", floor_run)):
            print(
                f"{r} {name}: {run['per_s']:8.1f} confirmed/s   answered in {run['answered_s']:5.2f} s of "
                f"{run['wall_s']:5.2f} s   p50 {run['p50_ms']:7.1f} ms   "
                f"p99 {run['p99_ms']:7.1f} ms   ok {run['ok']}  failed {run['failed']} {run['first_failure']}"
            )
    redis.Redis.from_url(REDIS_URL).flushdb()  # the queued mails of the fake backers
    ratios = [a["per_s"] / f["per_s"] for a, f in pairs]
    app_total = sum(a["ok"] for a, _ in pairs) / sum(a["wall_s"] for a, _ in pairs)
    floor_total = sum(f["ok"] for _, f in pairs) / sum(f["wall_s"] for _, f in pairs)
    print(f"app {app_total:.1f}/s  floor {floor_total:.1f}/s overall")
    print(
        f"statements per webhook (recording the event; plus BEGIN and COMMIT): "
        f"{statistics.median(statements):.0f} (first {COUNTED}: {statements}); floor: 2"
    )
    print(
        f"statements per confirmation applied in a group of {COUNTED} (with a live draw): "
        f"{applied_statements:.1f}"
    )
    each = ", ".join(f"{x:.2f}" for x in ratios)
    print(f"ratio app/floor: {statistics.median(ratios):.2f} (median of {each})")
    print(f"check: {verdict}")


if __name__ == "__main__":
    main()
