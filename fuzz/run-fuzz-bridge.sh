#!/bin/sh
# make check wrapper: a bounded libFuzzer pass of virtbus-snmp's readers (JSON events, AMQP URLs,
# QMF answers) over fuzz/corpus-bridge.
FUZZ_TARGET=bridge exec "$(dirname "$0")/run-fuzz-qmf.sh"
