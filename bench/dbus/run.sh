#!/bin/bash
# bench/dbus: virtbusd beside Debian's libvirt-dbus and an empty sd-bus method, each on its own
# private dbus-daemon; prints one Markdown table. A benchmark, not a test: it never fails on a MISS.
#
#   bench/dbus/run.sh [--duration S] [--warmup S] [--domains N] [--volumes N] [--storage-only]
#                     [--out FILE] [--no-pm-qos]
#
# VIRTBUSD=/path/to/virtbusd picks the daemon; otherwise an optimized one is built in build-bench/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
bench_build=${BENCH_BUILDDIR:-$srcdir/build-bench}
libvirt_dbus=${LIBVIRT_DBUS:-/usr/sbin/libvirt-dbus}

duration=3
warmup=0.5
domains=10000
volumes=10000
storage_only=no
out=""
pm_qos=yes

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --domains) domains=$2; shift 2 ;;
        --volumes) volumes=$2; shift 2 ;;
        --storage-only) storage_only=yes; shift ;;
        --out) out=$2; shift 2 ;;
        --no-pm-qos) pm_qos=no; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

log() { printf '[bench] %s\n' "$*" >&2; }

# --- processes we start, and their cleanup (also on Ctrl-C: background jobs ignore SIGINT) ------
pids=()
workdir=""

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    local pid
    # newest first: the service before its bus
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[i]}
        stop_pid "$pid"
    done
    pids=()
}

cleanup() {
    stop_all
    if [ -n "$workdir" ]; then
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- what we run -------------------------------------------------------------------------------
build_virtbusd() {
    if [ -n "${VIRTBUSD:-}" ]; then
        [ -x "$VIRTBUSD" ] || { echo "run.sh: VIRTBUSD=$VIRTBUSD is not executable" >&2; exit 1; }
        return
    fi
    mkdir -p "$bench_build"
    if [ ! -f "$bench_build/Makefile" ]; then
        log "configuring an optimized build in $bench_build"
        (cd "$bench_build" && "$srcdir/configure" CFLAGS='-O2 -g' >configure.log 2>&1) ||
            { echo "run.sh: configure failed, see $bench_build/configure.log" >&2; exit 1; }
    fi
    log "building virtbusd in $bench_build"
    make -C "$bench_build" -j2 virtbusd >"$bench_build/make-bench.log" 2>&1 ||
        { echo "run.sh: make failed, see $bench_build/make-bench.log (or set VIRTBUSD=/path/to/virtbusd)" >&2; exit 1; }
    VIRTBUSD=$bench_build/virtbusd
}

build_tools() {
    local tool
    tools=$bench_build/bench-dbus
    mkdir -p "$tools"
    for tool in dbus-load ceiling-server; do
        if [ ! -x "$tools/$tool" ] || [ "$here/$tool.c" -nt "$tools/$tool" ]; then
            # shellcheck disable=SC2046 # pkg-config prints several words
            cc -O2 -g -Wall -Wextra -pthread -o "$tools/$tool" "$here/$tool.c" \
                $(pkg-config --cflags --libs libsystemd)
        fi
    done
}

check_baseline() {
    if [ ! -x "$libvirt_dbus" ]; then
        if [ "$(id -u)" -eq 0 ]; then
            log "installing libvirt-dbus (bench/dbus/install-deps.sh)"
            "$here/install-deps.sh" >&2
        else
            echo "run.sh: $libvirt_dbus missing; run bench/dbus/install-deps.sh as root" >&2
            exit 1
        fi
    fi
}

# --- one private bus and one service on it -----------------------------------------------------
# start_bus NAME: bench/private-bus.sh
. "$here/../private-bus.sh"
server_pid=""

# start_service NAME BUSNAME COMMAND...: a fresh bus, then COMMAND on it, until BUSNAME is owned
start_service() {
    local name=$1 busname=$2
    shift 2
    start_bus "$name"
    DBUS_SESSION_BUS_ADDRESS=$bus_addr "$@" 2>"$workdir/$name.log" &
    server_pid=$!
    pids+=("$server_pid")
    if ! load --op wait-name --dest "$busname" --duration 5; then
        cat "$workdir/$name.log" >&2
        exit 1
    fi
}

load() {
    "$tools/dbus-load" --address "$bus_addr" "$@"
}

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"
}

# --- results: key=value lines from dbus-load, kept as "<target>.<op>.<clients>.<field>" ---------
declare -A result

# measure TARGET OP CLIENTS [dbus-load options...]
measure() {
    local target=$1 op=$2 clients=$3 line kv
    shift 3
    line=$(load --op "$op" --clients "$clients" --warmup "$warmup" --duration "$duration" "$@")
    log "$target: $line"
    for kv in $line; do
        result[$target.$op.$clients.${kv%%=*}]=${kv#*=}
    done
}

measure_daemon() {
    local target=$1 clients op
    for clients in 1 8; do
        for op in ping list xml getall cycle; do
            measure "$target" "$op" "$clients"
        done
    done
}

# scale TARGET: define $domains domains, time ListDomains(0), read the daemon's RSS
scale() {
    local target=$1 line kv
    result[$target.rss_idle_kb]=$(rss_kb)
    line=$(load --op define --count "$domains" --clients 2)
    log "$target: $line"
    result[$target.define_rate]=$(sed -n 's/.* rate=\([^ ]*\).*/\1/p' <<<"$line")
    line=$(load --op list-time --count 20 | tr '\n' ' ')
    log "$target: $line"
    for kv in $line; do
        result[$target.scale.${kv%%=*}]=${kv#*=}
    done
    result[$target.rss_kb]=$(rss_kb)
}

# storage TARGET: create $volumes volumes in test:///default's pool, time ListStorageVolumes(0),
# then the rates of ListStoragePools(0) and of GetXMLDesc(0) on one of those volumes
storage() {
    local target=$1 line kv clients
    line=$(load --op vol-create --count "$volumes" --clients 2)
    log "$target: $line"
    result[$target.vol_create_rate]=$(sed -n 's/.* rate=\([^ ]*\).*/\1/p' <<<"$line")
    line=$(load --op vols-time --count 20 | tr '\n' ' ')
    log "$target: $line"
    for kv in $line; do
        result[$target.vols.${kv%%=*}]=${kv#*=}
    done
    for clients in 1 8; do
        measure "$target" pools "$clients"
        measure "$target" vol-xml "$clients"
    done
    result[$target.storage_rss_kb]=$(rss_kb)
}

# --- the table ---------------------------------------------------------------------------------
fmt() { awk -v x="$1" -v p="${2:-0}" 'BEGIN { printf "%.*f", p, x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
# verdict VALUE OP LIMIT: PASS when "VALUE OP LIMIT" holds
verdict() {
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
        ok = (op == ">=") ? v >= l : v < l
        printf "%s", ok ? "PASS" : "MISS" }'
}

rate_row() {
    local label=$1 op=$2 clients=$3 target_kind=$4
    local v=virtbusd l=libvirt-dbus c=ceiling
    local vr=${result[$v.$op.$clients.rate]} lr=${result[$l.$op.$clients.rate]}
    local cr=${result[$c.empty.$clients.rate]} calls=1 vs_ceiling vs_lvd target verdict_text
    [ "$op" = cycle ] && calls=2
    vs_ceiling=$(ratio "$(awk -v r="$vr" -v n="$calls" 'BEGIN { print r * n }')" "$cr")
    vs_lvd=$(ratio "$vr" "$lr")
    case "$target_kind" in
        ceiling) target="≥ 0.70 × ceiling"; verdict_text=$(verdict "$vs_ceiling" ">=" 0.70) ;;
        libvirt) target="≥ 2 × libvirt-dbus"; verdict_text=$(verdict "$vs_lvd" ">=" 2) ;;
        *) target="—"; verdict_text="(info)" ;;
    esac
    printf '| %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s | %s | %s |\n' \
        "$label" "$clients" \
        "$(fmt "$vr")" "$(fmt "${result[$v.$op.$clients.p50_us]}")" "$(fmt "${result[$v.$op.$clients.p99_us]}")" \
        "$(fmt "$lr")" "$(fmt "${result[$l.$op.$clients.p50_us]}")" "$(fmt "${result[$l.$op.$clients.p99_us]}")" \
        "$(fmt "$cr")" "$vs_ceiling" "$vs_lvd" "$target" "$verdict_text"
}

print_table() {
    local v=virtbusd l=libvirt-dbus c=ceiling
    echo "## bench/dbus — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1); load average before the run: $load_before; CPU idle latency: $pm_qos_note"
    echo "- virtbusd: \`$VIRTBUSD\`; baseline: libvirt-dbus $(dpkg-query -W -f='${Version}' libvirt-dbus 2>/dev/null || echo '?') (\`$libvirt_dbus --session\`, test:///default); ceiling: \`ceiling-server\` (one empty sd-bus method)"
    echo "- $(dbus-daemon --version | head -n1), one fresh private bus per service; each rate: ${duration} s after ${warmup} s warm-up, synchronous calls, one sd-bus connection per client"
    echo
    echo "### Call rates (calls/s; latency p50 / p99 in µs)"
    echo
    echo "| operation | clients | virtbusd | p50 / p99 | libvirt-dbus | p50 / p99 | ceiling (empty method) | virtbusd / ceiling | virtbusd / libvirt-dbus | target | result |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    rate_row "ListDomains(0)" list 1 ceiling
    rate_row "GetXMLDesc(0) on test" xml 1 ceiling
    rate_row "Properties.GetAll(Domain) on test" getall 1 ceiling
    rate_row "DomainDefineXML + Undefine ¹" cycle 1 libvirt
    rate_row "ListDomains(0)" list 8 libvirt
    rate_row "GetXMLDesc(0) on test" xml 8 libvirt
    rate_row "Properties.GetAll(Domain) on test" getall 8 libvirt
    rate_row "DomainDefineXML + Undefine ¹" cycle 8 libvirt
    rate_row "Peer.Ping to the daemon" ping 1 info
    rate_row "Peer.Ping to the daemon" ping 8 info
    echo
    echo "¹ one operation = two calls; its \"virtbusd / ceiling\" counts both calls."
    echo
    echo "Ceiling detail: empty method 1 client ${result[$c.empty.1.rate]%.*}/s (p50 ${result[$c.empty.1.p50_us]} µs), 8 clients ${result[$c.empty.8.rate]%.*}/s; Peer.Ping to it 1 client ${result[$c.ping.1.rate]%.*}/s, 8 clients ${result[$c.ping.8.rate]%.*}/s."
    echo
    echo "### At $domains defined domains"
    echo
    echo "| measure | virtbusd | libvirt-dbus | virtbusd / libvirt-dbus | target | result |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    local vl=${result[$v.scale.p50_ms]} ll=${result[$l.scale.p50_ms]}
    printf '| ListDomains(0), median of %s calls, until the reply has arrived (ms; %s / %s paths) | %s | %s | %s | < 20 ms | %s |\n' \
        "${result[$v.scale.calls]}" "${result[$v.scale.domains]}" "${result[$l.scale.domains]}" \
        "$(fmt "$vl" 2)" "$(fmt "$ll" 2)" "$(ratio "$vl" "$ll")" "$(verdict "$vl" "<" 20)"
    local vd=${result[$v.scale.p50_decode_ms]} ld=${result[$l.scale.p50_decode_ms]}
    printf '| the same, including the client decoding every path with sd-bus (ms) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "$vd" 2)" "$(fmt "$ld" 2)" "$(ratio "$vd" "$ld")"
    local vm lm
    vm=$(awk -v k="${result[$v.rss_kb]}" 'BEGIN { print k / 1024 }')
    lm=$(awk -v k="${result[$l.rss_kb]}" 'BEGIN { print k / 1024 }')
    printf '| daemon VmRSS (MiB) | %s | %s | %s | < 30 MB | %s |\n' \
        "$(fmt "$vm" 1)" "$(fmt "$lm" 1)" "$(ratio "$vm" "$lm")" "$(verdict "$vm" "<" 30)"
    printf '| daemon VmRSS at start, 1 domain (MiB) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "$(awk -v k="${result[$v.rss_idle_kb]}" 'BEGIN { print k / 1024 }')" 1)" \
        "$(fmt "$(awk -v k="${result[$l.rss_idle_kb]}" 'BEGIN { print k / 1024 }')" 1)" \
        "$(ratio "${result[$v.rss_idle_kb]}" "${result[$l.rss_idle_kb]}")"
    printf '| defining them: DomainDefineXML/s (2 clients, 16 calls in flight each) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "${result[$v.define_rate]}")" "$(fmt "${result[$l.define_rate]}")" \
        "$(ratio "${result[$v.define_rate]}" "${result[$l.define_rate]}")"
}

print_storage_table() {
    local v=virtbusd l=libvirt-dbus
    echo "### Storage: test:///default's pool with $volumes volumes"
    echo
    echo "| operation | clients | virtbusd | p50 / p99 | libvirt-dbus | p50 / p99 | ceiling (empty method) | virtbusd / ceiling | virtbusd / libvirt-dbus | target | result |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    rate_row "ListStoragePools(0)" pools 1 libvirt
    rate_row "ListStoragePools(0)" pools 8 libvirt
    rate_row "StorageVol.GetXMLDesc(0)" vol-xml 1 libvirt
    rate_row "StorageVol.GetXMLDesc(0)" vol-xml 8 libvirt
    echo
    echo "| measure | virtbusd | libvirt-dbus | libvirt-dbus / virtbusd | target | result |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    local vl=${result[$v.vols.p50_ms]} ll=${result[$l.vols.p50_ms]} speedup
    speedup=$(ratio "$ll" "$vl")
    printf '| ListStorageVolumes(0), median of %s calls (ms; %s / %s paths) | %s | %s | %s | ≥ 2 × libvirt-dbus | %s |\n' \
        "${result[$v.vols.calls]}" "${result[$v.vols.domains]}" "${result[$l.vols.domains]}" \
        "$(fmt "$vl" 2)" "$(fmt "$ll" 2)" "$speedup" "$(verdict "$speedup" ">=" 2)"
    printf '| the same, including the client decoding every path (ms) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "${result[$v.vols.p50_decode_ms]}" 2)" "$(fmt "${result[$l.vols.p50_decode_ms]}" 2)" \
        "$(ratio "${result[$l.vols.p50_decode_ms]}" "${result[$v.vols.p50_decode_ms]}")"
    printf '| creating them: StorageVolCreateXML/s (2 clients, 16 calls in flight each) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "${result[$v.vol_create_rate]}")" "$(fmt "${result[$l.vol_create_rate]}")" \
        "$(ratio "${result[$v.vol_create_rate]}" "${result[$l.vol_create_rate]}")"
    printf '| daemon VmRSS with them (MiB) | %s | %s | %s | — | (info) |\n' \
        "$(fmt "$(awk -v k="${result[$v.storage_rss_kb]}" 'BEGIN { print k / 1024 }')" 1)" \
        "$(fmt "$(awk -v k="${result[$l.storage_rss_kb]}" 'BEGIN { print k / 1024 }')" 1)" \
        "$(ratio "${result[$v.storage_rss_kb]}" "${result[$l.storage_rss_kb]}")"
}

print_tables() {
    if [ "$storage_only" = no ]; then
        print_table
        echo
    else
        echo "## bench/dbus (storage only) — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "- virtbusd: \`$VIRTBUSD\`; baseline: libvirt-dbus $(dpkg-query -W -f='${Version}' libvirt-dbus 2>/dev/null || echo '?'); load average before the run: $load_before; CPU idle latency: $pm_qos_note; each rate: ${duration} s after ${warmup} s warm-up"
        echo
    fi
    print_storage_table
}

# Synchronous round trips leave both CPUs idle between messages; on a VM (haltpoll cpuidle) each
# wake-up from halt then costs ~100 µs and the figures measure the hypervisor, not the daemons.
# Holding a CPU-latency PM QoS request of 0 keeps idle CPUs polling for the run; the kernel drops
# the request when the file is closed, i.e. when this script exits.
pm_qos_note="none (idle CPUs may halt)"
hold_pm_qos() {
    [ "$pm_qos" = yes ] || return 0
    if [ -w /dev/cpu_dma_latency ] && exec {pm_qos_fd}>/dev/cpu_dma_latency && printf '0' >&"$pm_qos_fd"; then
        pm_qos_note="/dev/cpu_dma_latency held at 0 µs for the run"
    else
        log "WARNING: cannot hold /dev/cpu_dma_latency at 0; on a VM round trips will include wake-up latency"
    fi
}

# --- the run -----------------------------------------------------------------------------------
main() {
    local start=$SECONDS
    check_baseline
    build_virtbusd
    build_tools
    if ldd "$VIRTBUSD" 2>/dev/null | grep -qE 'lib(a|ub|t)san'; then
        log "WARNING: $VIRTBUSD is built with sanitizers; its figures are not representative"
    fi
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/virtbus-bench.XXXXXX")
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    hold_pm_qos

    log "ceiling: empty sd-bus method"
    start_service ceiling org.virtbus.BenchCeiling "$tools/ceiling-server"
    for clients in 1 8; do
        measure ceiling empty "$clients" --dest org.virtbus.BenchCeiling
        measure ceiling ping "$clients" --dest org.virtbus.BenchCeiling
    done
    stop_all

    log "virtbusd: $VIRTBUSD"
    if [ "$storage_only" = no ]; then
        start_service virtbusd org.libvirt "$VIRTBUSD" --session --state-dir "$workdir/state-rates" --qemu-root "$workdir/qemu-rates"
        measure_daemon virtbusd
        stop_all
        start_service virtbusd-scale org.libvirt "$VIRTBUSD" --session --state-dir "$workdir/state-scale" --qemu-root "$workdir/qemu-scale"
        scale virtbusd
        stop_all
    fi
    start_service virtbusd-storage org.libvirt "$VIRTBUSD" --session --state-dir "$workdir/state-storage" --qemu-root "$workdir/qemu-storage"
    storage virtbusd
    stop_all

    log "libvirt-dbus: $libvirt_dbus"
    if [ "$storage_only" = no ]; then
        start_service libvirt-dbus org.libvirt "$libvirt_dbus" --session
        measure_daemon libvirt-dbus
        stop_all
        start_service libvirt-dbus-scale org.libvirt "$libvirt_dbus" --session
        scale libvirt-dbus
        stop_all
    fi
    start_service libvirt-dbus-storage org.libvirt "$libvirt_dbus" --session
    storage libvirt-dbus
    stop_all

    log "done in $((SECONDS - start)) s"
    if [ -n "$out" ]; then
        print_tables | tee "$out"
    else
        print_tables
    fi
}

main
