#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the QMF message readers over the seed corpus
# (FUZZ_TARGET=bridge: virtbus-snmp's readers, from run-fuzz-bridge.sh).
set -eu

srcdir=${top_srcdir:-$(dirname "$0")/..}
target=${FUZZ_TARGET:-qmf}
fuzzer=./fuzz/fuzz-$target
work=fuzz/corpus-$target-work

if [ ! -x "$fuzzer" ]; then
    echo "run-fuzz-$target.sh: $fuzzer is not built" >&2
    exit 77 # automake: skipped
fi

mkdir -p "$work"
cp -f "$srcdir"/fuzz/corpus-$target/* "$work"/
exec "$fuzzer" -max_total_time=15 -rss_limit_mb=1024 -timeout=5 -artifact_prefix=fuzz/$target- "$work"
