"""Public pages per second against a Flask hello-world, at 10, 1,000 and 10,000 backers.

    BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13 \\
        .venv/bin/python bench/pages.py [--backers 10,1000,10000] [--seconds 3] [--rounds 2]

Needs `wrk` (Debian: `apt-get install -y wrk`). The database is emptied and rebuilt: one
call, one open campaign per backer count (its backers written in bulk with their ledger
lines, see bench/installation.py). Two gunicorns with the same settings (gthread,
BENCH_GUNICORN_WORKERS=2 × BENCH_GUNICORN_THREADS=4, access log off) serve the app and
bench/hello.py on 127.0.0.1. Each page is loaded once untimed (the figures cache fills),
then wrk (2 threads, 16 connections, no cookies: every request is a first visit) takes
turns: hello, page, hello, next page, ... for ROUNDS rounds of SECONDS each, so machine
load drift hits both. Printed: requests/s, p50/p99 latency, non-2xx, and per page the
ratio page / the hello-world slice run just before it (median over the rounds).
Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The server settings, read by bench.pledges when it is imported.
os.environ.setdefault("BENCH_GUNICORN_WORKERS", "2")
os.environ.setdefault("BENCH_GUNICORN_THREADS", "4")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

from bench.installation import add_backers, bench_app, fresh_schema, fund  # noqa: E402
from bench.pledges import serve, stop  # noqa: E402


def build(url: str, backer_counts: list[int]) -> dict[str, str]:
    """The schema and the campaigns; returns {label: path} of the pages to measure."""
    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        call, campaigns = fund(len(backer_counts))
        db.session.commit()
        for campaign, n in zip(campaigns, backer_counts, strict=True):
            add_backers(campaign.id, n)
        paths = {f"campaign@{n}": f"/campaigns/{c.id}" for c, n in zip(campaigns, backer_counts, strict=True)}
        biggest = campaigns[-1].id
        paths.update(
            {
                "home": "/",
                "campaign list": "/campaigns",
                f"embed@{backer_counts[-1]}": f"/campaigns/{biggest}/embed",
                "call page": f"/calls/{call.id}",
            }
        )
        db.engine.dispose()
    return paths


def wrk(port: int, path: str, seconds: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "per_s": per_s,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backers", default="10,1000,10000")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/sf_bench_h13")
    if not url.startswith("postgresql") or "127.0.0.1" not in url:
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL database on 127.0.0.1 that may be emptied")
    counts = [int(x) for x in args.backers.split(",")]
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/ensure_database.py"), url], check=True
    )
    started = time.perf_counter()
    print(f"building campaigns with {counts} backers ...", flush=True)
    paths = build(url, counts)
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    app_proc, app_port = serve("app:create_app()", url)
    hello_proc = None
    results: dict[str, list[tuple[dict, dict]]] = {label: [] for label in paths}
    try:
        hello_proc, hello_port = serve("bench.hello:create_app()", url)
        for path in paths.values():
            for _ in range(3):  # untimed: worker start-up, the figures cache, SQL caches
                urlopen(f"http://127.0.0.1:{app_port}{path}", timeout=60).read()
        wrk(hello_port, "/", 1)
        for _round in range(args.rounds):
            for label, path in paths.items():
                floor = wrk(hello_port, "/", args.seconds)
                results[label].append((wrk(app_port, path, args.seconds), floor))
    finally:
        stop(app_proc)
        if hello_proc is not None:
            stop(hello_proc)
    workers, threads = os.environ["BENCH_GUNICORN_WORKERS"], os.environ["BENCH_GUNICORN_THREADS"]
    print(
        f"gunicorn {workers} workers x {threads} threads (both); wrk -t2 -c16, {args.seconds} s slices, "
        f"{args.rounds} rounds, alternating with the hello-world"
    )
    print(
        f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'hello/s':>9}  non-2xx  ratio (median; slices)"
    )
    for label, runs in results.items():
        ratios = [page["per_s"] / floor["per_s"] for page, floor in runs]
        page = {k: statistics.median(r[0][k] for r in runs) for k in ("per_s", "p50_ms", "p99_ms")}
        hello = statistics.median(r[1]["per_s"] for r in runs)
        bad = sum(r[0]["non_2xx"] for r in runs)
        errors = "; ".join(r[0]["socket_errors"] for r in runs if r[0]["socket_errors"])
        each = ", ".join(f"{x:.2f}" for x in ratios)
        print(
            f"{label:<22}{page['per_s']:9.1f}{page['p50_ms']:9.1f}{page['p99_ms']:9.1f}{hello:9.1f}"
            f"  {bad:7d}  {statistics.median(ratios):.2f} ({each})"
            + (f"  socket errors: {errors}" if errors else "")
        )


if __name__ == "__main__":
    main()
