"""--amqp-serve: the QMF agent serves the QEMU connection's node and domains (real guests) in
place of the test driver's, so AMQP consoles and the SNMP bridge monitor the guests that run."""
import os

import dbus

from amqp_env import QmfConsole, amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, Daemon
from snmp_env import snmpd, trapd  # noqa: F401 (fixtures)
from test_qemu_lifecycle import QEMU_PATH, guest_files, guest_xml, pytestmark  # noqa: F401 (fixture)


def test_qmf_serves_the_qemu_connection_when_asked(private_bus, workdir, guest_files):
    kernel, initramfs = guest_files
    port = free_port()
    users = make_users_file(workdir, BUILDDIR, [("admin", "root", "admin-secret")])
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-q", "--amqp-users", users,
                                               "--amqp-serve", "qemu:///session")).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    console = None
    try:
        conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        path = conn.DomainDefineXML(guest_xml("watched", kernel, initramfs, os.path.join(workdir, "w.log")))
        console = QmfConsole("amqp://127.0.0.1:%d" % port, user="admin", password="admin-secret")
        console.locate()
        (node,) = console.query("OBJECT", "Node")
        assert node["_values"]["uri"] == "qemu:///session", node["_values"]
        domains = console.domains()
        assert set(domains) == {"watched"}  # the test driver's "test" is not this agent's
        name = domains["watched"]["_object_id"]["_object_name"]
        console.method(name, "create")  # a real qemu, started through QMF
        dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
        assert tuple(dom.GetState(0))[0] == 1
        assert console.query("OBJECT", object_name=name)[0]["_values"]["state"] == "running"
        console.method(name, "destroy")
        assert tuple(dom.GetState(0))[0] == 5
    finally:
        if console:
            console.close()
        bus.close()
        stop_daemon(d)


def test_amqp_serve_of_a_uri_not_served_stops_the_daemon(private_bus, workdir):
    d = Daemon(private_bus, workdir, amqp_args(free_port(), "--amqp-serve", "qemu:///system"))
    d.start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    d.stderr.close()
    assert "no connection serves 'qemu:///system' (--amqp-serve)" in d.log(), d.log()


def test_snmp_bridge_shows_the_qemu_guests(private_bus, workdir, guest_files, snmpd):
    """virtbus-snmp on an agent serving qemu:///session: libvirtGuestTable lists the real guest and
    follows its start and stop."""
    from snmp_env import STATES, start_bridge, walk_table, wait_for
    kernel, initramfs = guest_files
    port = free_port()
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-q", "--amqp-serve", "qemu:///session")).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    bridge = None
    try:
        conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        path = conn.DomainDefineXML(guest_xml("snmp-watched", kernel, initramfs, os.path.join(workdir, "s.log")))
        dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
        uuid = str(dom.GetXMLDesc(0)).split("<uuid>")[1].split("</uuid>")[0]
        bridge = start_bridge(workdir, snmpd, "amqp://127.0.0.1:%d" % port)
        table = wait_for(lambda: walk_table(snmpd.target()), what="the guest table")
        assert set(table) == {uuid} and table[uuid]["name"] == "snmp-watched", table
        dom.Create(0)
        wait_for(lambda: walk_table(snmpd.target()).get(uuid, {}).get("state") == STATES["running"], what="the running row")
        dom.Destroy(0)
        wait_for(lambda: walk_table(snmpd.target()).get(uuid, {}).get("state") == STATES["shutoff"], what="the shut off row")
    finally:
        if bridge:
            bridge.stop()
        bus.close()
        stop_daemon(d)
