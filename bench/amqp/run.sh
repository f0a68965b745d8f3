#!/bin/bash
# bench/amqp: virtbusd's AMQP 1.0 front end (events to subscribers, QMF method round trips) beside
# plain qpid-proton and RabbitMQ, all measured in one run; prints Markdown tables. A benchmark,
# not a test: it never fails on a MISS.
#
#   bench/amqp/run.sh [--duration S] [--warmup S] [--out FILE] [--no-pm-qos] [--no-rabbitmq]
#
# VIRTBUSD=/path/to/virtbusd picks the daemon (VIRTBUSCTL its virtbusctl, default: beside it);
# otherwise an optimized one is built in build-bench/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
bench_build=${BENCH_BUILDDIR:-$srcdir/build-bench}

duration=3
warmup=0.5
out=""
pm_qos=yes
rabbitmq=yes

subscriber_counts=(1 10 100)
client_counts=(1 8)
domains=64        # suspend/resume streams, one request in flight each: virtbusd's request credit
window=256        # events produced but not yet received by every subscriber
credit=1000       # each subscriber's link credit, topped up at half
pace_fraction=0.5 # the paced latency row: this share of virtbusd's saturated rate at 100 subscribers
prefill=10        # seconds of events produced before the replay rows (retained: event_replay)
replay_duration=1 # the replay rows: each subscriber starts at the first retained event
password=bench-amqp

usage() {
    sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-pm-qos) pm_qos=no; shift ;;
        --no-rabbitmq) rabbitmq=no; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

log() { printf "[bench +%ss] %s\n" "$SECONDS" "$*" >&2; }

# --- processes we start, and their cleanup (also on Ctrl-C: background jobs ignore SIGINT) ------
pids=()
workdir=""
rabbit_pid=""
rabbit_fd=""

stop_pid() {
    local pid=$1 tenths=${2:-50} i
    kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    for i in $(seq "$tenths"); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    local i
    # newest first: the daemon before its bus
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        stop_pid "${pids[i]}"
    done
    pids=()
}

# The broker helper stops RabbitMQ when its stdin closes or on SIGTERM; stopping takes seconds.
stop_rabbit() {
    if [ -n "$rabbit_fd" ]; then
        exec {rabbit_fd}>&-
        rabbit_fd=""
    fi
    if [ -n "$rabbit_pid" ]; then
        stop_pid "$rabbit_pid" 300
        rabbit_pid=""
    fi
}

cleanup() {
    stop_all
    stop_rabbit
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
        VIRTBUSCTL=${VIRTBUSCTL:-$(dirname "$VIRTBUSD")/virtbusctl}
        [ -x "$VIRTBUSCTL" ] || { echo "run.sh: no virtbusctl at $VIRTBUSCTL (set VIRTBUSCTL)" >&2; exit 1; }
        return
    fi
    mkdir -p "$bench_build"
    if [ ! -f "$bench_build/Makefile" ]; then
        log "configuring an optimized build in $bench_build"
        (cd "$bench_build" && "$srcdir/configure" CFLAGS='-O2 -g' >configure.log 2>&1) ||
            { echo "run.sh: configure failed, see $bench_build/configure.log" >&2; exit 1; }
    fi
    log "building virtbusd and virtbusctl in $bench_build"
    make -C "$bench_build" -j2 virtbusd virtbusctl >"$bench_build/make-bench.log" 2>&1 ||
        { echo "run.sh: make failed, see $bench_build/make-bench.log (or set VIRTBUSD=/path/to/virtbusd)" >&2; exit 1; }
    VIRTBUSD=$bench_build/virtbusd
    VIRTBUSCTL=$bench_build/virtbusctl
}

build_tools() {
    local tool
    tools=$bench_build/bench-amqp
    mkdir -p "$tools"
    for tool in amqp-load amqp-raw-server; do
        if [ ! -x "$tools/$tool" ] || [ "$here/$tool.c" -nt "$tools/$tool" ] || [ "$here/amqp-bench.h" -nt "$tools/$tool" ]; then
            # shellcheck disable=SC2046 # pkg-config prints several words
            gcc -O2 -g -Wall -Wextra -o "$tools/$tool" "$here/$tool.c" $(pkg-config --cflags --libs libqpid-proton)
        fi
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_log FILE PATTERN PID: until PATTERN shows in FILE (10 s), or PID died
wait_for_log() {
    local file=$1 pattern=$2 pid=$3 i
    for i in $(seq 200); do
        grep -qE "$pattern" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "run.sh: no '$pattern' from pid $pid; its log:" >&2
    cat "$file" >&2
    exit 1
}

# --- a private bus and virtbusd on it ---------------------------------------------------------
# start_bus NAME: bench/private-bus.sh
. "$here/../private-bus.sh"
vpid=""
vport=""

# start_virtbusd NAME [virtbusd options...]
start_virtbusd() {
    local name=$1
    shift
    start_bus "$name"
    vport=$(free_port)
    env DBUS_SESSION_BUS_ADDRESS="$bus_addr" \
        "$VIRTBUSD" --session --state-dir "$workdir/state-$name" --qemu-root "$workdir/qemu-$name" \
        --amqp-listen "127.0.0.1:$vport" --hostname bench --config "$workdir/${vconf:-virtbusd.conf}" \
        --amqp-users "$workdir/amqp-users" "$@" 2>"$workdir/$name.log" &
    vpid=$!
    pids+=("$vpid")
    wait_for_log "$workdir/$name.log" "serving org.libvirt" "$vpid"
}

# --- results: key=value lines from amqp-load, kept as "<key>.<field>" ---------------------------
declare -A result

# measure KEY [amqp-load options...]
measure() {
    local key=$1 line kv
    shift
    line=$(timeout 90 "$tools/amqp-load" --warmup "$warmup" --duration "$duration" "$@" 2>"$workdir/load.err") || {
        log "$key: amqp-load failed: $(tail -n 3 "$workdir/load.err" | tr '\n' ' ')"
        line="failed=1"
    }
    log "$key: $line"
    for kv in $line; do
        result[$key.${kv%%=*}]=${kv#*=}
    done
}

events_qmf() {
    measure "$1" --mode events --url "127.0.0.1:$vport" --subscribers "$2" --credit "$credit" --window "$window" \
        --produce qmf --produce-user bench --produce-password "$password" --domains "$domains" \
        --server-pid "$vpid" "${@:3}"
}

# measure_virtbusd LABEL: saturated events to each subscriber count, the paced row, method calls
measure_virtbusd() {
    local label=$1 n c
    for n in "${subscriber_counts[@]}"; do
        events_qmf "$label.events.$n" "$n"
    done
    if [ -z "$pace_rate" ]; then
        pace_rate=$(awk -v r="${result[$label.events.100.event_rate]:-0}" -v f="$pace_fraction" \
            'BEGIN { x = int(r * f); print (x > 10 ? x : 10) }')
    fi
    events_qmf "$label.paced" 100 --rate "$pace_rate"
    # The same calls on this daemon, holding every event above (event_replay = 1000000, for the
    # replay rows): shown beside the methods rows, which a daemon with the defaults answers.
    measure "$label.methods_loaded.8" --mode methods --url "127.0.0.1:$vport" --clients 8 --op xml --server-pid "$vpid"
    measure_replay "$label"
}

# measure_methods LABEL: QMF round trips on a fresh virtbusd with the shipped defaults.
measure_methods() {
    local label=$1 c
    for c in "${client_counts[@]}"; do
        measure "$label.methods.$c" --mode methods --url "127.0.0.1:$vport" --clients "$c" --op xml --server-pid "$vpid"
    done
}

# measure_replay LABEL: the delivery path alone. Events retained by virtbusd (everything the rows
# above produced, and $prefill seconds more) are replayed to subscribers attaching at
# virtbus.events?from=1, as fast as they take them: no production in the way, as in the raw
# fan-out, whose messages cost nothing to make.
measure_replay() {
    local label=$1 n last
    events_qmf "$label.prefill" 1 --warmup 0 --duration "$prefill"
    last=${result[$label.prefill.max_last_seq]:-0}
    for n in "${subscriber_counts[@]}"; do
        measure "$label.replay.$n" --mode events --url "127.0.0.1:$vport" --subscribers "$n" --credit "$credit" \
            --address 'virtbus.events?from=1' --warmup 0.2 --duration "$replay_duration" --server-pid "$vpid"
        # A subscriber that reached the end of what was retained waited for events: a lower bound.
        if [ "${result[$label.replay.$n.max_last_seq]:-0}" -ge "$last" ]; then
            result[$label.replay.$n.ran_dry]=1
        fi
    done
}

# raw_server MODE [options...]: amqp-raw-server on a fresh port (rport, rpid)
raw_server() {
    rport=$(free_port)
    "$tools/amqp-raw-server" --listen "127.0.0.1:$rport" "$@" >"$workdir/raw.out" 2>"$workdir/raw.log" &
    rpid=$!
    pids+=("$rpid")
    wait_for_log "$workdir/raw.out" "^ready" "$rpid"
}

measure_raw() {
    local n c
    for n in "${subscriber_counts[@]}"; do
        raw_server --mode fanout --subscribers "$n" --size "$msg_size" --window "$window"
        measure "raw.events.$n" --mode events --url "127.0.0.1:$rport" --subscribers "$n" --credit "$credit" \
            --server-pid "$rpid"
        stop_all
    done
    raw_server --mode fanout --subscribers 100 --size "$msg_size" --window "$window" --rate "$pace_rate"
    measure "raw.paced" --mode events --url "127.0.0.1:$rport" --subscribers 100 --credit "$credit" --server-pid "$rpid"
    stop_all
    raw_server --mode echo
    for c in "${client_counts[@]}"; do
        measure "raw.methods.$c" --mode methods --url "127.0.0.1:$rport" --clients "$c" --op echo --server-pid "$rpid"
    done
    stop_all
}

# --- RabbitMQ ------------------------------------------------------------------------------------
rabbit_note=""
rabbit_port=""

start_rabbit() {
    local line i
    mkfifo "$workdir/rabbit.in"
    /usr/bin/python3 "$here/rabbit.py" <"$workdir/rabbit.in" >"$workdir/rabbit.out" 2>"$workdir/rabbit.log" &
    rabbit_pid=$!
    exec {rabbit_fd}>"$workdir/rabbit.in"
    for i in $(seq 1200); do
        [ -s "$workdir/rabbit.out" ] && break
        kill -0 "$rabbit_pid" 2>/dev/null || break
        sleep 0.1
    done
    line=$(head -n1 "$workdir/rabbit.out" 2>/dev/null || true)
    case "$line" in
        port=*)
            rabbit_port=$(sed -n 's/^port=\([0-9]*\).*/\1/p' <<<"$line")
            rabbit_node_pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' <<<"$line")
            rabbit_start=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$line")
            ;;
        unavailable=*) rabbit_note="n/a: ${line#unavailable=}" ;;
        *) rabbit_note="n/a: the broker did not start ($(tail -n 2 "$workdir/rabbit.log" | tr '\n' ' '))" ;;
    esac
}

# Deletes the queues earlier subscribers left behind (see rabbit.py) and waits until that is done.
purge_rabbit() {
    local lines i
    lines=$(wc -l <"$workdir/rabbit.out")
    echo purge >&"$rabbit_fd"
    for i in $(seq 600); do
        [ "$(wc -l <"$workdir/rabbit.out")" -gt "$lines" ] && return 0
        sleep 0.1
    done
    log "RabbitMQ: the purge of old subscriber queues did not finish"
}

measure_rabbitmq() {
    local n broker
    if [ "$rabbitmq" = no ]; then
        rabbit_note="n/a: skipped (--no-rabbitmq)"
        return
    fi
    log "RabbitMQ: starting a private broker (tests/integration/broker_env.py)"
    start_rabbit
    if [ -n "$rabbit_note" ]; then
        log "RabbitMQ: $rabbit_note"
        stop_rabbit
        return
    fi
    broker="127.0.0.1:$rabbit_port"
    start_virtbusd virtbusd-rabbitmq --amqp-connect "amqp://guest:guest@$broker" --amqp-broker-profile rabbitmq
    wait_for_log "$workdir/virtbusd-rabbitmq.log" "amqp broker .*: connected" "$vpid"
    for n in "${subscriber_counts[@]}"; do
        purge_rabbit
        measure "rabbit.virtbusd.$n" --mode events --url "$broker" --user guest --password guest \
            --address '/exchange/virtbus.events/#' --subscribers "$n" --credit "$credit" --window "$window" \
            --produce qmf --produce-url "127.0.0.1:$vport" --produce-user bench --produce-password "$password" \
            --domains "$domains" --server-pid "$rabbit_node_pid"
    done
    stop_all
    for n in "${subscriber_counts[@]}"; do
        purge_rabbit
        measure "rabbit.raw.$n" --mode events --url "$broker" --user guest --password guest \
            --address '/exchange/virtbus.events/#' --subscribers "$n" --credit "$credit" --window "$window" \
            --produce raw --raw-address /exchange/virtbus.events/bench.test.suspended --size "$msg_size" \
            --produce-user guest --produce-password guest --server-pid "$rabbit_node_pid"
    done
    stop_rabbit
}

# --- the tables --------------------------------------------------------------------------------
r() { printf '%s' "${result[$1]:-}"; }
fmt() { awk -v x="$1" -v p="${2:-0}" 'BEGIN { if (x == "") printf "—"; else printf "%.*f", p, x }'; }
ms() { awk -v x="$1" 'BEGIN { if (x == "") printf "—"; else printf "%.2f", x / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "—" }'; }
# verdict VALUE OP LIMIT [VALUE2 OP2 LIMIT2]: HIT when every "VALUE OP LIMIT" holds
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" -v v2="${4:-}" -v op2="${5:-}" -v l2="${6:-}" '
        function holds(v, op, l) { return op == ">=" ? v >= l : v < l }
        BEGIN {
            if (v == "" || v == "—" || (op2 != "" && (v2 == "" || v2 == "—"))) { printf "n/a"; exit }
            ok = holds(v, op, l) && (op2 == "" || holds(v2, op2, l2))
            printf "%s", ok ? "HIT" : "MISS" }'
}
latency_ms() { printf '%s / %s' "$(ms "$(r "$1.p50_us")")" "$(ms "$(r "$1.p99_us")")"; }
latency_us() { printf '%s / %s' "$(fmt "$(r "$1.p50_us")")" "$(fmt "$(r "$1.p99_us")")"; }

events_row() {
    local n=$1 v=virtbusd.events.$1 p=virtbusd.replay.$1 w=raw.events.$1 live_vs_raw replay_vs_raw replay
    live_vs_raw=$(ratio "$(r "$v.delivered_rate")" "$(r "$w.delivered_rate")")
    replay_vs_raw=$(ratio "$(r "$p.delivered_rate")" "$(r "$w.delivered_rate")")
    replay=$(fmt "$(r "$p.delivered_rate")")
    [ -z "$(r "$p.ran_dry")" ] || replay="≥ $replay (ran out of retained events)"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
        "$(fmt "$(r "$v.event_rate")")" "$(fmt "$(r "$v.delivered_rate")")" "$(latency_ms "$v")" "$replay" \
        "$(fmt "$(r "$w.delivered_rate")")" "$(latency_ms "$w")" "$live_vs_raw" "$replay_vs_raw" \
        "$(verdict "$replay_vs_raw" ">=" 0.5)" "$(verdict "$(r "$v.delivered_rate")" ">=" 40000)"
}

p99_ms() { awk -v x="$(r "$1.p99_us")" 'BEGIN { if (x != "") print x / 1000 }'; }

latency_row() {
    local label=$1 v=$2 w=$3
    printf '| %s | %s | %s | p99 < 5 ms | %s |\n' "$label" "$(latency_ms "$v")" \
        "$(latency_ms "$w")" "$(verdict "$(p99_ms "$v")" "<" 5)"
}

methods_row() {
    local c=$1 v=virtbusd.methods.$1 w=raw.methods.$1 vs_raw
    vs_raw=$(ratio "$(r "$v.rate")" "$(r "$w.rate")")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$c" \
        "$(fmt "$(r "$v.rate")")" "$(latency_us "$v")" \
        "$(fmt "$(r "$w.rate")")" "$(latency_us "$w")" "$vs_raw" \
        "$(verdict "$vs_raw" ">=" 0.5)"
}

rabbit_row() {
    local n=$1 v=rabbit.virtbusd.$1 w=rabbit.raw.$1
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$(fmt "$(r "$v.event_rate")")" \
        "$(fmt "$(r "$v.delivered_rate")")" "$(latency_ms "$v")" "$(fmt "$(r "$w.delivered_rate")")" "$(latency_ms "$w")" \
        "$(ratio "$(r "$v.delivered_rate")" "$(r "$w.delivered_rate")")"
}

# "label server/client" CPU shares of every measurement, and whatever went wrong
cpu_line() {
    local key label=$1 out=""
    shift
    for key in "$@"; do
        [ -n "$(r "$key.server_cpu")" ] || continue
        out+="${out:+, }${key##*.}: $(r "$key.server_cpu") / $(r "$key.client_cpu")"
    done
    printf -- '- %s: %s\n' "$label" "${out:-—}"
}

anomalies() {
    local key field out=""
    for key in "${!result[@]}"; do
        field=${key##*.}
        case "$field" in
            errors|refused|gaps|detached|failed)
                [ "${result[$key]}" = 0 ] || out+="${out:+; }${key%.*}: $field=${result[$key]}" ;;
        esac
    done
    printf '%s' "${out:-none (no failed call or suspend/resume, no publish refused by the broker, no sequence gap, no subscriber detached)}"
}

print_tables() {
    local n c
    echo "## bench/amqp — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1); load average before the run: $load_before; CPU idle latency: $pm_qos_note"
    echo "- **virtbusd**: \`$VIRTBUSD --session --amqp-listen 127.0.0.1:PORT\`, test:///default, \`event_replay = 1000000\`, as built."
    echo "- **raw proton**: \`amqp-raw-server\`, qpid-proton $(pkg-config --modversion libqpid-proton) C, proactor, one thread (TCP_NODELAY, proton's default). Fan-out: messages laid out as virtbusd's events and of the same size ($msg_size bytes, measured on virtbusd's deliveries), produced as the slowest receiver settles them, at most $window ahead, each encoded once and sent to every receiver. Echo: each request sent back to its reply-to (a dynamic receiver), as a QMF agent answers."
    echo "- **load generator** \`amqp-load\`: one proactor thread, one connection per subscriber or client. A subscriber keeps $credit credit, takes each delivery whole, accepts and settles it, and reads seq and timestamp from its JSON; latency = its CLOCK_REALTIME at receipt − the event's \`timestamp\` (virtbusd stamps it when the core emits the event). Each figure: ${duration} s after ${warmup} s warm-up."
    echo "- **events produced by**: QMF \`_method_request\`s from amqp-load over one PLAIN connection to virtbusd's listener: $domains domains (\`test\` and \`bench1\`…, started with \`domainCreateXML\` on \`node\`), each alternately \`suspend\`ed and \`resume\`d, one request in flight per domain ($domains in flight: the credit virtbusd gives a requests link), never more than $window events ahead of the slowest subscriber. Each answered call is one lifecycle event, emitted by the test driver through the core's event stream; events/s counts answered calls, delivered/s the messages all subscribers received."
    echo
    echo "### Events to subscribers (messages/s, all subscribers together; latency p50 / p99 in ms)"
    echo
    echo "Live: events produced while subscribers take them (each one a QMF call, see above). Replay: the delivery path alone, every subscriber attaching at \`virtbus.events?from=1\` to the events virtbusd retained (${prefill} s of production beforehand, and the rows above), taking them as fast as it can for ${replay_duration} s after 0.2 s; the raw fan-out's messages likewise cost nothing to produce."
    echo
    echo "| subscribers | live events/s | live delivered/s | p50 / p99 | replay delivered/s | raw proton delivered/s | p50 / p99 | live / raw | replay / raw | target: replay ≥ 0.5 × raw | target: live ≥ 40k/s |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    for n in "${subscriber_counts[@]}"; do
        events_row "$n"
    done
    echo
    echo "### Event latency with 100 subscribers (ms, p50 / p99)"
    echo
    echo "| load | virtbusd | raw proton | target | result |"
    echo "| --- | ---: | ---: | --- | --- |"
    latency_row "saturated (the 100 row above)" virtbusd.events.100 raw.events.100
    latency_row "paced: $pace_rate events/s ($pace_fraction × virtbusd's saturated rate), $((pace_rate * 100)) deliveries/s" \
        virtbusd.paced raw.paced
    echo
    echo "### QMF method round trips (getXMLDesc on domain test, ANONYMOUS; calls/s, latency p50 / p99 in µs)"
    echo
    echo "Each client: its own connection, a dynamic reply receiver, one request in flight (send, wait for the reply, repeat). Raw echo: the same request message (${result[raw.methods.1.req_bytes]:-?} bytes) echoed, ${result[raw.methods.1.reply_bytes]:-?} bytes back; virtbusd answers with the domain XML, ${result[virtbusd.methods.1.reply_bytes]:-?} bytes."
    echo
    echo "| clients | virtbusd | p50 / p99 | raw echo | p50 / p99 | virtbusd / raw | target: ≥ 0.5 × raw |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    for c in "${client_counts[@]}"; do
        methods_row "$c"
    done
    echo
    echo "Each row above is a fresh virtbusd with the shipped defaults (\`event_replay\` 1024). The daemon of the event rows, after them and holding every event they produced (\`event_replay = 1000000\`), answered 8 clients at $(fmt "$(r virtbusd.methods_loaded.8.rate)")/s (p50 / p99 $(latency_us virtbusd.methods_loaded.8) µs): with hundreds of thousands of events retained, perf shows glibc malloc (\`_int_malloc\`, \`malloc_consolidate\`, \`unlink_chunk\`) taking a sixth of each call."
    echo "### Through RabbitMQ (messages/s; latency p50 / p99 in ms)"
    echo
    if [ -n "$rabbit_note" ]; then
        echo "$rabbit_note"
    else
        echo "A private RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?') (AMQP 1.0 plugin; tests/integration/broker_env.py, up in ${rabbit_start} s). virtbusd \`--amqp-connect amqp://guest:guest@127.0.0.1:PORT --amqp-broker-profile rabbitmq\` publishes each event once to \`/exchange/virtbus.events\` (subject = routing key), events produced as above through its own listener; the raw publisher (amqp-load) sends same-size messages to \`/exchange/virtbus.events/bench.test.suspended\`, at most $window ahead of the slowest subscriber. Subscribers attach to \`/exchange/virtbus.events/#\`, a queue each; RabbitMQ 3.10 makes those queues neither exclusive nor auto-delete, so they outlive their subscribers: the bench deletes them before each measurement."
        echo
        echo "| subscribers | virtbusd → RabbitMQ events/s | delivered/s | p50 / p99 | raw publisher → RabbitMQ delivered/s | p50 / p99 | virtbusd / raw |"
        echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        for n in "${subscriber_counts[@]}"; do
            rabbit_row "$n"
        done
    fi
    echo
    echo "### Detail"
    echo
    echo "CPU during each measurement, in cores (the server measured / amqp-load):"
    echo
    cpu_line "virtbusd, events to 1, 10, 100 subscribers, paced, methods 1, 8 clients" \
        virtbusd.events.1 virtbusd.events.10 virtbusd.events.100 virtbusd.paced virtbusd.methods.1 virtbusd.methods.8
    cpu_line "virtbusd, replay to 1, 10, 100 subscribers" virtbusd.replay.1 virtbusd.replay.10 virtbusd.replay.100
    cpu_line "raw proton, the same" raw.events.1 raw.events.10 raw.events.100 raw.paced raw.methods.1 raw.methods.8
    [ -n "$rabbit_note" ] || cpu_line "RabbitMQ node (beam), virtbusd's events then raw, 1, 10, 100 subscribers" \
        rabbit.virtbusd.1 rabbit.virtbusd.10 rabbit.virtbusd.100 rabbit.raw.1 rabbit.raw.10 rabbit.raw.100
    echo
    echo "Anomalies: $(anomalies)."
}

# Round trips leave both CPUs idle between messages; on a VM whose idle CPUs halt each wake-up
# costs tens of µs. Holding a CPU-latency PM QoS request of 0 keeps them polling for the run, as
# bench/dbus does; the kernel drops the request when this script exits.
pm_qos_note="none (idle CPUs may halt)"
hold_pm_qos() {
    [ "$pm_qos" = yes ] || return 0
    if [ -w /dev/cpu_dma_latency ] && exec {pm_qos_fd}>/dev/cpu_dma_latency && printf '0' >&"$pm_qos_fd"; then
        pm_qos_note="/dev/cpu_dma_latency held at 0 µs for the run"
    else
        log "WARNING: cannot hold /dev/cpu_dma_latency at 0; round trips will include wake-up latency"
    fi
}

# --- the run -----------------------------------------------------------------------------------
main() {
    local start=$SECONDS
    build_virtbusd
    build_tools
    if ldd "$VIRTBUSD" 2>/dev/null | grep -qE 'lib(a|ub|t)san'; then
        log "WARNING: $VIRTBUSD is built with sanitizers; its figures are not representative"
    fi
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/virtbus-bench-amqp.XXXXXX")
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    hold_pm_qos
    printf 'event_replay = 1000000\n' >"$workdir/virtbusd.conf"
    printf '%s\n' "$password" | "$VIRTBUSCTL" amqp-passwd --users-file "$workdir/amqp-users" bench root >/dev/null
    pace_rate=""

    log "virtbusd: $VIRTBUSD"
    start_virtbusd virtbusd
    measure_virtbusd virtbusd
    stop_all
    : >"$workdir/defaults.conf"
    vconf=defaults.conf start_virtbusd virtbusd-methods
    measure_methods virtbusd
    stop_all
    msg_size=$(awk -v b="${result[virtbusd.events.1.msg_bytes]:-}" 'BEGIN { print (b > 0 ? int(b + 0.5) : 343) }')

    log "raw qpid-proton: fan-out of $msg_size-byte messages, and echo"
    measure_raw

    measure_rabbitmq

    log "done in $((SECONDS - start)) s"
    if [ -n "$out" ]; then
        print_tables | tee "$out"
    else
        print_tables
    fi
}

main
