#!/usr/bin/env bash
# Renders DIR/report.html (from `drgdip demo --out DIR` or `drgdip settle --report`) to
# DIR/report.png with headless Chromium, to look at the page without a desktop.
#
#   scripts/screenshot-report.sh DIR [WIDTH,HEIGHT]      # default 1400,3000
#
# Needs chromium, chromium-browser or google-chrome on PATH (Debian: apt-get install chromium).
set -euo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 DIR [WIDTH,HEIGHT]   (DIR holds report.html)" >&2
  exit 2
fi
dir=$(cd "$1" && pwd)
size=${2:-1400,3000}
page="$dir/report.html"
out="$dir/report.png"
if [ ! -f "$page" ]; then
  echo "$page not found: run 'drgdip demo --out $1' or 'drgdip settle ... --report $page' first" >&2
  exit 2
fi

browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then
    browser=$b
    break
  fi
done
if [ -z "$browser" ]; then
  echo "no headless browser found (looked for chromium, chromium-browser, google-chrome);" >&2
  echo "install one, e.g. 'apt-get install chromium' on Debian, and run this again" >&2
  exit 1
fi

# A throwaway profile keeps the run from touching the user's browser profile. --no-sandbox is
# needed when running as root (containers); the page loads nothing from the network.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --window-size="$size" \
  --screenshot="$out" "file://$page" >/dev/null 2>&1

if [ ! -s "$out" ]; then
  echo "$browser wrote no screenshot to $out" >&2
  exit 1
fi
echo "$out"
