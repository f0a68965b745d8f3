#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the QMP message classifier over the seed corpus.
set -eu

srcdir=${top_srcdir:-$(dirname "$0")/..}
fuzzer=./fuzz/fuzz-qmp-message
work=fuzz/corpus-qmp-work

if [ ! -x "$fuzzer" ]; then
    echo "run-fuzz-qmp.sh: $fuzzer is not built" >&2
    exit 77 # automake: skipped
fi

mkdir -p "$work"
cp -f "$srcdir"/fuzz/corpus-qmp/* "$work"/
exec "$fuzzer" -max_total_time=10 -rss_limit_mb=1024 -timeout=5 -artifact_prefix=fuzz/qmp- "$work"
