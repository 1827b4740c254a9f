#!/usr/bin/env bash
# Push-feed latency: owner's action to the recipient's open page showing it, p50 and p95
# over 100 actions. Prints figures; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p backshare-server --bench feed_latency
