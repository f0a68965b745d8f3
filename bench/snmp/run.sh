#!/bin/bash
# bench/snmp: virtbus-snmp through a real snmpd: snmpbulkwalk of libvirtGuestTable with 10,000
# domains (time, and virtbus-snmp's RSS; floor: the same walk of a trivial AgentX subagent,
# floor-subagent.c) and the delay from a D-Bus lifecycle call to its trap at snmptrapd
# (p50/p99), each beside a baseline measured in the same run. Prints Markdown. A
# benchmark, not a test: it never fails on a MISS.
#
#   bench/snmp/run.sh [--domains N] [--traps N] [--out FILE]
#
# VIRTBUSD=/path/to/virtbusd picks the daemon (VIRTBUS_SNMP and VIRTBUSCTL beside it); otherwise
# an optimized build is made in build-bench/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
bench_build=${BENCH_BUILDDIR:-$srcdir/build-bench}
args=()
out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --domains|--traps) args+=("$1" "$2"); shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
    esac
done

if [ -z "${VIRTBUSD:-}" ]; then
    mkdir -p "$bench_build"
    if [ ! -f "$bench_build/Makefile" ]; then
        echo "[bench] configuring an optimized build in $bench_build" >&2
        (cd "$bench_build" && "$srcdir/configure" CFLAGS='-O2 -g' >configure.log 2>&1) ||
            { echo "run.sh: configure failed, see $bench_build/configure.log" >&2; exit 1; }
    fi
    echo "[bench] building virtbusd, virtbusctl and virtbus-snmp in $bench_build" >&2
    make -C "$bench_build" -j2 virtbusd virtbusctl virtbus-snmp >"$bench_build/make-bench-snmp.log" 2>&1 ||
        { echo "run.sh: make failed, see $bench_build/make-bench-snmp.log" >&2; exit 1; }
    VIRTBUSD=$bench_build/virtbusd
fi
builddir=$(dirname "$VIRTBUSD")
# The floor: the least an AgentX subagent can do, walked through the same snmpd.
SNMP_FLOOR_SUBAGENT=$builddir/snmp-floor-subagent
# shellcheck disable=SC2046  # net-snmp-config prints several words on purpose
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$SNMP_FLOOR_SUBAGENT" "$here/floor-subagent.c" \
    $(net-snmp-config --agent-libs) || { echo "run.sh: cannot build the floor subagent" >&2; exit 1; }
export VIRTBUSD VIRTBUS_SNMP=${VIRTBUS_SNMP:-$builddir/virtbus-snmp} top_builddir=$builddir SNMP_FLOOR_SUBAGENT
export PYTHONDONTWRITEBYTECODE=1
if [ -n "$out" ]; then
    /usr/bin/python3 "$here/snmp-bench.py" "${args[@]}" | tee "$out"
else
    exec /usr/bin/python3 "$here/snmp-bench.py" "${args[@]}"
fi
