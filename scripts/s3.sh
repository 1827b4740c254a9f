#!/usr/bin/env bash
# Makes sure an S3-compatible endpoint is reachable for the tests and prints its URL (tests
# create a bucket each). Uses $BACKSHARE_TEST_S3 when set; otherwise moto's server mode
# (PyPI, pinned) from a virtualenv under ~/.cache/backshare/moto, installed when missing
# and started on 127.0.0.1:$BACKSHARE_S3_PORT (5055) when not already up. Idempotent.
# `--install` only installs. `--reset` also empties a running moto (old tests' buckets).
set -euo pipefail

moto_version=5.2.5
port=${BACKSHARE_S3_PORT:-5055}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/backshare/moto"
venv="$cache/venv-$moto_version"
url="http://127.0.0.1:$port"

say() { printf '%s\n' "$*" >&2; }

install() {
  if [ -x "$venv/bin/moto_server" ]; then return; fi
  say "Installing moto[server] $moto_version into $venv (about a minute, once)."
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version" >&2
}

# An S3 ListBuckets answer, not merely an open port (moto accepts unsigned requests).
is_up() { curl -fsS --max-time 2 "$url/" 2>/dev/null | grep -q ListAllMyBucketsResult; }

case "${1:-}" in
  --install) install; exit 0 ;;
  --reset | "") ;;
  *) say "usage: $0 [--install | --reset]"; exit 2 ;;
esac

if [ -n "${BACKSHARE_TEST_S3:-}" ]; then
  printf '%s\n' "$BACKSHARE_TEST_S3"
  exit 0
fi

if ! is_up; then
  install
  say "Starting moto's S3 server on $url (log: $cache/moto-$port.log)."
  # Its own session, so it outlives this script and the test run that started it.
  setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$cache/moto-$port.log" 2>&1 </dev/null &
  deadline=$((SECONDS + 60))
  until is_up; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "moto did not answer on $url within 60 s; its log:"
      tail -n 20 "$cache/moto-$port.log" >&2
      exit 1
    fi
    sleep 0.2
  done
fi

if [ "${1:-}" = --reset ]; then
  curl -fsS -X POST "$url/moto-api/reset" >/dev/null
fi
printf '%s\n' "$url"
