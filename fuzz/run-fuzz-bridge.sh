#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of virtbus-snmp's readers (JSON events, AMQP URLs,
# QMF answers) over fuzz/corpus-bridge.
. "${top_srcdir:-$(dirname "$0")/..}/fuzz/fuzz-common.sh"
run_fuzzer fuzz-bridge corpus-bridge 15
