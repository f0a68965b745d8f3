#!/bin/sh
# Runs the integration tests again with the test driver's deferred mode: every operation answers
# 10 ms after it is made, so every handler's deferred reply, the core's job queue and the
# front ends' pending calls are exercised by the whole suite.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
VIRTBUS_TEST_DELAY_MS=10 exec "$here/run-pytest.sh" "$@"
