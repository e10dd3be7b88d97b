"""`flask demo load`: demo data for `make run`, idempotent (running it twice adds nothing).

Each domain adds a step module here (`app/demo/<step>.py` with `load(ctx)`), run in the order
of STEPS; `ctx` is a dict the steps share (users, calls, ...)."""
