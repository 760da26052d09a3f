#!/usr/bin/env bash
# The reduced build, for pages that get no SharedArrayBuffer (not
# cross-origin isolated, inside a non-isolated iframe, WebKitGTK without it):
# the one module without atomics or shared memory, in `st/` beside
# the full build. Its engine runs `seq` and starts process workers, which
# need no shared memory. Trunk runs this after its own build (Trunk.toml),
# and this then writes the offline file list (scripts/precache.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# A quicker edit-build loop when only the full build matters.
if [ -n "${TVP_SKIP_REDUCED:-}" ]; then
  exec bash scripts/precache.sh
fi

out="${TRUNK_STAGING_DIR:?run by trunk build (Trunk.toml hooks)}/st"
profile="${TRUNK_PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/reduced"
mkdir -p "$out"

flags=(--target wasm32-unknown-unknown --no-default-features
       --target-dir "$target_dir" --offline)

# As in the full build: one module for page, engine and processes.
build() { # cargo profile, wasm-opt level
  local profile_dir=$1 opt=$2 args=("${flags[@]}" --bin app)
  case "$profile_dir" in
    debug) ;;
    *) args+=(--profile "$profile_dir") ;;
  esac
  # An empty CARGO_ENCODED_RUSTFLAGS overrides .cargo/config.toml's threaded
  # flags (atomics, shared memory) for this build only.
  env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS= cargo +nightly build --quiet "${args[@]}"
  wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "$target_dir/wasm32-unknown-unknown/$profile_dir/app.wasm"
  if [ "$profile_dir" != debug ] && command -v wasm-opt >/dev/null 2>&1; then
    wasm-opt "-O$opt" "$out/app_bg.wasm" -o "$out/app_bg.wasm"
  fi
}
if [ "$profile" = release ]; then
  build release-wasm z
else
  build debug 0
fi

# The engine and its processes start from boot scripts beside the reduced
# glue, so that every worker they make is a reduced one too.
cp www/engine_boot.js www/process_boot.js "$out/"

# The build's file list for offline use, once every file is in place
# (Trunk starts the hooks of one stage together, so this one runs it).
bash scripts/precache.sh
