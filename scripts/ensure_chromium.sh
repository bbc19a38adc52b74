#!/usr/bin/env bash
# Install Debian's Chromium for the web UI's end-to-end tests when it is missing (never `playwright install`).
# Used by tests/webutil.py (session fixture) and usable as a make prerequisite.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
