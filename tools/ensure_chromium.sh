#!/usr/bin/env bash
# Make sure a Chromium for the browser tests exists: use $CHROMIUM, /usr/bin/chromium, or install Debian's package.
set -euo pipefail
for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then echo "Chromium: $c"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium not found: installing Debian's chromium package (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] && { echo "Chromium: /usr/bin/chromium"; exit 0; }
fi
cat >&2 <<MSG
error: no Chromium for the browser tests.
  Install one (Debian/Ubuntu: 'sudo apt-get install chromium'; macOS: 'brew install --cask chromium'),
  or point CHROMIUM=/path/to/chromium at an existing Chromium or Chrome, then run the command again.
MSG
exit 1
