# Sourced by the benchmarks: start_bus NAME starts a dbus-daemon of its own under
# $workdir/bus-NAME (no service directories: nothing installed is auto-started), adds its pid to
# the caller's pids array and sets bus_addr to its address.
bus_addr=""

start_bus() {
    local dir=$workdir/bus-$1 i
    mkdir -p "$dir"
    cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$dir</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
    dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address=1 >"$dir/address" 2>"$dir/bus.log" &
    pids+=("$!")
    for i in $(seq 100); do
        [ -s "$dir/address" ] && break
        sleep 0.05
    done
    bus_addr=$(head -n1 "$dir/address")
    [ -n "$bus_addr" ] || { echo "run.sh: dbus-daemon printed no address" >&2; exit 1; }
}
