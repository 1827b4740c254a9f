#!/usr/bin/env bash
# Makes sure a PostgreSQL server is reachable for the test suites and prints its URL
# (without a database: each test creates its own). Uses $BACKSHARE_TEST_POSTGRES when set;
# otherwise the local server on 127.0.0.1:5432 with the role backshare/backshare, which it
# installs (Debian's packages), creates and starts when missing, and says so. Idempotent.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

if [ -n "${BACKSHARE_TEST_POSTGRES:-}" ]; then
  printf '%s\n' "$BACKSHARE_TEST_POSTGRES"
  exit 0
fi

url="postgres://backshare:backshare@127.0.0.1:5432"
if psql "$url/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  printf '%s\n' "$url"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  say "PostgreSQL is not installed: installing Debian's postgresql package."
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q .; then
  say "Creating the PostgreSQL $version cluster 'main'."
  as_root pg_createcluster "$version" main >&2
fi
read -r cluster_version cluster_name _ cluster_status _ < <(pg_lsclusters -h | head -1)
if [ "$cluster_status" != online ]; then
  say "Starting the local PostgreSQL server ($cluster_version/$cluster_name)."
  as_root pg_ctlcluster "$cluster_version" "$cluster_name" start >&2
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done

if ! as_postgres psql -Atqc "SELECT 1 FROM pg_roles WHERE rolname = 'backshare'" | grep -q 1; then
  say "Creating the PostgreSQL role backshare (may create databases)."
  as_postgres psql -qc "CREATE ROLE backshare LOGIN CREATEDB PASSWORD 'backshare'" >&2
fi
psql "$url/postgres" -Atqc 'SELECT 1' >/dev/null
printf '%s\n' "$url"
