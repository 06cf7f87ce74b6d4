#!/usr/bin/env bash
# Make sure poppler-utils (pdfinfo, pdftotext, pdftocairo) exist: the PDF test reads the printed book with them.
set -euo pipefail
if command -v pdftocairo >/dev/null && command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then
  echo "poppler-utils: $(command -v pdftocairo)"; exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "poppler-utils not found: installing Debian's poppler-utils package (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  command -v pdftocairo >/dev/null && { echo "poppler-utils: $(command -v pdftocairo)"; exit 0; }
fi
cat >&2 <<MSG
error: no poppler-utils (pdftocairo, pdftotext, pdfinfo) for the PDF test.
  Install them (Debian/Ubuntu: 'sudo apt-get install poppler-utils'; macOS: 'brew install poppler'),
  then run the command again.
MSG
exit 1
