#!/usr/bin/env bash
# Renders the link preview and the app icons from their SVG sources in
# www/img/ with Debian's Chromium. The PNGs are committed (hosts and chat
# apps want raster images); run this after editing an SVG.
set -euo pipefail
cd "$(dirname "$0")/../www/img"
render() { # svg, png, width, height
  local profile
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
    --default-background-color=00000000 \
    --window-size="$3,$4" --screenshot="$PWD/$2" "file://$PWD/$1" 2>/dev/null
  rm -rf "$profile"
}
render preview.svg preview.png 1200 630
# Icons: the 512 px drawing scaled by the window (the SVG's viewBox fills it).
sed 's/width="512" height="512"/width="100%" height="100%"/' icon.svg > /tmp/tvp-icon.svg
cp /tmp/tvp-icon.svg icon-any.svg
render icon-any.svg icon-192.png 192 192
render icon-any.svg icon-512.png 512 512
rm icon-any.svg
