#!/bin/bash
# bench/qemu: a real guest's lifecycle through virtbusd (qemu:///session on a private session bus),
# through libvirt (Debian's libvirtd, qemu:///session of an unprivileged user) and on bare qemu
# with virtbusd's command line (the floor): Create, ACPI Shutdown, ManagedSave and restore, median
# and p90 of several rounds, with the targets. Prints Markdown. A benchmark, not a test: it never
# fails on a MISS.
#
#   bash bench/qemu/run.sh [BUILD_DIR] [--rounds N] [--creates N] [--user USER] [--out FILE] [--keep] [--no-libvirt]
#
# BUILD_DIR (or $VIRTBUSD's directory) holds virtbusd; otherwise an optimized build without
# sanitizers is made in build-bench/ (scripts/build.sh build-bench CFLAGS='-O2 -g').
# Needs, once, as root: bash bench/qemu/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
builddir=""
args=()
out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds|--creates|--user) args+=("$1" "$2"); shift 2 ;;
        --out) out=$2; shift 2 ;;
        --keep|--no-libvirt) args+=("$1"); shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; exit 2 ;;
        *) builddir=$(cd "$1" && pwd); shift ;;
    esac
done

if [ -n "$builddir" ]; then
    VIRTBUSD=$builddir/virtbusd
elif [ -z "${VIRTBUSD:-}" ]; then
    builddir=${BENCH_BUILDDIR:-$srcdir/build-bench}
    echo "[bench] building an optimized virtbusd in $builddir" >&2
    bash "$srcdir/scripts/build.sh" "$builddir" CFLAGS='-O2 -g' >"${TMPDIR:-/tmp}/virtbus-bench-qemu-build.log" 2>&1 ||
        { echo "run.sh: build failed, see ${TMPDIR:-/tmp}/virtbus-bench-qemu-build.log" >&2; exit 1; }
    VIRTBUSD=$builddir/virtbusd
fi
[ -x "$VIRTBUSD" ] || { echo "run.sh: no virtbusd at $VIRTBUSD" >&2; exit 1; }
if ldd "$VIRTBUSD" 2>/dev/null | grep -qE 'lib(a|ub|t)san'; then
    echo "[bench] WARNING: $VIRTBUSD is built with sanitizers; its figures are not representative" >&2
fi
/usr/bin/python3 -c 'import libvirt' 2>/dev/null ||
    { echo "run.sh: python3-libvirt is missing: bash bench/qemu/install-deps.sh" >&2; exit 1; }

export VIRTBUSD top_builddir=$(dirname "$VIRTBUSD") PYTHONDONTWRITEBYTECODE=1
if [ -n "$out" ]; then
    /usr/bin/python3 "$here/qemu-bench.py" "${args[@]}" | tee "$out"
else
    exec /usr/bin/python3 "$here/qemu-bench.py" "${args[@]}"
fi
