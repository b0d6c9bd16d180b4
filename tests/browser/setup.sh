#!/usr/bin/env bash
# tests/browser/setup.sh: what tests/serve_browser.js needs: Debian's Chromium (apt) and
# playwright-core (npm, pinned by package-lock.json). playwright-core downloads no browser.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi
command -v npm >/dev/null || { echo "needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
