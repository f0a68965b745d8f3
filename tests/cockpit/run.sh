#!/bin/sh
# Runs the cockpit-machines browser test (headless Chromium, cockpit-ws, virtbusd's qemu:///system
# on a private system bus, the tiny guest under TCG). It skips, saying what is missing, when
# cockpit, chromium or selenium are not installed (scripts/install-deps.sh installs them).
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON3=${PYTHON3:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1
exec "$PYTHON3" -m pytest -p no:cacheprovider -q -rfEs "$srcdir/tests/cockpit" "$@"
