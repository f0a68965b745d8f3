#!/usr/bin/env bash
# Installs the Debian packages virtbus needs to build and test; idempotent and quiet when all are present.
set -euo pipefail

packages=(
  autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
  libsystemd-dev libxml2-dev libjson-c-dev libqpid-proton11-dev libcmocka-dev libcrypt-dev
  dbus dbus-daemon dbus-bin polkitd libxml2-utils
  python3 python3-dbus python3-gi python3-pytest python3-qpid-proton
  python3-libvirt  # tests/integration/test_objects_vs_libvirt.py: libvirt's own test driver, compared
  rabbitmq-server
  libsnmp-dev snmpd snmp snmptrapd
  cppcheck valgrind
  qemu-system-x86 busybox-static cpio xz-utils zstd
  qemu-utils  # qemu-img: the QEMU connection's storage pools (drivers/qemu/qemu_storage_img.c)
  # tests/cockpit: Debian's cockpit-machines in headless Chromium against virtbusd
  cockpit-ws cockpit-bridge cockpit-machines chromium chromium-driver python3-selenium
)

# libvirt-dbus's own test suite is fetched with `apt-get source`, which needs deb-src entries.
ensure_deb_src() {
  local src=/etc/apt/sources.list.d/debian.sources out=/etc/apt/sources.list.d/virtbus-deb-src.sources
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 1
  fi
  if [ -f "$src" ]; then
    sed 's/^Types: deb$/Types: deb-src/' "$src" > "$out"
  elif [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/virtbus-deb-src.list
  fi
  return 0
}

need_update=no
ensure_deb_src && need_update=yes

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  [ "$need_update" = yes ] && apt-get update -qq
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages must not start their services here (rabbitmq-server would start a system broker; the
# tests start their own): a policy-rc.d that says "no" while installing, unless one is there.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
