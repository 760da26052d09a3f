#!/usr/bin/env bash
# Runs every test: formatting, native unit and integration tests, then the
# release page (full and reduced) in Debian's Chromium, Firefox ESR and
# WebKitGTK. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

# Native tests run on stable: the nightly config rebuilds std for wasm
# (build-std), which native code does not need.
step "native tests (cargo test)"
cargo +stable test --all-targets

step "build the page (trunk build --release)"
trunk build --release

step "browser tests (Chromium, Firefox ESR, WebKitGTK; screenshots go to test-output/)"
node --test --test-concurrency=1 tests/e2e/
