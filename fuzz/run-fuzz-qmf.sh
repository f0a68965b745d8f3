#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the QMF message readers over the seed corpus.
. "${top_srcdir:-$(dirname "$0")/..}/fuzz/fuzz-common.sh"
run_fuzzer fuzz-qmf corpus-qmf 15
