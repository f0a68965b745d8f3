#!/bin/sh
# Runs the integration tests (python3-pytest from Debian, with python3-dbus and python3-gi).
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON3=${PYTHON3:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1
exec "$PYTHON3" -m pytest -p no:cacheprovider -q -rfE "$srcdir/tests/integration"
