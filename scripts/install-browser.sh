#!/usr/bin/env bash
# Install Debian's Chromium for the web app's browser tests (tests/web); Playwright drives it
# through FILMROLL_TEST_CHROMIUM (default /usr/bin/chromium) and never downloads a browser itself.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
/usr/bin/chromium --version
