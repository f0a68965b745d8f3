"""Persistent definitions of test:///PATH survive restarts, and a daemon killed at any moment
never leaves a corrupt or half-written definition behind."""
import os
import random
import signal
import time
import xml.etree.ElementTree as ET

import dbus

from conftest import Daemon, connect_iface, domain_iface

NODE = """<node>
  <cpu><mhz>6000</mhz><model>i986</model><active>8</active><nodes>1</nodes>
    <sockets>2</sockets><cores>2</cores><threads>2</threads></cpu>
  <domain type='test'>
    <name>seed</name>
    <uuid>aaaaaaaa-0000-4000-8000-000000000001</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
  </domain>
</node>
"""


def domain_xml(name, memory_kib, padding=0):
    uuid = "bbbbbbbb-0000-4000-8000-%012x" % (sum(map(ord, name)))
    return ("<domain type='test'><name>%s</name><uuid>%s</uuid><memory unit='KiB'>%d</memory><vcpu>1</vcpu>"
            "<description>%s</description><os><type>hvm</type></os></domain>"
            % (name, uuid, memory_kib, "p" * padding))


def start(private_bus, workdir, node):
    return Daemon(private_bus, workdir, extra_args=["--test-uri", "test://" + node]).start()


def names(conn):
    result = []
    for path in connect_iface(conn).ListDomains(0):
        root = ET.fromstring(domain_iface(conn, path).GetXMLDesc(0))
        result.append(root.findtext("name"))
    return sorted(result)


def write_node(workdir):
    node = os.path.join(workdir, "node.xml")
    with open(node, "w") as f:
        f.write(NODE)
    return node


def test_definitions_and_undefines_survive_restart(private_bus, workdir):
    node = write_node(workdir)
    d = start(private_bus, workdir, node)
    conn = dbus.bus.BusConnection(private_bus.address)
    assert names(conn) == ["seed"]
    connect_iface(conn).DomainDefineXML(domain_xml("kept", 2048))
    seed = connect_iface(conn).DomainLookupByName("seed")
    domain_iface(conn, seed).Destroy(0)
    domain_iface(conn, seed).Undefine(0)
    conn.close()
    assert d.stop() == 0

    d = start(private_bus, workdir, node)
    conn = dbus.bus.BusConnection(private_bus.address)
    assert names(conn) == ["kept"]
    kept = connect_iface(conn).DomainLookupByName("kept")
    root = ET.fromstring(domain_iface(conn, kept).GetXMLDesc(0))
    assert root.findtext("memory") == "2048"
    conn.close()
    assert d.stop() == 0


def test_sigkill_during_redefinitions_never_corrupts_a_definition(private_bus, workdir):
    """Redefines one domain with growing memory while the daemon is SIGKILLed at random moments;
    after every kill a fresh daemon must load the domain with one of the values it was given."""
    node = write_node(workdir)
    rng = random.Random(1234)
    acknowledged = 0
    for round_number in range(8):
        d = start(private_bus, workdir, node)
        conn = dbus.bus.BusConnection(private_bus.address)
        connect = connect_iface(conn)
        # The domain loads, whole, with a value at least as new as the last acknowledged one.
        if acknowledged:
            path = connect.DomainLookupByName("victim")
            memory = int(ET.fromstring(domain_iface(conn, path).GetXMLDesc(0)).findtext("memory"))
            assert memory >= acknowledged
        kill_after = rng.randint(5, 60)
        for i in range(kill_after):
            value = 1024 * (round_number * 100 + i + 1)
            # A large description makes each write long enough for kills to land inside it.
            connect.DomainDefineXML(domain_xml("victim", value, padding=200000))
            acknowledged = value
            if i == kill_after - 1:
                # Fire one more definition without waiting for its reply, then kill mid-write.
                conn.call_async("org.libvirt", "/org/libvirt/Test", "org.libvirt.Connect", "DomainDefineXML",
                                "s", [domain_xml("victim", value + 512, padding=200000)], None, None)
                conn.flush()
                d.kill()
        conn.close()
    state = os.path.join(workdir, "state")
    leftovers = [f for root, _, files in os.walk(state) for f in files if f.startswith(".") and ".xml." in f]
    d = start(private_bus, workdir, node)
    conn = dbus.bus.BusConnection(private_bus.address)
    assert "victim" in names(conn)
    conn.close()
    assert d.stop() == 0
    print("temporary files left by kills:", len(leftovers))
    after = [f for root, _, files in os.walk(state) for f in files if f.startswith(".") and ".xml." in f]
    assert after == [], "temporary files from interrupted writes must be cleaned at load: %s" % leftovers


# --- the store keyed by UUID -----------------------------------------------------------------

def store_dir(workdir, node):
    """Where the daemon keeps test:///PATH's definitions (drivers/test/test_driver.c)."""
    return os.path.join(workdir, "state", "test", node.replace("/", "_"))


def autostart_of(conn, path):
    return bool(dbus.Interface(conn.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
                .Get("org.libvirt.Domain", "Autostart"))


def restart(private_bus, workdir, node, daemon=None):
    if daemon is not None:
        assert daemon.stop() == 0
    d = start(private_bus, workdir, node)
    return d, dbus.bus.BusConnection(private_bus.address)


def test_rename_then_restart_then_undefine_stays_undefined(private_bus, workdir):
    node = write_node(workdir)
    d, conn = restart(private_bus, workdir, node)
    path = connect_iface(conn).DomainDefineXML(domain_xml("before", 2048))
    dbus.Interface(conn.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties") \
        .Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True))
    domain_iface(conn, path).Rename("after", 0)
    conn.close()
    files = sorted(f for f in os.listdir(store_dir(workdir, node)) if f.endswith(".xml"))
    # seed and the renamed domain: one file each, named by UUID, none by name
    assert len(files) == 2 and all(len(f) == len("aaaaaaaa-0000-4000-8000-000000000001.xml") for f in files)
    d, conn = restart(private_bus, workdir, node, d)
    assert names(conn) == ["after", "seed"]
    path = connect_iface(conn).DomainLookupByName("after")
    assert autostart_of(conn, path)
    domain_iface(conn, path).Undefine(0)
    conn.close()
    d, conn = restart(private_bus, workdir, node, d)
    assert names(conn) == ["seed"]
    conn.close()
    assert d.stop() == 0


def test_files_of_the_name_keyed_layout_move_to_uuids(private_bus, workdir):
    """An older virtbus killed inside Rename left old.xml and new.xml with one UUID: the newer
    wins, the older goes, and an Undefine of the survivor is not undone at the next start."""
    node = write_node(workdir)
    d, conn = restart(private_bus, workdir, node)  # creates the store directory
    conn.close()
    assert d.stop() == 0
    store = store_dir(workdir, node)
    legacy = domain_xml("old-name", 2048).replace("old-name", "%s")
    for name, age in (("old-name", 200), ("new-name", 100)):
        path = os.path.join(store, name + ".xml")
        with open(path, "w") as f:
            f.write(legacy % name)
        t = os.path.getmtime(path) - age
        os.utime(path, (t, t))
    open(os.path.join(store, "autostart", "new-name"), "w").close()
    open(os.path.join(store, ".seeded"), "w").close()  # an older virtbus had written the store
    d, conn = restart(private_bus, workdir, node)
    assert names(conn) == ["new-name"]  # the store is the truth once seeded; it held only these
    assert not os.path.exists(os.path.join(store, "old-name.xml"))
    assert not os.path.exists(os.path.join(store, "new-name.xml"))
    path = connect_iface(conn).DomainLookupByName("new-name")
    assert autostart_of(conn, path)
    domain_iface(conn, path).Undefine(0)
    conn.close()
    d, conn = restart(private_bus, workdir, node, d)
    assert names(conn) == []
    conn.close()
    assert d.stop() == 0


def test_a_fifo_in_the_state_directory_does_not_hang_startup(private_bus, workdir):
    node = write_node(workdir)
    d, conn = restart(private_bus, workdir, node)
    connect_iface(conn).DomainDefineXML(domain_xml("kept", 2048))
    conn.close()
    assert d.stop() == 0
    store = store_dir(workdir, node)
    os.mkfifo(os.path.join(store, "aaaaaaaa-0000-4000-8000-0000000000ff.xml"))
    os.mkfifo(os.path.join(store, "pipe.xml"))
    d, conn = restart(private_bus, workdir, node)  # must own its name within 1 s
    assert names(conn) == ["kept", "seed"]
    conn.close()
    assert d.stop() == 0
    assert "pipe.xml' is not a regular file" in d.log()


def test_a_fifo_as_the_node_file_fails_at_once(private_bus, workdir):
    node = os.path.join(workdir, "node-fifo.xml")
    os.mkfifo(node)
    d = Daemon(private_bus, workdir, extra_args=["--test-uri", "test://" + node]).start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    d.stderr.close()
    assert "'%s' is not a regular file" % node in d.log()


def test_names_libvirt_accepts_persist_and_reload(private_bus, workdir):
    """Names starting with '.' or longer than a file name may be used to be refused for
    persistent domains only; libvirt accepts both, and now so does every mode."""
    node = write_node(workdir)
    long_name = "n" * 300
    d, conn = restart(private_bus, workdir, node)
    connect = connect_iface(conn)
    connect.DomainDefineXML(domain_xml(".dotted", 1024))
    connect.DomainDefineXML(domain_xml(long_name, 1024))
    path = connect.DomainCreateXML(domain_xml(".transient", 1024).replace("bbbbbbbb", "cccccccc"), 0)
    assert path
    conn.close()
    d, conn = restart(private_bus, workdir, node, d)
    assert names(conn) == [".dotted", long_name, "seed"]
    conn.close()
    assert d.stop() == 0


def active_of(conn, path):
    return bool(dbus.Interface(conn.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
                .Get("org.libvirt.Domain", "Active"))


def test_autostart_domains_start_when_the_daemon_starts(private_bus, workdir):
    """libvirt's state driver starts autostart domains when its daemon starts; a reload (SIGHUP)
    or a later client does not start them again."""
    node = write_node(workdir)
    d, conn = restart(private_bus, workdir, node)
    auto = connect_iface(conn).DomainDefineXML(domain_xml("auto", 2048))
    manual = connect_iface(conn).DomainDefineXML(domain_xml("manual", 2048))
    dbus.Interface(conn.get_object("org.libvirt", auto), "org.freedesktop.DBus.Properties") \
        .Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True))
    assert not active_of(conn, auto)
    conn.close()
    d, conn = restart(private_bus, workdir, node, d)
    assert active_of(conn, auto) and not active_of(conn, manual)
    assert "autostarted domain 'auto'" in d.log()
    domain_iface(conn, auto).Destroy(0)
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reloading" not in d.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reloading" in d.log()
    assert not active_of(conn, auto)  # a reload does not autostart anything again
    conn.close()
    assert d.stop() == 0
