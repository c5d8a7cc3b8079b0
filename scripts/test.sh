#!/usr/bin/env bash
# The whole suite twice: on SQLite (with the browser tests) and on a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1
# Two workers (pytest-xdist) use both cores; each gets its own database and browser.
WORKERS=(-n "${PYTEST_WORKERS:-2}")

bash scripts/ensure-chromium.sh >&2
vnu_out="$(bash scripts/ensure-vnu.sh)" || { echo "the HTML checker could not be installed" >&2; exit 1; }
KENNISNET_VNU_JAR="$(tail -n 1 <<<"$vnu_out")"
export KENNISNET_VNU_JAR

echo "== SQLite =="
"$BIN/pytest" "${WORKERS[@]}" "$@"

echo "== PostgreSQL =="
pg_env="$(bash scripts/pg.sh start)" || { echo "PostgreSQL did not start" >&2; exit 1; }
eval "$pg_env"
trap 'bash scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
KENNISNET_TEST_PG_URL="$KENNISNET_TEST_PG_URL" "$BIN/pytest" "${WORKERS[@]}" "$@"
