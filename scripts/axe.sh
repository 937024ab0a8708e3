#!/bin/sh
# Installs axe-core (the accessibility engine the browser tests inject into pages) into
# var/axe/ unless it is already there. Called by `make setup` and by the accessibility
# tests' session fixture; var/ is never committed.
set -eu
cd "$(dirname "$0")/.."
AXE=var/axe/node_modules/axe-core/axe.min.js
if [ -f "$AXE" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed to install axe-core for the accessibility tests" >&2
    exit 1
fi
mkdir -p var/axe
npm install --silent --no-save --no-audit --no-fund --prefix var/axe axe-core@4 >&2
test -f "$AXE"
