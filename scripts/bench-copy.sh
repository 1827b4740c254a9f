#!/usr/bin/env bash
# Copy throughput of the real copy job on a 1 GiB backup, beside cp + sha256sum of the same
# file on the same disk (BENCH_COPY_BYTES to change the size). Prints figures; asserts none.
# `--s3`: the backup and its copy in a bucket on moto's S3 server (scripts/s3.sh) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --s3)
    BACKSHARE_TEST_S3=$(scripts/s3.sh --reset)
    export BACKSHARE_TEST_S3
    exec cargo bench --features s3 --bench copy
    ;;
  "") exec cargo bench --features server --bench copy ;;
  *) echo "usage: $0 [--s3]" >&2; exit 2 ;;
esac
