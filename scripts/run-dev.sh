#!/usr/bin/env bash
# Serve kennisnet on http://127.0.0.1:5000 with its background workers beside it:
# the search indexer, document text extraction and the agenda's mail queue.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

"$BIN/kennisnet" search worker & pids+=($!)
"$BIN/kennisnet" documents extract --watch & pids+=($!)
( while sleep 30; do "$BIN/kennisnet" events send-mail >/dev/null || true; done ) & pids+=($!)

"$BIN/kennisnet" run --host 127.0.0.1 --port "${PORT:-5000}"
