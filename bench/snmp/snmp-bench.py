"""bench/snmp: virtbus-snmp's walk of a 10,000-domain libvirtGuestTable through snmpd, its RSS,
and trap delay (D-Bus call to snmptrapd), beside baselines of the same run (see run.sh)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

import dbus  # noqa: E402

from amqp_env import EventSubscriber, amqp_args, free_port  # noqa: E402
from conftest import TEST_DOMAIN_PATH, Daemon, PrivateBus, connect_iface, domain_iface  # noqa: E402
import snmp_env  # noqa: E402
from snmp_env import GUEST_ENTRY, Bridge, Snmpd, Snmptrapd, wait_for  # noqa: E402

WALK_TARGET_S = 2.0
FLOOR_ENTRY = "1.3.6.1.4.1.99999.1.1"  # bench/snmp/floor-subagent.c's table
TRAP_P99_TARGET_MS = 50.0
XML = ("<domain type='test'><name>bench-{n}</name><memory>65536</memory><vcpu>1</vcpu>"
       "<os><type>hvm</type></os></domain>")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed_walk(target, oid, tool="snmpbulkwalk", *extra):
    env = dict(os.environ, MIBS="", MIBDIRS="/nonexistent")
    start = time.monotonic()
    proc = subprocess.run([tool, "-v2c", "-c", "public", "-On", "-t", "10", "-r", "0", *extra, target, oid],
                          env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return elapsed, sum(1 for line in proc.stdout.splitlines() if " = " in line)


def floor_walks(workdir, snmpd, rows):
    """The same two walks of a table as big served by bench/snmp/floor-subagent.c (the least an
    AgentX subagent can do) through the same snmpd: what the AgentX hop alone costs."""
    floor = subprocess.Popen([os.environ["SNMP_FLOOR_SUBAGENT"], snmpd.socket, str(rows)],
                             stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, MIBS="", MIBDIRS="/nonexistent"))
    try:
        assert floor.stdout.readline().strip() == "ready", "the floor subagent did not start"
        wait_for(lambda: snmp_env.run_snmp("snmpgetnext", snmpd.target(), FLOOR_ENTRY,
                                           check=False).stdout.count("bench-0"), what="the floor table")
        walk_s, varbinds = timed_walk(snmpd.target(), FLOOR_ENTRY)
        assert varbinds == rows * 7, "the floor table walked %d varbinds, not %d" % (varbinds, rows * 7)
        walk50_s, _ = timed_walk(snmpd.target(), FLOOR_ENTRY, "snmpbulkwalk", "-Cr50")
        return walk_s, walk50_s
    finally:
        floor.terminate()
        floor.wait(timeout=10)


def trap_delays(dom, trapd, count):
    """Seconds from a D-Bus call to its trap in snmptrapd's output (the file growing: one trap is
    one write; stat is cheap, so the poll steals little CPU from what it measures)."""
    delays = []
    for i in range(count):
        before = os.stat(trapd.out).st_size
        start = time.monotonic()
        (dom.Suspend if i % 2 == 0 else dom.Resume)()
        while os.stat(trapd.out).st_size == before:
            time.sleep(0.0005)
        delays.append(time.monotonic() - start)
        time.sleep(0.005)  # let the trap's line be written in full before the next size is taken
    return delays


def event_delays(dom, url, count):
    """Baseline: seconds from a D-Bus call to its JSON event at an AMQP subscriber."""
    sub = EventSubscriber(url)
    delays = []
    for i in range(count):
        start = time.monotonic()
        (dom.Suspend if i % 2 == 0 else dom.Resume)()
        sub.next_event()
        delays.append(time.monotonic() - start)
    sub.close()
    return delays


def define_domains(conn, count):
    connect = connect_iface(conn)
    for n in range(count):
        connect.DomainDefineXML(XML.format(n=n))


def row(what, ours, baseline, target, ok):
    return "| %s | %s | %s | %s | %s |" % (what, ours, baseline, target, "ok" if ok else "MISS")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=10000)
    parser.add_argument("--traps", type=int, default=200)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="virtbus-bench-snmp-")
    procs = []
    try:
        bus = PrivateBus(workdir)
        procs.append(bus)
        port = free_port()
        url = "amqp://127.0.0.1:%d" % port
        daemon = Daemon(bus, workdir, amqp_args(port, "--hostname", "bench")).start()
        procs.append(daemon)
        conn = dbus.bus.BusConnection(bus.address)
        trapd = Snmptrapd(workdir).start()
        procs.append(trapd)
        snmpd = Snmpd(workdir, trap_port=trapd.port).start()
        procs.append(snmpd)
        bridge = Bridge(workdir, snmpd, url).start()
        procs.append(bridge)
        wait_for(lambda: snmp_env.walk_table(snmpd.target(), check=False), what="the table")
        dom = domain_iface(conn, TEST_DOMAIN_PATH)

        # Phase 1: one domain; what the bridge adds to an event's way.
        trap_delays(dom, trapd, 10)  # warm-up
        small_traps = [d * 1000 for d in trap_delays(dom, trapd, args.traps)]
        small_events = [d * 1000 for d in event_delays(dom, url, args.traps)]

        # Phase 2: N more domains, defined while the bridge follows their events.
        print("[bench] defining %d domains" % args.domains, file=sys.stderr)
        start = time.monotonic()
        define_domains(conn, args.domains)
        expected = args.domains + 1
        wait_for(lambda: (lambda r: r.returncode == 0 and r.stdout.count(" = ") == expected)(
            snmp_env.run_snmp("snmpbulkwalk", snmpd.target(), GUEST_ENTRY + ".2", check=False)),
            timeout=600, interval=0.5, what="every row")
        define_s = time.monotonic() - start

        walk_s, varbinds = timed_walk(snmpd.target(), GUEST_ENTRY)
        walk50_s, _ = timed_walk(snmpd.target(), GUEST_ENTRY, "snmpbulkwalk", "-Cr50")
        # Baseline: snmpd's own objects (no AgentX hop), per varbind.
        base_s, base_varbinds = timed_walk(snmpd.target(), "1.3.6.1")
        base_us = base_s / max(1, base_varbinds) * 1e6
        ours_us = walk_s / max(1, varbinds) * 1e6
        # What snmpd alone would take for as many of its own varbinds.
        own_s = base_us * varbinds / 1e6
        floor_s, floor50_s = floor_walks(workdir, snmpd, expected)
        rss = rss_kib(bridge.proc.pid)
        traps = [d * 1000 for d in trap_delays(dom, trapd, args.traps)]
        events = [d * 1000 for d in event_delays(dom, url, args.traps)]

        print("## bench/snmp: %d domains, %d traps per row" % (args.domains, args.traps))
        print()
        print("| measure | virtbus-snmp | baseline (same run) | target | |")
        print("|---|---|---|---|---|")
        print(row("snmpbulkwalk libvirtGuestTable (%d varbinds, -Cr10)" % varbinds, "%.2f s" % walk_s,
                  "floor: a trivial AgentX subagent, same rows: %.2f s" % floor_s,
                  "< %.1f s" % WALK_TARGET_S, walk_s < WALK_TARGET_S))
        print(row("  same, -Cr50", "%.2f s" % walk50_s, "floor: %.2f s" % floor50_s, "", True))
        print(row("  snmpd's own objects, as many varbinds", "", "%.2f s" % own_s, "", True))
        print(row("  per varbind", "%.1f µs" % ours_us, "%.1f µs" % base_us, "", True))
        print(row("virtbus-snmp RSS with %d rows" % expected, "%.1f MiB" % (rss / 1024.0), "", "", True))
        print(row("%d defines on D-Bus until every row is served" % args.domains, "%.2f s" % define_s, "", "", True))
        for label, ours, base in (("1 domain", small_traps, small_events),
                                  ("%d domains" % expected, traps, events)):
            print(row("trap delay p50, %s (D-Bus call to snmptrapd)" % label, "%.2f ms" % statistics.median(ours),
                      "JSON event at an AMQP subscriber: %.2f ms" % statistics.median(base), "", True))
            print(row("trap delay p99, %s" % label, "%.2f ms" % percentile(ours, 99),
                      "JSON event at an AMQP subscriber: %.2f ms" % percentile(base, 99),
                      "< %.0f ms" % TRAP_P99_TARGET_MS, percentile(ours, 99) < TRAP_P99_TARGET_MS))
        conn.close()
    finally:
        for p in reversed(procs):
            try:
                p.stop()
            except Exception as e:  # a benchmark reports, it does not fail on cleanup
                print("[bench] stopping %s: %s" % (type(p).__name__, e), file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
