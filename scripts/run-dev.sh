#!/usr/bin/env bash
# Serve kennisnet on http://127.0.0.1:5000 with the search indexer running beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if "$BIN/kennisnet" search --help >/dev/null 2>&1; then
  "$BIN/kennisnet" search worker &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
fi
"$BIN/kennisnet" run --host 127.0.0.1 --port "${PORT:-5000}"
