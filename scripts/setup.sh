#!/usr/bin/env bash
# Installs what building and testing the playground needs, skipping what is
# already there at the right version. Safe to run again; fetches only from
# package registries (crates.io, npm, Debian), never a prebuilt tool.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.22.1
say() { printf '[setup] %s\n' "$*"; }

# An empty CARGO_HOME (scripts/check-fresh.sh) still finds the tools that
# were installed before under ~/.cargo/bin.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

# Native tests and wasm-bindgen-cli use the stable toolchain.
if ! rustup run stable rustc --version >/dev/null 2>&1; then
  say "installing the stable toolchain"
  rustup toolchain install stable --profile minimal
fi

# The nightly toolchain with std's sources and the wasm target (build-std).
# RUSTUP_AUTO_INSTALL=0 on these machines: add the pieces explicitly.
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
installed=$(rustup component list --toolchain nightly --installed 2>/dev/null || true)
grep -q '^rust-src' <<<"$installed" || { say "adding rust-src"; rustup component add rust-src --toolchain nightly; }
grep -q '^rust-std-wasm32-unknown-unknown' <<<"$installed" || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown --toolchain nightly; }
grep -q '^rustfmt' <<<"$installed" || rustup component add rustfmt --toolchain nightly || true
grep -q '^clippy' <<<"$installed" || rustup component add clippy --toolchain nightly || true

# trunk needs rustc >= 1.96 to build, so it is built with nightly.
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "building trunk $TRUNK_VERSION (several minutes, once)"
  # From outside the repository: its .cargo/config.toml (build-std, wasm
  # link flags) is for the playground, not for building tools.
  (cd "$HOME" && cargo +nightly install --locked "trunk@$TRUNK_VERSION")
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
# Not --locked: the registry lacks a version the CLI's own lock file pins.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  say "Cargo.lock names no wasm-bindgen version"; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]; then
  say "building wasm-bindgen-cli $wb_version (about two minutes, once)"
  (cd "$HOME" && cargo +stable install wasm-bindgen-cli --version "=$wb_version" --force)
fi

# The three browser engines students use, all from Debian: Chromium (and its
# driver), Firefox ESR, and WebKitGTK's WebDriver with its MiniBrowser, which
# needs a display, hence xvfb.
MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
{ command -v WebKitWebDriver >/dev/null 2>&1 && [ -x "$MINIBROWSER" ]; } || missing+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The release build runs cargo offline (Trunk.toml), and -Z build-std needs
# std's own dependencies in the registry cache too: a machine that never
# built online lacks them. Fetching is quick when everything is there.
say "fetching the crates an offline build needs"
cargo +nightly fetch --target wasm32-unknown-unknown --quiet
cargo +stable fetch --quiet

# npm packages from the committed lock file: playwright-core (drives the
# system Chromium), puppeteer-core (Firefox over WebDriver BiDi), webdriverio
# (WebKitGTK over WebDriver), none of which downloads a browser here, and
# binaryen (wasm-opt). They live
# in a cache outside the work tree, shared by clones, and `node_modules` is
# a link to them.
NPM_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/threads-vs-processes/npm"
mkdir -p "$NPM_HOME"
if [ ! -d "$NPM_HOME/node_modules" ] || ! cmp -s package-lock.json "$NPM_HOME/package-lock.json"; then
  say "installing npm packages from package-lock.json"
  cp package.json package-lock.json "$NPM_HOME/"
  (cd "$NPM_HOME" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -e node_modules ] && [ ! -L node_modules ]; then
  rm -rf node_modules
fi
ln -sfn "$NPM_HOME/node_modules" node_modules
say "ready: $(trunk --version), $(wasm-bindgen --version), $(chromium --version 2>/dev/null | head -n1), $(firefox-esr --version 2>/dev/null | head -n1), WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?')"
