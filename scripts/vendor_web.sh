#!/usr/bin/env bash
# Fetch the web UI's vendored assets from the npm registry (never a CDN) and copy the built files,
# with their licences, into dateline/web/static/vendor/. Re-run to update; commit the result.
#
#   world-atlas   Natural Earth 1:110m countries as TopoJSON (ISC; the data is public domain).
#                 The server decodes it and draws the /map page as inline SVG, so no JS library
#                 and no tile server are needed.
set -euo pipefail
WORLD_ATLAS_VERSION="${WORLD_ATLAS_VERSION:-2.0.2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/dateline/web/static/vendor/world-atlas"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "world-atlas@${WORLD_ATLAS_VERSION}" >/dev/null && tar -xzf world-atlas-*.tgz)
mkdir -p "$dest"
cp "$tmp/package/countries-110m.json" "$tmp/package/LICENSE" "$dest/"
cat > "$dest/VERSION" <<INFO
world-atlas ${WORLD_ATLAS_VERSION} from the npm registry (npm pack), files: countries-110m.json, LICENSE
INFO
ls -l "$dest"
