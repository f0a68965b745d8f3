#!/bin/sh
# Installs what bench/qemu alone needs: the baseline (Debian's libvirt QEMU driver, its session
# daemon and the Python binding) and qemu; idempotent, as root. The test suite does not depend on
# any of it. The libvirt column runs as an unprivileged user (default vbbench, see run.sh's
# --user), created here when missing.
set -eu

PACKAGES="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients python3-libvirt qemu-system-x86"
USER_NAME=${VBBENCH_USER:-vbbench}

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -n "$missing" ] || ! id "$USER_NAME" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps.sh: need root to install:$missing (and the user $USER_NAME)" >&2
        exit 1
    fi
fi

if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    apt-get install -y --no-install-recommends $missing
fi
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$USER_NAME"
fi
