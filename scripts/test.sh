#!/usr/bin/env bash
# Runs the suite on SQLite, then on PostgreSQL (with Redis) when those answer.
# Defaults to the local services; REQUIRE_SERVICES=1 (CI) turns a missing one into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export FLASK_APP=app:create_app

answers() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

pg_url="${TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ] && answers 127.0.0.1 5432; then
  pg_url="postgresql+psycopg://root@127.0.0.1:5432/streekfonds_test"
fi
redis_url="${REDIS_URL:-}"
if [ -z "$redis_url" ] && answers 127.0.0.1 6379; then
  redis_url="redis://127.0.0.1:6379/15"
fi

if [ -n "$pg_url" ]; then
  if ! $BIN/python scripts/ensure_database.py "$pg_url"; then
    echo "PostgreSQL at $pg_url does not answer"; pg_url=""
  fi
fi

missing=()
[ -z "$pg_url" ] && missing+=("PostgreSQL (TEST_DATABASE_URL)")
[ -z "$redis_url" ] && missing+=("Redis (REDIS_URL)")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${REQUIRE_SERVICES:-0}" = "1" ]; then
    echo "REQUIRE_SERVICES=1 but not reachable: ${missing[*]}" >&2
    exit 1
  fi
  echo "================================================================"
  echo "NOTE: not reachable here: ${missing[*]}."
  echo "      Running the SQLite suite only; the tests that need them are SKIPPED."
  echo "================================================================"
fi

status=0
echo "== pass 1: SQLite =="
env -u TEST_DATABASE_URL STREEKFONDS_PG_PASS="${pg_url:+1}" REDIS_URL="$redis_url" \
  $BIN/python -m pytest -p no:cacheprovider "$@" || status=$?
if [ -n "$pg_url" ]; then
  echo "== pass 2: PostgreSQL =="
  TEST_DATABASE_URL="$pg_url" REDIS_URL="$redis_url" \
    $BIN/python -m pytest -p no:cacheprovider -m "not browser" "$@" || status=$?
fi
exit $status
