#!/usr/bin/env bash
# Installs Debian's npm (and node) for the browser tests' axe-core, unless it is there already.
set -euo pipefail
if command -v npm >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing Debian's npm for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
