#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of the domain XML parser over the seed corpus.
. "${top_srcdir:-$(dirname "$0")/..}/fuzz/fuzz-common.sh"
run_fuzzer fuzz-domain-xml corpus 20 domain.dict
