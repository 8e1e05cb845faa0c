#!/usr/bin/env bash
# Prints the path of an amtool binary, building it first if needed: from $AMTOOL, or built from the Go module
# proxy into .tools/ at the Alertmanager version kube-prometheus-stack deploys. Exit 1 with a reason when it cannot.
set -euo pipefail
# kube-prometheus-stack 79.5.0's values.yaml: alertmanager.alertmanagerSpec.image.tag.
version="v0.29.0"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="$root/.tools/alertmanager-$version"

if [ -n "${AMTOOL:-}" ] && [ -x "$AMTOOL" ]; then echo "$AMTOOL"; exit 0; fi
if [ -x "$bin_dir/amtool" ]; then echo "$bin_dir/amtool"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "amtool not found and go is unavailable: build Alertmanager's amtool $version and set AMTOOL" >&2; exit 1; }
mkdir -p "$bin_dir"
GOBIN="$bin_dir" go install "github.com/prometheus/alertmanager/cmd/amtool@$version" >&2 || { echo "go install amtool@$version failed" >&2; exit 1; }
echo "$bin_dir/amtool"
