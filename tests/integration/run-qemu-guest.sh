#!/usr/bin/env bash
# Boots the tiny test guest under qemu (TCG) and drives it with the QEMU driver's command line
# builder and QMP client (tests/integration/test-qemu-guest.c), then with the process module
# (tests/integration/test-qemu-process.c). The guest is built, or reused,
# under the build tree by tests/guest/build-tiny-guest.sh.
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "qemu-system-x86_64 is not installed (scripts/install-deps.sh installs it): skipped"
  exit 77
fi
files=$(bash "$top_srcdir/tests/guest/build-tiny-guest.sh" "$top_builddir/tests/guest-cache")
initramfs=$(printf '%s\n' "$files" | sed -n 2p)
# The decompressed vmlinux when there is one: it boots seconds sooner under TCG than vmlinuz.
kernel=$(printf '%s\n' "$files" | sed -n 3p)
[ -n "$kernel" ] || kernel=$(printf '%s\n' "$files" | sed -n 1p)
"$top_builddir/tests/integration/test-qemu-guest" "$kernel" "$initramfs"
# The qemu process module (drivers/qemu/qemu_process.c) on the same guest.
exec "$top_builddir/tests/integration/test-qemu-process" "$kernel" "$initramfs"
