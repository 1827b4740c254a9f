#!/usr/bin/env bash
# Prints what a browser downloads before the pages respond: the release bundle's wasm, js
# and css, raw and gzipped (-9), and their sum. Builds the release bundle first if it is
# missing. Prints figures; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/release/hash.txt ] || cargo leptos build --release
total_raw=0 total_gz=0
for ext in wasm js css; do
  # The names the server serves (cargo-leptos writes them to hash.txt with the bundle).
  file=target/site/pkg/backshare.$(sed -n "s/^$ext: //p" target/release/hash.txt).$ext
  raw=$(stat -c %s "$file")
  gz=$(gzip -9c "$file" | wc -c)
  printf '%-5s %9d bytes raw %9d bytes gzip  (%s)\n' "$ext" "$raw" "$gz" "$(basename "$file")"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
done
printf 'total %9d bytes raw %9d bytes gzip = %d KiB gzip\n' "$total_raw" "$total_gz" $((total_gz / 1024))
