#!/usr/bin/env bash
# libvirt-dbus's own suite again, against the test driver's deferred mode (every operation
# answers 10 ms after it is made).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VIRTBUS_TEST_DELAY_MS=10 exec "$here/run.sh" "$@"
