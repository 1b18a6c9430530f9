#!/usr/bin/env bash
# Install Debian's Chromium and Firefox ESR for the web app's browser tests (tests/web).
# Playwright drives Chromium through FILMROLL_TEST_CHROMIUM (default /usr/bin/chromium) and never
# downloads a browser itself; puppeteer-core (scripts/install-tools.sh) drives Firefox through
# FILMROLL_TEST_FIREFOX (default /usr/bin/firefox-esr) over WebDriver BiDi.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
/usr/bin/chromium --version
/usr/bin/firefox-esr --version
