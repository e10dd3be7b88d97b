"""The floor for bench/pledges.py: a bare Flask app whose one endpoint does what any
implementation of a confirmed pledge must at least do, one INSERT (the event) and one
conditional UPDATE of one shared row (the pot), in one transaction.

    gunicorn 'bench.floor:create_app()'   (BENCH_DATABASE_URL names the database)
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

SCHEMA = """
DROP TABLE IF EXISTS bench_floor_events;
DROP TABLE IF EXISTS bench_floor_pot;
CREATE TABLE bench_floor_events (id serial PRIMARY KEY, event_id varchar(255) UNIQUE NOT NULL,
                                 body text NOT NULL);
CREATE TABLE bench_floor_pot (id integer PRIMARY KEY, available bigint NOT NULL CHECK (available >= 0));
INSERT INTO bench_floor_pot VALUES (1, :available);
"""


def reset(url: str, available: int) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in SCHEMA.strip().split(";"):
            if statement.strip():
                conn.execute(text(statement), {"available": available})
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=8, max_overflow=8)

    @app.post("/floor")
    def floor():
        body = request.get_json()
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO bench_floor_events (event_id, body) VALUES (:e, :b)"),
                {"e": body["id"], "b": request.get_data(as_text=True)},
            )
            taken = conn.execute(
                text("UPDATE bench_floor_pot SET available = available - 1 WHERE id = 1 AND available >= 1")
            ).rowcount
        return {"received": True, "taken": taken}

    return app
