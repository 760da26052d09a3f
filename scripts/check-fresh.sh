#!/usr/bin/env bash
# Proves that a machine which never built this project can: runs setup and
# the release build with an empty cargo home (no registry cache, no index)
# and a fresh target folder. Tools installed before under ~/.cargo/bin stay
# on PATH, as on a machine where setup already built them; everything the
# offline build needs from the registry must be fetched by setup itself.
set -euo pipefail
cd "$(dirname "$0")/.."

fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
export CARGO_HOME="$fresh/cargo-home"
export CARGO_TARGET_DIR="$fresh/target"
mkdir -p "$CARGO_HOME"
echo "[check-fresh] empty CARGO_HOME at $CARGO_HOME"

./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$CARGO_HOME/bin:$HOME/.cargo/bin:$PATH"
trunk build --release --dist "$fresh/dist"
# The app's glue and wasm carry a content hash; boot scripts do not.
for f in index.html 'app-*_bg.wasm' engine_boot.js shell.js manifest.webmanifest img/preview.png st/app_bg.wasm st/engine_boot.js; do
  compgen -G "$fresh/dist/$f" >/dev/null || { echo "[check-fresh] missing dist/$f"; exit 1; }
done
# The release build keeps itself for offline use (scripts/precache.sh).
grep -q '^const BUILD = { id: "[0-9a-f]*", files: \[' "$fresh/dist/coi-sw.js" || { echo "[check-fresh] coi-sw.js has no file list"; exit 1; }
echo "[check-fresh] passed: setup and the release build work from an empty registry"
