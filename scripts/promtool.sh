#!/usr/bin/env bash
# Prints the path of a promtool binary, fetching it first if needed: from $PROMTOOL, from PATH, or extracted
# (not installed) from Debian's `prometheus` package into .tools/. Exit 1 with a reason when it cannot.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
local_bin="$root/.tools/prometheus/usr/bin/promtool"

if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then echo "$PROMTOOL"; exit 0; fi
if command -v promtool >/dev/null 2>&1; then command -v promtool; exit 0; fi
if [ -x "$local_bin" ]; then echo "$local_bin"; exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool not found and apt-get is unavailable: install Prometheus' promtool and set PROMTOOL" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download prometheus >/dev/null 2>&1; then
  # A fresh machine has no package lists yet.
  apt-get update -qq >/dev/null 2>&1 || { echo "apt-get update failed (run as root, or set PROMTOOL)" >&2; exit 1; }
  apt-get download prometheus >/dev/null 2>&1 || { echo "apt-get download prometheus failed" >&2; exit 1; }
fi
mkdir -p "$root/.tools"
dpkg -x prometheus_*.deb "$root/.tools/prometheus"
echo "$local_bin"
