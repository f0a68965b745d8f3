#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the domain XML parser over the seed corpus.
set -eu

srcdir=${top_srcdir:-$(dirname "$0")/..}
fuzzer=./fuzz/fuzz-domain-xml
work=fuzz/corpus-work

if [ ! -x "$fuzzer" ]; then
    echo "run-fuzz.sh: $fuzzer is not built" >&2
    exit 77 # automake: skipped
fi

# libFuzzer adds what it finds to the corpus directory, so it gets a writable copy.
mkdir -p "$work"
cp -f "$srcdir"/fuzz/corpus/* "$work"/

set -- -max_total_time=20 -rss_limit_mb=1024 -timeout=5 -artifact_prefix=fuzz/
if [ -f "$srcdir/fuzz/domain.dict" ]; then
    set -- "$@" -dict="$srcdir/fuzz/domain.dict"
fi
exec "$fuzzer" "$@" "$work"
