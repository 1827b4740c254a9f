#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust suites (domain, services, HTTP) on SQLite
# and again on PostgreSQL (installed and started locally when none is reachable), the tests
# that move bytes once more with them in S3 (moto's server on loopback), then boto3 and the
# AWS CLI against the RAM endpoint and Playwright in Debian's Chromium, both against a
# release build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how long the run has taken so far, so a slow step shows in CI's log.
started=$SECONDS
step() { printf '\n==> [%dm%02ds] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

step "set-up (tools, browsers, packages)"
# A run from a clean target/ fills it to about 14 GB; a full disk shows up late, mid-build.
free_gb=$(($(df -Pk . | awk 'NR == 2 { print $4 }') / 1048576))
held=nothing
[ -d target ] && held=$(du -sh target | cut -f1)
echo "disk: ${free_gb} GB free here; target/ holds ${held}"
if [ "$free_gb" -lt 16 ]; then
  echo "warning: a run from a clean target/ needs about 14 GB; this one may fill the disk" >&2
fi
scripts/setup.sh

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

step "S3 for the third run"
s3=$(scripts/s3.sh --reset) # --reset: the previous run's buckets go
echo "using $s3"

step "cargo clippy with the s3 feature"
cargo clippy -p backshare -p backshare-server --features backshare/s3,backshare-server/s3 --all-targets -- -D warnings

# What moves bytes: transfers, copies, restores (and creating from a copy), deletes, the
# SIGKILL takeover and two instances. Each test makes a bucket of its own.
step "cargo test on PostgreSQL with the bytes in S3"
export BACKSHARE_TEST_POSTGRES=$postgres BACKSHARE_TEST_S3=$s3
cargo test -p backshare --features s3 --lib --test services -- transfer copy copies copied restore creates_a bytes
cargo test -p backshare-server --features s3 --test processes
unset BACKSHARE_TEST_POSTGRES BACKSHARE_TEST_S3

step "release build (server binary and wasm bundle)"
cargo leptos build --release --split

step "The API through boto3 and the AWS CLI (RAM-compatible endpoint)"
scripts/api-test.sh

step "Playwright end-to-end tests"
status=0
npm --prefix end2end test || status=$?
# Playwright's own summary is not a line CI reads; print the plain one from its report.
node -e '
  const r = require("./end2end/test-results/results.json");
  const s = r.stats;
  console.log(`e2e: ${s.expected} passed, ${s.unexpected + s.flaky} failed, ${s.skipped} skipped`);
' || true
step "done"
exit "$status"
