#!/usr/bin/env bash
# Offline: writes the release build's file list and a version made from
# their contents into coi-sw.js (its `const BUILD = null;` line), which
# precaches them and serves them cache-first, and turns on boot.js's
# registration of it (`const OFFLINE = false;`). A build whose files differ
# has another version, so the browser sees a new service worker and the
# page offers to reload into it. Debug builds (trunk serve) stay as they
# are: online only. Trunk runs this after the reduced build (Trunk.toml).
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk build (Trunk.toml hooks)}"
[ "${TRUNK_PROFILE:-debug}" = release ] || exit 0
cd "$dir"
grep -q '^const OFFLINE = false;$' boot.js
sed -i 's|^const OFFLINE = false;$|const OFFLINE = true;|' boot.js
# Everything a visit may load, but the worker itself and the host's
# header file; index.html stands for every navigation to the page.
mapfile -t files < <(find . -type f ! -name coi-sw.js ! -name _headers -printf '%P\n' | LC_ALL=C sort)
id=$(sha256sum "${files[@]}" | sha256sum | cut -c1-16)
list=$(printf '"%s",' "${files[@]}")
build="const BUILD = { id: \"$id\", files: [${list%,}] };"
grep -q '^const BUILD = null;$' coi-sw.js
sed -i "s|^const BUILD = null;\$|$build|" coi-sw.js
