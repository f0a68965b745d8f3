#!/usr/bin/env bash
# Runs libvirt-dbus's own Python test suite, unmodified, against virtbusd.
#
# The suite comes from Debian's libvirt-dbus source package (fetched with apt-get source, never
# committed here). It starts "$abs_top_builddir/src/libvirt-dbus --session" for every test, so
# that path is pointed at virtbusd; its conftest starts "dbus-daemon --session", so a wrapper
# earlier on PATH swaps in a bus configuration with no service directories (nothing installed is
# auto-started, so every answer comes from virtbusd). Every test is expected to pass.
set -euo pipefail

builddir=${top_builddir:-$(pwd)}
builddir=$(cd "$builddir" && pwd)
virtbusd=${VIRTBUSD:-$builddir/virtbusd}
PYTHON3=${PYTHON3:-/usr/bin/python3}
cache=${LIBVIRT_DBUS_CACHE:-$builddir/libvirt-dbus-src}

fetch_suite() {
  local tarball
  mkdir -p "$cache"
  tarball=$(ls "$cache"/libvirt-dbus_*.orig.tar.* 2>/dev/null | head -n1 || true)
  if [ -z "$tarball" ]; then
    # Only the upstream tarball is needed; a missing Debian part must not stop us.
    (cd "$cache" && apt-get source --download-only -qq libvirt-dbus >/dev/null 2>&1) || true
    tarball=$(ls "$cache"/libvirt-dbus_*.orig.tar.* 2>/dev/null | head -n1 || true)
  fi
  if [ -z "$tarball" ]; then
    echo "libvirt-dbus source not available: need a deb-src entry (scripts/install-deps.sh adds one)" >&2
    exit 1
  fi
  if [ ! -d "$cache/suite" ]; then
    mkdir -p "$cache/suite.tmp"
    tar -xf "$tarball" -C "$cache/suite.tmp" --strip-components=1
    mv "$cache/suite.tmp" "$cache/suite"
  fi
}

fetch_suite
work=$(mktemp -d /tmp/virtbus-ldt.XXXXXX)
trap 'rm -rf "$work"' EXIT

# $abs_top_builddir/src/libvirt-dbus → virtbusd (with VIRTBUS_TEST_DELAY_MS: in the test driver's
# deferred mode, every operation answering that many ms after it is made)
mkdir -p "$work/top/src" "$work/bin"
if [ -n "${VIRTBUS_TEST_DELAY_MS:-}" ]; then
  printf '#!/bin/sh\nexec %s --test-uri "test:///default?delay_ms=%s" "$@"\n' "$virtbusd" "$VIRTBUS_TEST_DELAY_MS" \
    > "$work/top/src/libvirt-dbus"
  chmod +x "$work/top/src/libvirt-dbus"
else
  ln -s "$virtbusd" "$work/top/src/libvirt-dbus"
fi

# dbus-daemon --session → our private configuration
cat > "$work/bus.conf" <<CONF
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
real_dbus_daemon=$(command -v dbus-daemon)
cat > "$work/bin/dbus-daemon" <<WRAP
#!/bin/sh
args=""
for a in "\$@"; do
  [ "\$a" = "--session" ] && a="--config-file=$work/bus.conf"
  args="\$args \$a"
done
exec $real_dbus_daemon \$args
WRAP
chmod +x "$work/bin/dbus-daemon"

cd "$cache/suite/tests"
export PATH="$work/bin:$PATH" abs_top_builddir="$work/top" PYTHONDONTWRITEBYTECODE=1
exec "$PYTHON3" -m pytest -p no:cacheprovider -q -rfEX "$@" .
