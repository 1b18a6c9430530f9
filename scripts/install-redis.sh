#!/usr/bin/env bash
# Install Debian's redis-server for the cluster tests (tests/cluster), which start their own
# throw-away server on a free port; filmroll itself needs Redis only with several processes.
set -euo pipefail
if [ ! -x /usr/bin/redis-server ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
  # The tests start their own servers; the packaged service is not needed.
  $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
/usr/bin/redis-server --version
