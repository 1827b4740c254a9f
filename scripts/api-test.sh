#!/usr/bin/env bash
# The API through the tools people already run: boto3's `ram` client and the AWS CLI
# (PyPI, pinned, in a virtualenv under ~/.cache/backshare/aws, installed when missing)
# against a server of its own (the release build unless BACKSHARE_BIN names another) on a
# fresh data folder with the demo. Runs end2end/api/test_ram.py; fails when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

boto3_version=1.44.8
awscli_version=1.46.3
cache="${XDG_CACHE_HOME:-$HOME/.cache}/backshare/aws"
venv="$cache/venv-$boto3_version-$awscli_version"
if [ ! -x "$venv/bin/aws" ]; then
  echo "Installing boto3 $boto3_version and the AWS CLI $awscli_version into $venv (once)." >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "boto3==$boto3_version" "awscli==$awscli_version"
fi

bin=${BACKSHARE_BIN:-target/release/backshare-server}
port=${BACKSHARE_API_TEST_PORT:-3102}
data=$(mktemp -d)
BACKSHARE_DATA_DIR="$data" BACKSHARE_DEMO=true RUST_LOG=warn LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=backshare "$bin" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 150); do
  curl -fso /dev/null "http://127.0.0.1:$port/signin" && break
  kill -0 $server 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done
# No credentials or config of the machine's own user leak into the run.
AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null BACKSHARE_URL="http://127.0.0.1:$port" \
  "$venv/bin/python" end2end/api/test_ram.py || { echo "--- server log" >&2; tail -50 "$data/server.log" >&2; exit 1; }
