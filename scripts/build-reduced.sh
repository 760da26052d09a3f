#!/usr/bin/env bash
# The reduced build, for pages that get no SharedArrayBuffer (not
# cross-origin isolated, inside a non-isolated iframe, WebKitGTK without it):
# the app and the engine without atomics or shared memory, in `st/` beside
# the full build. Its engine runs `seq` and starts process workers, which
# need no shared memory. Trunk runs this after its own build (Trunk.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
# A quicker edit-build loop when only the full build matters.
[ -n "${TVP_SKIP_REDUCED:-}" ] && exit 0

out="${TRUNK_STAGING_DIR:?run by trunk build (Trunk.toml hooks)}/st"
profile="${TRUNK_PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/reduced"
mkdir -p "$out"

flags=(--target wasm32-unknown-unknown --no-default-features
       --target-dir "$target_dir" --offline)

# As in the full build: the engine for speed, the app (the UI) for size.
build() { # bin, cargo profile, wasm-opt level
  local bin=$1 profile_dir=$2 opt=$3 args=("${flags[@]}" --bin "$1")
  case "$profile_dir" in
    debug) ;;
    release) args+=(--release) ;;
    *) args+=(--profile "$profile_dir") ;;
  esac
  # An empty CARGO_ENCODED_RUSTFLAGS overrides .cargo/config.toml's threaded
  # flags (atomics, shared memory) for this build only.
  env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS= cargo +nightly build --quiet "${args[@]}"
  wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "$target_dir/wasm32-unknown-unknown/$profile_dir/$bin.wasm"
  if [ "$profile_dir" != debug ] && command -v wasm-opt >/dev/null 2>&1; then
    wasm-opt "-O$opt" "$out/${bin}_bg.wasm" -o "$out/${bin}_bg.wasm"
  fi
}
if [ "$profile" = release ]; then
  build engine release 3
  build app release-ui z
else
  build engine debug 0
  build app debug 0
fi

# The engine starts like the full one, from a loader beside it; process
# workers boot from the same script as in the full build.
cat > "$out/engine_loader.js" <<'JS'
import init from './engine.js';
await init({ module_or_path: new URL('./engine_bg.wasm', import.meta.url) });
JS
cp www/process_boot.js "$out/process_boot.js"
