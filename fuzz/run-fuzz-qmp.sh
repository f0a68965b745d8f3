#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the QMP message classifier over the seed corpus.
. "${top_srcdir:-$(dirname "$0")/..}/fuzz/fuzz-common.sh"
run_fuzzer fuzz-qmp-message corpus-qmp 10
