#!/usr/bin/env bash
# Prints what a browser downloads before a page responds: the release bundle's main wasm,
# js (with the chunk loader) and css, raw and gzipped (-9), then for each page its chunks
# (lazy routes; the share dialog is one too, fetched when it first opens) and the sum a
# first visit to that page downloads. Builds the release bundle first if it is missing.
# Prints figures; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/release/hash.txt ] || cargo leptos build --release --split
python3 - target/site/pkg target/release/hash.txt <<'EOF'
import glob, gzip, json, os, sys

pkg, hashes = sys.argv[1], dict(
    line.strip().split(": ", 1) for line in open(sys.argv[2]) if ": " in line
)
gz = lambda path: len(gzip.compress(open(path, "rb").read(), 9))
raw = os.path.getsize

# The names the server serves (cargo-leptos writes them to hash.txt with the bundle).
main = [f"{pkg}/backshare.{hashes[ext]}.{ext}" for ext in ("wasm", "js", "css")]
main.append(f"{pkg}/__wasm_split.{hashes['split']}.js")
base_raw = base_gz = 0
for path in main:
    print(f"{os.path.basename(path):44s} {raw(path):9d} bytes raw {gz(path):9d} bytes gzip")
    base_raw, base_gz = base_raw + raw(path), base_gz + gz(path)
print(f"{'main bundle':44s} {base_raw:9d} bytes raw {base_gz:9d} bytes gzip = {base_gz // 1024} KiB gzip")

# wasm-split hands each chunk the read-only data it uses, unless the regrouped data comes
# out longer than the original segment: then all of it stays in the main file (see
# SPLIT_DATA_ROOM in app/src/lib.rs). Say which happened.
def data_section(path):
    wasm, i = open(path, "rb").read(), 8
    def leb(i):
        value = shift = 0
        while True:
            byte, i = wasm[i], i + 1
            value, shift = value | (byte & 0x7F) << shift, shift + 7
            if byte < 0x80:
                return value, i
    while i < len(wasm):
        kind, (size, i) = wasm[i], leb(i + 1)
        if kind == 11:
            return size
        i += size
    return 0
linked = "target/front/wasm32-unknown-unknown/wasm-release/backshare_app.wasm"
if os.path.exists(linked):
    in_main, in_all = data_section(main[0]), data_section(linked)
    verdict = "split among the chunks" if in_main < in_all * 0.8 else "NOT split: all of it is in the main file"
    print(f"{'read-only data in the main wasm':44s} {in_main:9d} bytes of {in_all} ({verdict})")
print()
manifest = json.load(open(f"{pkg}/__wasm_split_manifest.{hashes['manifest']}.json"))
routes = {n: c for n, c in manifest.items() if "_view_" in n}
label = lambda name: name.strip("_").rsplit("_", 1)[0]
for name, chunks in sorted(routes.items()):
    size = sum(gz(f"{pkg}/{chunk}.wasm") for chunk in chunks)
    print(
        f"{label(name):26s} {len(chunks):3d} chunks {size // 1024:5d} KiB gzip"
        f"   first visit: {(base_gz + size) // 1024} KiB gzip"
    )
# Lazy functions other than pages (the share dialog): fetched when first used, on top of
# the page that uses them; what they add beyond the Backups page's chunks.
backups = set(next(c for n, c in routes.items() if n.startswith("__backups_view_")))
for name, chunks in sorted(manifest.items()):
    if name in routes:
        continue
    extra = sum(gz(f"{pkg}/{chunk}.wasm") for chunk in chunks if chunk not in backups)
    print(f"{label(name):26s} {len(chunks):3d} chunks   when first opened on Backups: +{extra // 1024} KiB gzip")
EOF
