#!/bin/sh
# Installs what bench/dbus alone needs (the baseline libvirt-dbus and the tools run.sh uses);
# idempotent, as root. The test suite does not depend on any of it.
set -eu

PACKAGES="libvirt-dbus dbus-daemon libsystemd-dev pkg-config gcc"

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: need root to install:$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y --no-install-recommends $missing
