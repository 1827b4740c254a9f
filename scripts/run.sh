#!/usr/bin/env bash
# Builds Backshare (release) and serves it on http://127.0.0.1:3000 with the embedded
# defaults: SQLite and backup bytes under ./data, and the demo seeded into a new database.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKSHARE_SETUP_BROWSER=0 scripts/setup.sh
export BACKSHARE_DEMO="${BACKSHARE_DEMO:-true}"
exec cargo leptos serve --release --split
