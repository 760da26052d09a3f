#!/usr/bin/env bash
# Prints benchmark figures (medians, speedups vs seq and vs native). Not a
# test: a noisy machine changes the figures, never the exit code.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
trunk build --release
node bench/browser.mjs "$@"
