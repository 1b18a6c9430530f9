#!/usr/bin/env bash
# Install Node 22 and @immich/cli 3.x from the npm registry into .tools/ (used by the CLI tests),
# and Debian's Chromium for the web app's browser tests (scripts/install-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
if [ ! -x .tools/node_modules/.bin/immich ]; then
  npm install --prefix .tools --no-audit --no-fund --loglevel=error node@22 @immich/cli@3 >/dev/null
fi
.tools/node_modules/.bin/node --version
bash scripts/install-browser.sh
bash scripts/install-redis.sh
