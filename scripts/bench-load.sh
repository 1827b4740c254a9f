#!/usr/bin/env bash
# Load figures: share/accept/reject over HTTP at 64 concurrent connections (one instance
# on SQLite, two on PostgreSQL), and the server time of "My Shares" with 1,000 and
# 100,000 shares. Starts a local PostgreSQL like the test command. Prints; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKSHARE_TEST_POSTGRES=$(scripts/postgres.sh) exec cargo bench -p backshare-server --bench load
