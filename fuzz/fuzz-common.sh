# Sourced by the make check wrappers: run_fuzzer FUZZER CORPUS SECONDS [DICT] runs a bounded
# libFuzzer pass of ./fuzz/FUZZER over a writable copy of fuzz/CORPUS (libFuzzer adds what it
# finds to the corpus directory); exit 77 (automake: skipped) when the fuzzer is not built.
set -eu

run_fuzzer() {
    fuzzer=./fuzz/$1
    corpus=$2
    seconds=$3
    dict=${4:-}
    srcdir=${top_srcdir:-$(dirname "$0")/..}
    work=fuzz/$corpus-work

    if [ ! -x "$fuzzer" ]; then
        echo "$(basename "$0"): $fuzzer is not built" >&2
        exit 77
    fi
    mkdir -p "$work"
    cp -f "$srcdir/fuzz/$corpus"/* "$work"/
    set -- -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -artifact_prefix="fuzz/$1-"
    if [ -n "$dict" ] && [ -f "$srcdir/fuzz/$dict" ]; then
        set -- "$@" -dict="$srcdir/fuzz/$dict"
    fi
    exec "$fuzzer" "$@" "$work"
}
