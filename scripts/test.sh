#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust suites (domain, services, HTTP) on SQLite
# and again on PostgreSQL (installed and started locally when none is reachable), then
# Playwright against a release build in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server build and browser build)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p backshare-app --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "cargo test on SQLite (domain, services, HTTP)"
cargo test --workspace

step "PostgreSQL for the second run"
postgres=$(scripts/postgres.sh)
echo "using $postgres"
# Each test creates a database of its own; the previous run's are dropped first.
psql "$postgres/postgres" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'backshare_test_%'" |
  while read -r name; do psql "$postgres/postgres" -qc "DROP DATABASE \"$name\""; done

step "cargo test on PostgreSQL (services, HTTP)"
BACKSHARE_TEST_POSTGRES=$postgres cargo test --workspace

step "release build (server binary and wasm bundle)"
cargo leptos build --release

step "Playwright end-to-end tests"
status=0
npm --prefix end2end test || status=$?
# Playwright's own summary is not a line CI reads; print the plain one from its report.
node -e '
  const r = require("./end2end/test-results/results.json");
  const s = r.stats;
  console.log(`e2e: ${s.expected} passed, ${s.unexpected + s.flaky} failed, ${s.skipped} skipped`);
' || true
exit "$status"
