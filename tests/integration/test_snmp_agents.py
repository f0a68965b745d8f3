"""virtbus-snmp on the listener of a virtbusd serving two connections (amqp_serve = all): the
test connection's agent virtbus.org:virtbusd:host-d and the QEMU connection's host-d@qemu-session.
The bridge locates both, lists the guests of both in libvirtGuestTable (each row naming its agent's
host), asks the right agent after each event, and sweeps the rows of an agent gone after a
restart. No guest boots: defining and undefining on qemu:///session are the QEMU connection's
lifecycle events, and the one SET that reaches qemu starts a guest whose disk is missing."""
import os
import socket
import threading

import dbus
import pytest

from amqp_env import amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, Daemon, domain_iface
from snmp_env import (ADMIN, GUEST_ENTRY, NOTIF_OID, STATES, VIRTBUS_COLUMNS, VIRTBUS_ENTRY, get_cell, set_cell,
                      start_bridge, uuid_index, wait_for, walk_table)
from snmp_env import port, snmpd, trapd  # noqa: F401 (fixtures)

QEMU_PATH = "/org/libvirt/QEMU"
TEST_HOST, QEMU_HOST = "host-d", "host-d@qemu-session"
QEMU_XML = ("<domain type='qemu'><name>{name}</name><uuid>{uuid}</uuid><memory>{kib}</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>{devices}</devices></domain>")
MISSING_DISK = ("<disk type='file' device='disk'><source file='/nonexistent/no-disk.qcow2'/>"
                "<target dev='vda' bus='virtio'/></disk>")
ON_QEMU = "d4d4d4d4-0000-4000-8000-0000000000dd"
LATER = "d4d4d4d4-0000-4000-8000-0000000000ee"
TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"


@pytest.fixture
def two_agents(private_bus, workdir, port):  # noqa: F811
    """virtbusd serving test:///default and qemu:///session on its listener, one agent each;
    "admin" (PLAIN) acts as root."""
    users = make_users_file(workdir, BUILDDIR, [(ADMIN[0], "root", ADMIN[1])])
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-d", "--amqp-users", users,
                                               "--amqp-serve", "all")).start()
    yield d
    stop_daemon(d)


@pytest.fixture
def bus(two_agents):
    conn = dbus.bus.BusConnection(two_agents.bus.address)
    yield conn
    conn.close()


def define_on_qemu(bus, name, uuid, kib=65536, devices=""):
    """Defines a guest on qemu:///session (a proxy of its own: virtbusd may have restarted)."""
    qemu = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    return qemu.DomainDefineXML(QEMU_XML.format(name=name, uuid=uuid, kib=kib, devices=devices))


@pytest.fixture
def agents_bridge(workdir, snmpd, two_agents, port, bus):  # noqa: F811
    """virtbus-snmp (ANONYMOUS) on the listener, started once the QEMU connection has a guest,
    so that only a reload through the QEMU agent can list it; back within a second of a restart."""
    define_on_qemu(bus, "on-qemu", ON_QEMU)
    config = os.path.join(workdir, "virtbus-snmp.conf")
    with open(config, "w") as f:
        f.write("amqp_max_backoff_seconds = 1\n")
    b = start_bridge(workdir, snmpd, "amqp://127.0.0.1:%d" % port, ["--config", config])
    yield b
    b.stop()


def hosts_of_rows(target):
    """{uuid: host} of every row VIRTBUS-MIB shows whole (a walk may catch a row half added)."""
    table = walk_table(target, check=False, entry=VIRTBUS_ENTRY, columns=VIRTBUS_COLUMNS)
    return {u: r["host"] for u, r in table.items() if "host" in r}


def virtbus_row(target, uuid):
    return walk_table(target, check=False, entry=VIRTBUS_ENTRY, columns=VIRTBUS_COLUMNS).get(uuid, {})


def traps_of(trapd, uuid):
    column = "%s.%%d.%s" % (GUEST_ENTRY, uuid_index(uuid))
    return [t for t in trapd.traps() if t.get(TRAP_OID) == "OID: ." + NOTIF_OID and column % 2 in t]


def test_guests_of_both_connections_are_listed_each_under_its_agent(agents_bridge, snmpd):
    target = snmpd.target()
    seen = wait_for(lambda: (lambda h: ON_QEMU in h and h)(hosts_of_rows(target)), what="the QEMU guest's row")
    assert seen == {TEST_DOMAIN_UUID: TEST_HOST, ON_QEMU: QEMU_HOST}, seen
    table = walk_table(target)
    assert (table[ON_QEMU]["name"], table[ON_QEMU]["state"], table[ON_QEMU]["memory"]) == \
        ("on-qemu", STATES["shutoff"], 64), table[ON_QEMU]
    assert (table[TEST_DOMAIN_UUID]["name"], table[TEST_DOMAIN_UUID]["state"]) == ("test", STATES["running"])
    log = agents_bridge.log()
    assert "domains of %s reloaded" % TEST_HOST in log and "domains of %s reloaded" % QEMU_HOST in log, log


def test_lifecycle_events_of_the_second_connection_update_its_rows(agents_bridge, snmpd, trapd, bus):
    target = snmpd.target()
    wait_for(lambda: ON_QEMU in walk_table(target), what="the QEMU guest's row")
    # Redefined with twice the memory: the "defined"/"updated" event is the QEMU agent's to answer
    # (the test agent knows no such domain, and asking it would drop the row).
    define_on_qemu(bus, "on-qemu", ON_QEMU, kib=131072)
    wait_for(lambda: walk_table(target).get(ON_QEMU, {}).get("memory") == 128, what="the row's new memory")
    row = virtbus_row(target, ON_QEMU)
    assert (row["host"], row["event"], row["detail"]) == (QEMU_HOST, "defined", "updated"), row
    trap = wait_for(lambda: traps_of(trapd, ON_QEMU), what="the QEMU guest's trap")[0]
    assert trap["%s.1.%s" % (VIRTBUS_ENTRY, uuid_index(ON_QEMU))] == 'STRING: "%s"' % QEMU_HOST, trap

    # A guest defined after the reloads reaches the table by its event alone, and leaves it so.
    path = define_on_qemu(bus, "later", LATER)
    wait_for(lambda: hosts_of_rows(target).get(LATER) == QEMU_HOST, what="the later guest's row")
    assert get_cell(target, LATER, "name") == "later"
    domain_iface(bus, path).Undefine(0)
    wait_for(lambda: LATER not in walk_table(target), what="the later guest's row removed")
    assert ON_QEMU in walk_table(target)

    # The first connection's events still reach its rows.
    domain_iface(bus, TEST_DOMAIN_PATH).Suspend()
    wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the test domain paused")
    assert get_cell(target, ON_QEMU, "state") == STATES["shutoff"]


def test_restart_reloads_both_agents_and_drops_the_rows_of_an_agent_gone(agents_bridge, snmpd, trapd, two_agents,
                                                                          bus):
    target = snmpd.target()
    wait_for(lambda: ON_QEMU in walk_table(target), what="the QEMU guest's row")
    assert two_agents.stop() == 0
    two_agents.start()
    # The QEMU guest is persistent: back under its agent after the reconnect, and still followed.
    define_on_qemu(bus, "on-qemu", ON_QEMU, kib=131072)
    wait_for(lambda: walk_table(target).get(ON_QEMU, {}).get("memory") == 128, timeout=20,
             what="the QEMU guest followed after the restart")
    assert hosts_of_rows(target) == {TEST_DOMAIN_UUID: TEST_HOST, ON_QEMU: QEMU_HOST}

    # Restarted serving the test connection alone: the QEMU agent is gone, and its rows with it.
    assert two_agents.stop() == 0
    two_agents.args.remove("--amqp-serve")
    two_agents.args.remove("all")
    two_agents.start()
    wait_for(lambda: ON_QEMU not in walk_table(target, check=False) and walk_table(target, check=False),
             timeout=20, what="the QEMU agent's rows removed")
    assert hosts_of_rows(target) == {TEST_DOMAIN_UUID: TEST_HOST}
    assert "agent virtbus.org:virtbusd:%s is gone" % QEMU_HOST in agents_bridge.log()
    # Reading CpuTime reloads the agents located since the reconnect, not the one gone: nothing
    # is refused, and the table keeps following events, but not those of the QEMU connection,
    # which virtbusd now serves on D-Bus only (its events come before the suspend's).
    walk_table(target)
    define_on_qemu(bus, "later", LATER)
    domain_iface(bus, TEST_DOMAIN_PATH).Suspend()
    wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the test domain paused")
    assert LATER not in walk_table(target)
    assert not traps_of(trapd, LATER), traps_of(trapd, LATER)
    assert "refused" not in agents_bridge.log(), agents_bridge.log()


def test_events_of_a_connection_no_agent_serves_are_not_trapped(private_bus, workdir, port, snmpd, trapd):  # noqa: F811
    """One agent (the test connection's), the QEMU connection served on D-Bus alone: its guest's
    events name its uri, and no row here is its (asking the test agent would trap a removal)."""
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-e")).start()
    conn = dbus.bus.BusConnection(d.bus.address)
    bridge = start_bridge(workdir, snmpd, "amqp://127.0.0.1:%d" % port)
    try:
        define_on_qemu(conn, "unserved", LATER)
        domain_iface(conn, TEST_DOMAIN_PATH).Suspend()
        wait_for(lambda: traps_of(trapd, TEST_DOMAIN_UUID), what="the test domain's trap")
        assert not traps_of(trapd, LATER), traps_of(trapd, LATER)
        assert set(walk_table(snmpd.target())) == {TEST_DOMAIN_UUID}
    finally:
        bridge.stop()
        conn.close()
        stop_daemon(d)


def test_sets_run_on_the_agent_of_their_row(two_agents, bus, workdir, snmpd, port):  # noqa: F811
    """As admin: a SET on the test domain's row suspends it through the first agent; on the QEMU
    guest's row, create is asked of the QEMU agent, whose qemu stops at once on the missing disk
    (the test agent would have answered that it has no such domain)."""
    define_on_qemu(bus, "no-disk", LATER, devices=MISSING_DISK)
    bridge = start_bridge(workdir, snmpd, "amqp://%s:%s@127.0.0.1:%d" % (ADMIN[0], ADMIN[1], port))
    try:
        target = snmpd.target()
        wait_for(lambda: LATER in walk_table(target), what="the QEMU guest's row")
        status, out = set_cell(target, TEST_DOMAIN_UUID, "state", STATES["paused"])
        assert status == 0, out
        wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the test domain paused")
        status, out = set_cell(target, LATER, "state", STATES["running"])
        assert status != 0 and "commitFailed" in out, out
        refusal = wait_for(lambda: [line for line in bridge.log().splitlines() if "SET create refused" in line],
                           what="the refusal in the bridge's log")
        assert "/nonexistent/no-disk.qcow2" in refusal[0], refusal
        assert get_cell(target, LATER, "state") == STATES["shutoff"]
    finally:
        bridge.stop()


class CuttableLink:
    """A TCP relay between the bridge and virtbusd's listener that can be cut and restored, so
    that the bridge loses its connection while virtbusd runs on (and keeps its events)."""

    def __init__(self, target_port):
        self.port, self.target_port = free_port(), target_port
        self.sockets = []
        self.lock = threading.Lock()
        self.restore()

    def restore(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (close alone would not)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets = []


def test_events_replayed_after_a_reconnect_reach_the_agent_of_their_connection(two_agents, bus, workdir, snmpd,
                                                                              trapd, port):  # noqa: F811
    """virtbusd runs on while the bridge is away: the events it missed are replayed as soon as it is
    back, before the agents answer its locate, and still go to the agent of their connection (a
    refresh asked of the test agent would remove the row and trap its removal)."""
    define_on_qemu(bus, "on-qemu", ON_QEMU)
    link = CuttableLink(port)
    bridge = start_bridge(workdir, snmpd, "amqp://127.0.0.1:%d" % link.port)
    try:
        target = snmpd.target()
        wait_for(lambda: ON_QEMU in walk_table(target), what="the QEMU guest's row")
        domain_iface(bus, TEST_DOMAIN_PATH).Suspend()  # an event seen: the replay starts after its seq
        wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the test domain paused")
        link.cut()
        wait_for(lambda: "lost" in bridge.log(), what="the bridge to lose its connection")
        define_on_qemu(bus, "on-qemu", ON_QEMU, kib=131072)
        link.restore()
        wait_for(lambda: walk_table(target).get(ON_QEMU, {}).get("memory") == 128, what="the row's new memory")
        trap = wait_for(lambda: traps_of(trapd, ON_QEMU), what="the replayed event's trap")[0]
        index = uuid_index(ON_QEMU)
        assert (trap["%s.1.%s" % (VIRTBUS_ENTRY, index)], trap["%s.9.%s" % (GUEST_ENTRY, index)]) == \
            ('STRING: "%s"' % QEMU_HOST, "INTEGER: 2"), trap  # notInService: defined, not running
        assert hosts_of_rows(target) == {TEST_DOMAIN_UUID: TEST_HOST, ON_QEMU: QEMU_HOST}
    finally:
        bridge.stop()
        link.cut()
