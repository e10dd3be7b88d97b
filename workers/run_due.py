"""`python -m workers.run_due`: run every scheduled step once, now, in this process.

For an installation without Redis (the embedded default of `make run`), where no beat runs:
call it from cron every minute, or by hand in the demo after moving a deadline. Each step is
an idempotent transition, so running it more often than beat would, or next to a beat, is
harmless. Prints what each step returned.
"""

from __future__ import annotations

import sys


def main(names: list[str] | None = None) -> int:
    from workers.celery_app import celery, flask_app
    from workers.schedule import entries

    wanted = names or list(entries(flask_app.config))
    status = 0
    for name in wanted:
        task = celery.tasks.get(name)
        if task is None:
            print(f"{name}: not installed")
            continue
        try:
            # apply() runs the task here, through the same code as a worker would.
            result = task.apply(throw=True).result
        except Exception as exc:  # noqa: BLE001 - report and go on with the other steps
            print(f"{name}: FAILED {type(exc).__name__}: {exc}")
            status = 1
            continue
        print(f"{name}: {result}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
