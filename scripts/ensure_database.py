"""Create the PostgreSQL database named in a URL if it is missing. Exit 1 if the server
does not answer. Used by scripts/test.sh and deploy scripts."""

import sys

import psycopg
from sqlalchemy.engine import make_url


def main(url: str) -> int:
    u = make_url(url)
    params = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username or "root",
        "dbname": "postgres",
        "connect_timeout": 3,
    }
    if u.password:
        params["password"] = u.password
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{u.database}"')
    except psycopg.OperationalError as exc:
        print(f"cannot reach PostgreSQL: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
