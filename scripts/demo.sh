#!/usr/bin/env bash
# The newcomer's demo: virtbusd with test:///default on a private session bus, then a short
# tour with busctl while a monitor prints the lifecycle events as they happen.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/build.sh" "$top/build-demo"

work=$(mktemp -d /tmp/virtbus-demo.XXXXXX)
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "${monitor_pid:-}" ] && kill "$monitor_pid" 2>/dev/null
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

"$top/build-demo/virtbusd" --session --state-dir "$work/state" &
daemon_pid=$!
for _ in $(seq 50); do busctl --user status org.libvirt >/dev/null 2>&1 && break; sleep 0.1; done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; sleep 0.2; }

echo "== Lifecycle events as they happen (DomainEvent: domain, event, detail) =="
busctl --user monitor --match "type='signal',interface='org.libvirt.Connect',member='DomainEvent'" 2>/dev/null |
  grep --line-buffered -E 'OBJECT_PATH|INT32' | sed -u 's/^ */  event: /' &
monitor_pid=$!
sleep 0.5

T=/org/libvirt/Test
D=$T/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f
step busctl --user call org.libvirt $T org.libvirt.Connect ListDomains u 0
step busctl --user get-property org.libvirt $D org.libvirt.Domain Name Active Id
step busctl --user call org.libvirt $D org.libvirt.Domain GetState u 0
step busctl --user call org.libvirt $D org.libvirt.Domain Destroy u 0
step busctl --user call org.libvirt $D org.libvirt.Domain GetState u 0
step busctl --user call org.libvirt $D org.libvirt.Domain Create u 0
step busctl --user call org.libvirt $D org.libvirt.Domain Suspend
step busctl --user call org.libvirt $D org.libvirt.Domain Resume
step busctl --user call org.libvirt $T org.libvirt.Connect DomainDefineXML s \
  "<domain type='test'><name>demo</name><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
step busctl --user call org.libvirt $T org.libvirt.Connect ListDomains u 0
echo
echo "Events 0..8 are libvirt's DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN, PMSUSPENDED, CRASHED."
sleep 0.5
