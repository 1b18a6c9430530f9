#!/usr/bin/env bash
# Install Node 22, @immich/cli 3.x (used by the CLI tests) and puppeteer-core 24.x (drives Firefox
# over WebDriver BiDi in tests/web/test_firefox.py) from the npm registry into .tools/,
# and Debian's Chromium and Firefox ESR for the web app's browser tests (scripts/install-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
if [ ! -x .tools/node_modules/.bin/immich ] || [ ! -f .tools/node_modules/puppeteer-core/package.json ]; then
  npm install --prefix .tools --no-audit --no-fund --loglevel=error node@22 @immich/cli@3 puppeteer-core@24.43.1 >/dev/null
fi
.tools/node_modules/.bin/node --version
bash scripts/install-browser.sh
bash scripts/install-redis.sh
