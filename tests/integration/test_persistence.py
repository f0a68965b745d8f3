"""Persistent definitions of test:///PATH survive restarts, and a daemon killed at any moment
never leaves a corrupt or half-written definition behind."""
import os
import random
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
