#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests, and Debian's Noto fonts so that pages in
# Arabic render in Noto Naskh/Sans Arabic in the screenshots, unless they are there already.
# Playwright drives this browser; it never downloads one of its own.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
if ! fc-list 2>/dev/null | grep -q "Noto Sans Arabic"; then
  packages+=(fonts-noto-core)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing Debian's ${packages[*]} for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
