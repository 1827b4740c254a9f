#!/usr/bin/env bash
# Live status in the browser: one account's action to the other account's open page
# showing it, across two instances on one PostgreSQL database, p50/p95 over 100 actions
# (LIVE_ROUNDS to change). Uses the release build (built when missing). Prints; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
[ -x target/release/backshare-server ] && [ -f target/release/hash.txt ] || cargo leptos build --release --split

postgres=$(scripts/postgres.sh)
db="backshare_bench_live"
psql "$postgres/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
data=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$data"' EXIT

start() { # port
  DATABASE_URL="$postgres/$db" BACKSHARE_DATA_DIR="$data" BACKSHARE_DEMO=true RUST_LOG=warn \
    LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_OUTPUT_NAME=backshare target/release/backshare-server &
  pids+=($!)
  until curl -fso /dev/null "http://127.0.0.1:$1/signin"; do sleep 0.2; done
}
start 3201 # seeds the demo first
start 3202
LIVE_A=http://127.0.0.1:3201 LIVE_B=http://127.0.0.1:3202 node end2end/bench/live.mjs
