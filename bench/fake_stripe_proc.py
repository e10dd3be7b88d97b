"""tests/fakes/stripe_server.py in a process of its own, delivering its events to the app
as Stripe does (signed POSTs, retried on a non-2xx), for bench/viral.py.

    python bench/fake_stripe_proc.py SECRET   # prints its URL; then reads the webhook URL
                                             # from stdin; stops when stdin closes

A process of its own so the load generator's threads do not slow the fake down (and the
other way round).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.stripe_server import FakeStripe  # noqa: E402

ATTEMPTS = 5


def main() -> None:
    import requests

    fake = FakeStripe(webhook_secret=sys.argv[1]).start()
    print(fake.url, flush=True)
    target = sys.stdin.readline().strip()
    stats = {"delivered": 0, "retried": 0, "gave_up": 0}

    def deliver(event: dict) -> None:
        with requests.Session() as s:
            for _attempt in range(ATTEMPTS):
                payload, header = fake.signed(event)
                r = s.post(
                    target,
                    data=payload,
                    headers={"Stripe-Signature": header, "Content-Type": "application/json"},
                    timeout=30,
                )
                if r.status_code == 200:
                    stats["delivered"] += 1
                    return
                stats["retried"] += 1
                time.sleep(0.2)
        stats["gave_up"] += 1

    fake.on_event = deliver
    sys.stdin.read()  # until the bench closes our stdin
    fake.stop()
    print(stats, flush=True)


if __name__ == "__main__":
    main()
