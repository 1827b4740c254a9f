#!/usr/bin/env bash
# Copy throughput of the real copy job on a 1 GiB backup, beside cp + sha256sum of the same
# file on the same disk (BENCH_COPY_BYTES to change the size). Prints figures; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --features server --bench copy
