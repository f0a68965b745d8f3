#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the QMF message readers over the seed corpus.
set -eu

srcdir=${top_srcdir:-$(dirname "$0")/..}
fuzzer=./fuzz/fuzz-qmf
work=fuzz/corpus-qmf-work

if [ ! -x "$fuzzer" ]; then
    echo "run-fuzz-qmf.sh: $fuzzer is not built" >&2
    exit 77 # automake: skipped
fi

mkdir -p "$work"
cp -f "$srcdir"/fuzz/corpus-qmf/* "$work"/
exec "$fuzzer" -max_total_time=15 -rss_limit_mb=1024 -timeout=5 -artifact_prefix=fuzz/qmf- "$work"
