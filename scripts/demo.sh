#!/usr/bin/env bash
# The newcomer's demo: virtbusd with test:///default on a private session bus, then a short
# tour with busctl while a monitor prints the lifecycle events as they happen.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/build.sh" "$top/build-demo"

work=$(mktemp -d /tmp/virtbus-demo.XXXXXX)
cleanup() {
  [ -n "${monitor_pid:-}" ] && kill "$monitor_pid" 2>/dev/null && wait "$monitor_pid" 2>/dev/null
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "${bus_pid:-}" ] && kill "$bus_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A private bus with no service directories: nothing installed is auto-started.
cat > "$work/bus.conf" <<CONF
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
dbus-daemon --config-file="$work/bus.conf" --nofork --print-address=1 > "$work/address" 2>/dev/null &
bus_pid=$!
while [ ! -s "$work/address" ]; do sleep 0.05; done
export DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$work/address")

amqp_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$top/build-demo/virtbusd" --session --state-dir "$work/state" --qemu-root "$work/qemu" --amqp-listen "127.0.0.1:$amqp_port" &
daemon_pid=$!
for _ in $(seq 50); do busctl --user status org.libvirt >/dev/null 2>&1 && break; sleep 0.1; done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; sleep 0.3; }
export PATH="$top/build-demo:$PATH"

echo "== virtbusd serves test:///default on a private bus; lifecycle events print as they happen =="
virtbusctl events --follow > >(sed -u 's/^/  [event] /') &
monitor_pid=$!
sleep 0.5

step virtbusctl list --all
step virtbusctl dominfo test
step virtbusctl destroy test
step virtbusctl start test
step virtbusctl suspend test
step virtbusctl resume test
cat > "$work/demo.xml" <<XML
<domain type='test'>
  <name>demo</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
XML
step virtbusctl define "$work/demo.xml"
step virtbusctl start demo
step virtbusctl list --all
step virtbusctl --json list --all

echo
echo "== The same API is plain D-Bus, as libvirt-dbus clients (cockpit-machines, busctl) see it =="
step busctl --user call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
step busctl --user call org.libvirt /org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f \
  org.libvirt.Domain GetState u 0
sleep 0.5

echo
echo "== The same core on AMQP 1.0 (QMFv2), as monitoring systems and bridges see it =="
/usr/bin/python3 "$top/scripts/amqp-demo.py" "amqp://127.0.0.1:$amqp_port" console
/usr/bin/python3 "$top/scripts/amqp-demo.py" "amqp://127.0.0.1:$amqp_port" events 2 &
events_pid=$!
sleep 1
step virtbusctl suspend test
step virtbusctl resume test
wait "$events_pid"

echo
echo "== A real guest: qemu-system-x86_64 under TCG on qemu:///session (/org/libvirt/QEMU) =="
# The tiny guest the tests boot, built from Debian packages (a kernel and a busybox initramfs).
if guest=$(bash "$top/tests/guest/build-tiny-guest.sh" "$top/build-demo/guest-cache" 2>"$work/guest.log"); then
  kernel=$(echo "$guest" | sed -n 3p)
  initrd=$(echo "$guest" | sed -n 2p)
  cat > "$work/tiny.xml" <<XML
<domain type='qemu'>
  <name>tiny</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>$kernel</kernel><initrd>$initrd</initrd>
    <cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <devices><serial type='file'><source path='$work/tiny-console.log'/><target port='0'/></serial></devices>
</domain>
XML
  step virtbusctl --connect qemu:///session define "$work/tiny.xml"
  step virtbusctl --connect qemu:///session start tiny
  for _ in $(seq 100); do grep -q VIRTBUS-GUEST-READY "$work/tiny-console.log" 2>/dev/null && break; sleep 0.1; done
  step tail -n 1 "$work/tiny-console.log"
  step virtbusctl --connect qemu:///session dominfo tiny
  step virtbusctl --connect qemu:///session shutdown tiny
  for _ in $(seq 100); do virtbusctl --connect qemu:///session list --all | grep -q "shut off" && break; sleep 0.1; done
  step virtbusctl --connect qemu:///session list --all
else
  echo "  (skipped: the tiny guest could not be built; see $work/guest.log)"
fi
