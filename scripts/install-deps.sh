#!/usr/bin/env bash
# Installs the Debian packages virtbus needs to build and test; idempotent and quiet when all are present.
set -euo pipefail

packages=(
  autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
  libsystemd-dev libxml2-dev libjson-c-dev libqpid-proton-dev libcmocka-dev
  dbus dbus-daemon dbus-bin polkitd libxml2-utils
  python3 python3-dbus python3-gi python3-pytest
  cppcheck valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
