#!/usr/bin/env bash
# Installs what building and testing Backshare needs, skipping whatever is already there.
# Safe to run again and again. Needs: rustup/cargo, Node.js with npm, apt-get (as root).
# Why each detail: ../shared/TOOLCHAIN.md in the team's notes; summarised in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
  say "Installing cargo-leptos 0.3.10 (about 8 minutes, once)"
  CARGO_PROFILE_DEV_DEBUG=0 cargo install --debug --locked cargo-leptos@0.3.10 --features no_downloads
fi

# Must equal the wasm-bindgen crate pinned in Cargo.toml.
if ! wasm-bindgen --version 2>/dev/null | grep -q '0.2.130'; then
  say "Installing wasm-bindgen-cli 0.2.130 (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version 0.2.130
fi

# Debian's binaryen 108 breaks release hydration; npm's 132 works.
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  say "Installing wasm-opt (binaryen 132) from npm"
  if dpkg -s binaryen >/dev/null 2>&1; then as_root apt-get remove -y -qq binaryen; fi
  as_root npm install -g --no-audit --no-fund binaryen@132.0.0
fi

if [ "${BACKSHARE_SETUP_BROWSER:-1}" = 1 ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium"
    apt_install chromium
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    say "Installing Playwright and axe-core (no browser download: it drives /usr/bin/chromium)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
