#!/bin/bash
# bench/polkit: what authorization costs. GetXMLDesc(0) calls/s by an unprivileged caller on a
# system-like bus with a real polkitd (decisions cached, and not cached), beside the same calls
# on a session bus where nothing is authorized, measured in one run; prints one Markdown table.
# Target: cached authorization costs < 5 % of the call rate. A benchmark: it never fails on a MISS.
#
#   bench/polkit/run.sh [--duration S] [--warmup S] [--rounds N] [--out FILE] [--no-pm-qos]  (as root)
#
# VIRTBUSD=/path/to/virtbusd picks the daemon; otherwise an optimized one is built in build-bench/.
# The load generator is bench/dbus/dbus-load.c, compiled into build-bench/bench-polkit/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
bench_build=${BENCH_BUILDDIR:-$srcdir/build-bench}
polkitd=/usr/lib/polkit-1/polkitd
bench_user=vbtest-bench
actions_file=/usr/share/polkit-1/actions/org.libvirt.api.virtbus.policy

duration=3
warmup=0.5
rounds=3
out=""
pm_qos=yes

usage() {
    sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-pm-qos) pm_qos=no; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

log() { printf '[bench] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (it starts polkitd and a test user's client)" >&2; exit 1; }
[ -x "$polkitd" ] || { echo "run.sh: $polkitd missing; install polkitd (scripts/install-deps.sh)" >&2; exit 1; }

# --- what we start and add, and how it all goes away (also on Ctrl-C) ---------------------------
pids=()
workdir=""
added_user=no
added_actions=no

stop_all() {
    local i pid
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do  # newest first: services before their bus
        pid=${pids[i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}

cleanup() {
    stop_all
    [ "$added_actions" = yes ] && rm -f "$actions_file"
    [ "$added_user" = yes ] && userdel "$bench_user" 2>/dev/null
    [ -n "$workdir" ] && rm -rf "$workdir"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- what we run -------------------------------------------------------------------------------
build() {
    if [ -z "${VIRTBUSD:-}" ]; then
        mkdir -p "$bench_build"
        if [ ! -f "$bench_build/Makefile" ]; then
            log "configuring an optimized build in $bench_build"
            (cd "$bench_build" && "$srcdir/configure" CFLAGS='-O2 -g' >configure.log 2>&1) ||
                { echo "run.sh: configure failed, see $bench_build/configure.log" >&2; exit 1; }
        fi
        log "building virtbusd in $bench_build"
        make -C "$bench_build" -j2 virtbusd >"$bench_build/make-bench.log" 2>&1 ||
            { echo "run.sh: make failed, see $bench_build/make-bench.log" >&2; exit 1; }
        VIRTBUSD=$bench_build/virtbusd
    fi
    tools=$bench_build/bench-polkit
    mkdir -p "$tools"
    if [ ! -x "$tools/dbus-load" ] || [ "$srcdir/bench/dbus/dbus-load.c" -nt "$tools/dbus-load" ]; then
        # shellcheck disable=SC2046 # pkg-config prints several words
        cc -O2 -g -Wall -Wextra -pthread -o "$tools/dbus-load" "$srcdir/bench/dbus/dbus-load.c" \
            $(pkg-config --cflags --libs libsystemd)
    fi
    chmod 755 "$tools" "$tools/dbus-load"
    if ldd "$VIRTBUSD" 2>/dev/null | grep -qE 'lib(a|ub|t)san'; then
        log "WARNING: $VIRTBUSD is built with sanitizers; its figures are not representative"
    fi
}

prepare_machine() {
    if ! id "$bench_user" >/dev/null 2>&1; then
        getent group libvirt >/dev/null || { echo "run.sh: group libvirt missing" >&2; exit 1; }
        useradd --system --no-create-home --shell /usr/sbin/nologin -G libvirt "$bench_user"
        added_user=yes
    fi
    if [ ! -e "$actions_file" ]; then
        install -m 644 "$srcdir/data/org.libvirt.api.virtbus.policy" "$actions_file"
        added_actions=yes
    fi
}

# --- one world: a bus (session or system-like), polkitd on the system one, virtbusd ------------
bus_addr=""

start_bus() {  # start_bus NAME session|system
    local dir=$workdir/$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ "$2" = session ]; then
        cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    else
        cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <allow send_type="method_call"/><allow send_type="signal"/>
    <allow send_type="method_return"/><allow send_type="error"/>
    <allow receive_type="method_call"/><allow receive_type="signal"/>
    <allow receive_type="method_return"/><allow receive_type="error"/>
  </policy>
  <policy user="polkitd"><allow own="org.freedesktop.PolicyKit1"/></policy>
  <policy user="root"><allow own="org.libvirt"/></policy>
</busconfig>
EOF
    fi
    dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address=1 >"$dir/address" 2>"$dir/bus.log" &
    pids+=("$!")
    for _ in $(seq 100); do [ -s "$dir/address" ] && break; sleep 0.05; done
    bus_addr=$(head -n1 "$dir/address")
    [ -n "$bus_addr" ] || { echo "run.sh: dbus-daemon printed no address" >&2; exit 1; }
}

wait_name() {
    "$tools/dbus-load" --address "$bus_addr" --op wait-name --dest "$1" --duration 10 >/dev/null ||
        { echo "run.sh: $1 was not owned; logs in $workdir" >&2; cat "$workdir"/*.log >&2; exit 1; }
}

declare -A world_addr
start_world() {  # start_world NAME session|system [CACHE_SECONDS]
    local name=$1 kind=$2 cache=${3:-5}
    start_bus "$name" "$kind"
    world_addr[$name]=$bus_addr
    if [ "$kind" = system ]; then
        DBUS_SYSTEM_BUS_ADDRESS=$bus_addr "$polkitd" --no-debug >"$workdir/$name-polkitd.log" 2>&1 &
        pids+=("$!")
        wait_name org.freedesktop.PolicyKit1
    fi
    printf 'polkit_cache_seconds = %s\nlog_level = warning\n' "$cache" >"$workdir/$name.conf"
    DBUS_SESSION_BUS_ADDRESS=$bus_addr DBUS_SYSTEM_BUS_ADDRESS=$bus_addr \
        "$VIRTBUSD" "--$kind" --config "$workdir/$name.conf" --state-dir "$workdir/$name-state" --qemu-root "$workdir/$name-qemu" \
        2>"$workdir/$name.log" &
    pids+=("$!")
    wait_name org.libvirt
}

declare -A result
measure() {  # measure ROW WORLD USER CLIENTS REP: GetXMLDesc(0) on the test domain
    local row=$1 world=$2 user=$3 clients=$4 rep=$5 line key value
    local cmd=("$tools/dbus-load" --address "${world_addr[$world]}" --op xml --clients "$clients"
               --warmup "$warmup" --duration "$duration")
    [ "$user" = root ] || cmd=(setpriv "--reuid=$user" "--regid=$user" --init-groups -- "${cmd[@]}")
    line=$(cd / && "${cmd[@]}") || { echo "run.sh: load failed for $row" >&2; exit 1; }
    for kv in $line; do
        key=${kv%%=*}
        value=${kv#*=}
        result[$row.$clients.$rep.$key]=$value
    done
    log "$row, $clients client(s), round $rep: $line"
}

# The median of the rounds (the one whose rate is the median) gives each row its figures.
median_round() {  # median_round ROW CLIENTS -> round number
    local row=$1 clients=$2 rep
    for rep in $(seq "$rounds"); do
        echo "${result[$row.$clients.$rep.rate]} $rep"
    done | sort -n | awk -v n="$rounds" 'NR == int((n + 1) / 2) { print $2 }'
}

fmt() { printf '%.0f' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r >= 0.95) ? "PASS" : "MISS" }'; }

pm_qos_note="none (idle CPUs may halt)"
hold_pm_qos() {
    [ "$pm_qos" = yes ] || return 0
    if [ -w /dev/cpu_dma_latency ] && exec {pm_qos_fd}>/dev/cpu_dma_latency && printf '0' >&"$pm_qos_fd"; then
        pm_qos_note="/dev/cpu_dma_latency held at 0 µs for the run"
    fi
}

report() {
    local clients row rep base root r rel rel_root target
    echo "## bench/polkit: the cost of authorization (GetXMLDesc(0) on test:///default's domain)"
    echo
    echo "- virtbusd: $VIRTBUSD; polkitd $(dpkg-query -W -f='${Version}' polkitd 2>/dev/null || echo '?')"
    echo "- $duration s measured after $warmup s warm-up, $rounds rounds interleaved, the median round shown;" \
         "load average before: $load_before; CPU idle latency: $pm_qos_note"
    echo "- caller: \`$bench_user\` (uid $(id -u "$bench_user")) on the system-like bus; root on the session bus"
    echo
    echo "| clients | row | calls/s | p50 µs | p99 µs | / session | / system-root | target: cached / session ≥ 0.95 |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for clients in 1 8; do
        base=${result[session.$clients.$(median_round session "$clients").rate]}
        root=${result[system-root.$clients.$(median_round system-root "$clients").rate]}
        for row in session system-root system-cached system-uncached; do
            rep=$(median_round "$row" "$clients")
            r=${result[$row.$clients.$rep.rate]}
            rel=$(ratio "$r" "$base")
            rel_root=$(ratio "$r" "$root")
            target="(info)"
            [ "$row" = system-cached ] && target=$(verdict "$rel")
            printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$clients" "$row" "$(fmt "$r")" \
                "${result[$row.$clients.$rep.p50_us]}" "${result[$row.$clients.$rep.p99_us]}" "$rel" "$rel_root" \
                "$target"
        done
    done
    echo
    echo "Rows: **session** virtbusd --session, nothing authorized (the baseline); **system-root** the system-like"
    echo "bus with root calling (the filter runs, root is trusted without asking polkit), which separates what the"
    echo "system bus's own policy checks cost from what authorization costs; **system-cached** \`$bench_user\` with"
    echo "polkit_cache_seconds = 5 (one CheckAuthorization per question, connection and 5 s); **system-uncached**"
    echo "polkit_cache_seconds = 0: every call waits for polkitd (\`/ session\` shows what the cache saves)."
}

main() {
    local rep clients
    build
    prepare_machine
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/virtbus-bench-polkit.XXXXXX")
    chmod 755 "$workdir"
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    hold_pm_qos
    # All three worlds stay up; the rows are measured in turn, round after round, so a passing
    # disturbance on the machine touches every row alike.
    start_world session session
    start_world system system 5
    start_world system-uncached system 0
    for rep in $(seq "$rounds"); do
        for clients in 1 8; do
            measure session session root "$clients" "$rep"
            measure system-root system root "$clients" "$rep"
            measure system-cached system "$bench_user" "$clients" "$rep"
            measure system-uncached system-uncached "$bench_user" "$clients" "$rep"
        done
    done
    stop_all
    if [ -n "$out" ]; then
        report | tee "$out"
    else
        report
    fi
}

main
