#!/usr/bin/env bash
# Prints the path of a checkov executable, installing it first if needed: from $CHECKOV, or pip-installed from
# PyPI into a virtualenv under .tools/ at the pinned version. Exit 1 with a reason when it cannot.
set -euo pipefail
version="3.3.30"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/checkov-$version"

if [ -n "${CHECKOV:-}" ] && [ -x "$CHECKOV" ]; then echo "$CHECKOV"; exit 0; fi
if [ -x "$venv/bin/checkov" ]; then echo "$venv/bin/checkov"; exit 0; fi
command -v python3 >/dev/null 2>&1 || { echo "checkov not found and python3 is unavailable: install checkov $version and set CHECKOV" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" >&2 || { rm -rf "$venv"; echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
# pip writes bin/checkov last, so a half-done install is retried next time rather than used.
"$venv/bin/pip" install -q --disable-pip-version-check "checkov==$version" >&2 || { rm -rf "$venv"; echo "pip install checkov==$version failed" >&2; exit 1; }
echo "$venv/bin/checkov"
