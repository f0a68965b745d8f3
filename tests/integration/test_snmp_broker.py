"""virtbus-snmp on a broker (a private RabbitMQ): one subagent serves the domains of two
virtbusd hosts in one table, each row naming its host, and follows both hosts' events."""
import os

import dbus
import pytest

from snmp_env import VIRTBUS_COLUMNS, VIRTBUS_ENTRY, STATES, Bridge, get_cell, wait_for, walk_table
from snmp_env import snmpd, trapd  # noqa: F401 (fixtures)
from test_amqp_broker import Host, broker  # noqa: F401 (fixture)
from conftest import connect_iface, domain_iface

DOMAINS = {"host-a": ("a1a1a1a1-0000-4000-8000-00000000000a", "only-a"),
           "host-b": ("b2b2b2b2-0000-4000-8000-00000000000b", "only-b")}
XML = ("<domain type='test'><name>{name}</name><uuid>{uuid}</uuid><memory>65536</memory><vcpu>1</vcpu>"
       "<os><type>hvm</type></os></domain>")


@pytest.fixture
def hosts(broker):  # noqa: F811
    made = []
    try:
        for name in DOMAINS:
            made.append(Host(name, broker))
        yield made
    finally:
        for h in made:
            h.close()


@pytest.fixture
def broker_bridge(workdir, snmpd, broker, hosts):  # noqa: F811
    # Back within a second of the broker (the default backoff grows to 10 s).
    config = os.path.join(workdir, "virtbus-snmp.conf")
    with open(config, "w") as f:
        f.write("amqp_max_backoff_seconds = 1\n")
    b = Bridge(workdir, snmpd, broker.url, ["--amqp-broker-profile", "rabbitmq", "--config", config]).start()
    yield b
    b.stop()


def test_two_hosts_in_one_table(broker_bridge, snmpd, hosts):
    target = snmpd.target()
    paths = {}
    for host in hosts:
        name = host.daemon.args[host.daemon.args.index("--hostname") + 1]
        uuid, domain = DOMAINS[name]
        paths[name] = connect_iface(host.dbus).DomainDefineXML(XML.format(name=domain, uuid=uuid))

    def hosts_of_rows():
        # A walk is column by column: a row added meanwhile may show its later columns only.
        table = walk_table(target, check=False, entry=VIRTBUS_ENTRY, columns=VIRTBUS_COLUMNS)
        return {u: r["host"] for u, r in table.items() if u in {d[0] for d in DOMAINS.values()} and "host" in r}

    seen = wait_for(lambda: len(hosts_of_rows()) == 2 and hosts_of_rows(), timeout=30, what="both hosts' rows")
    assert seen == {uuid: host for host, (uuid, _) in DOMAINS.items()}
    table = walk_table(target)
    assert {table[uuid]["name"] for uuid, _ in DOMAINS.values()} == {"only-a", "only-b"}

    # Host b's events reach the table too (its SET would need a users file: read-only here).
    uuid_b = DOMAINS["host-b"][0]
    domain_iface(hosts[1].dbus, paths["host-b"]).Create(0)
    wait_for(lambda: get_cell(target, uuid_b, "state") == STATES["running"], timeout=30, what="host-b's start")


def test_broker_outage_is_survived(broker_bridge, snmpd, broker, hosts):  # noqa: F811
    target = snmpd.target()
    uuid_a, name_a = DOMAINS["host-a"]
    path = connect_iface(hosts[0].dbus).DomainDefineXML(XML.format(name=name_a, uuid=uuid_a))
    wait_for(lambda: uuid_a in walk_table(target, check=False), timeout=30, what="host-a's row")
    broker.restart()
    # Changed while the bridge may still be away: the reload after the reconnect brings it.
    domain_iface(hosts[0].dbus, path).Create(0)
    wait_for(lambda: get_cell(target, uuid_a, "state") == STATES["running"], timeout=60, what="the start after the outage")
    assert "lost" in broker_bridge.log()


QEMU_XML = ("<domain type='qemu'><name>{name}</name><uuid>{uuid}</uuid><memory>65536</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>")


def test_a_host_serving_two_connections_has_two_agents_and_each_domain_its_own_rows_and_events(
        workdir, snmpd, broker):  # noqa: F811
    # One virtbusd with `amqp_serve = all`: the test connection's agent virtbus.org:virtbusd:host-c
    # and the QEMU connection's host-c@qemu-session. A domain defined on the QEMU connection is
    # announced on the host's one event stream with its uri; the bridge must ask the QEMU agent
    # for it (the test agent does not know it) and name its row after that agent.
    host = Host("host-c", broker, extra=["--amqp-serve", "all"])
    bridge = Bridge(workdir, snmpd, broker.url, ["--amqp-broker-profile", "rabbitmq"]).start()
    try:
        target = snmpd.target()
        uuid_t, uuid_q = "c3c3c3c3-0000-4000-8000-00000000000c", "c3c3c3c3-0000-4000-8000-0000000000cc"
        # Both agents located and their (empty) domains loaded before anything is defined: the
        # rows can then only come from the events.
        wait_for(lambda: all("domains of %s reloaded" % a in bridge.log()
                             for a in ("host-c", "host-c@qemu-session")), timeout=30, what="both agents reloaded")
        connect_iface(host.dbus).DomainDefineXML(XML.format(name="on-test", uuid=uuid_t))
        qemu = dbus.Interface(host.dbus.get_object("org.libvirt", "/org/libvirt/QEMU"), "org.libvirt.Connect")
        qemu.DomainDefineXML(QEMU_XML.format(name="on-qemu", uuid=uuid_q))

        def hosts_of_rows():
            table = walk_table(target, check=False, entry=VIRTBUS_ENTRY, columns=VIRTBUS_COLUMNS)
            return {u: r["host"] for u, r in table.items() if u in (uuid_t, uuid_q) and "host" in r}

        seen = wait_for(lambda: len(hosts_of_rows()) == 2 and hosts_of_rows(), timeout=30, what="both domains' rows")
        assert seen == {uuid_t: "host-c", uuid_q: "host-c@qemu-session"}
        assert get_cell(target, uuid_q, "name") == "on-qemu"
    finally:
        bridge.stop()
        host.close()
