#!/usr/bin/env bash
# The whole suite twice: on SQLite (with the browser tests) and on a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

bash scripts/ensure-chromium.sh >&2

echo "== SQLite =="
"$BIN/pytest" "$@"

echo "== PostgreSQL =="
eval "$(bash scripts/pg.sh start)"
trap 'bash scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
KENNISNET_TEST_PG_URL="$KENNISNET_TEST_PG_URL" "$BIN/pytest" "$@"
