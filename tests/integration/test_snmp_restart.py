"""virtbus-snmp survives its peers' restarts: virtbusd's (reconnect with backoff, table rebuilt,
stale rows removed, events followed again) and snmpd's (registered again by the AgentX ping)."""
from conftest import TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, connect_iface, domain_iface
from snmp_env import STATES, get_cell, wait_for, walk_table
from snmp_env import amqp_daemon, bridge, bus, port, snmpd, trapd  # noqa: F401 (fixtures)

TRANSIENT_UUID = "7c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
TRANSIENT_XML = ("<domain type='test'><name>transient1</name><uuid>%s</uuid><memory>65536</memory>"
                 "<vcpu>1</vcpu><os><type>hvm</type></os></domain>" % TRANSIENT_UUID)


def test_virtbusd_restart_rebuilds_the_table(bridge, snmpd, amqp_daemon, bus):
    target = snmpd.target()
    connect_iface(bus).DomainCreateXML(TRANSIENT_XML, 0)
    wait_for(lambda: TRANSIENT_UUID in walk_table(target), what="the transient domain's row")

    assert amqp_daemon.stop() == 0
    amqp_daemon.start()
    # A transient domain does not outlive the daemon: its row must go with the reload.
    table = wait_for(lambda: (lambda t: TRANSIENT_UUID not in t and TEST_DOMAIN_UUID in t and t)(walk_table(target)),
                     what="the reloaded table without the stale row")
    assert table[TEST_DOMAIN_UUID]["state"] == STATES["running"]
    domain_iface(bus, TEST_DOMAIN_PATH).Suspend()
    wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="events followed again")
    assert "lost" in bridge.log() and bridge.log().count("connected") >= 2


def test_events_missed_while_disconnected_are_replayed(bridge, snmpd, amqp_daemon, bus):
    """While the bridge's connection is down and virtbusd runs, nothing is missed: the replay
    from the last seq (or the reload) brings the change."""
    target = snmpd.target()
    assert amqp_daemon.stop() == 0
    amqp_daemon.start()
    domain_iface(bus, TEST_DOMAIN_PATH).Suspend()  # possibly before the bridge is back
    wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the suspend")


def test_snmpd_restart_registers_again(bridge, snmpd, bus):
    target = snmpd.target()
    snmpd.stop()
    snmpd.start()
    table = wait_for(lambda: walk_table(target, check=False), what="the table served again")
    assert TEST_DOMAIN_UUID in table
    domain_iface(bus, TEST_DOMAIN_PATH).Suspend()
    wait_for(lambda: get_cell(target, TEST_DOMAIN_UUID, "state") == STATES["paused"], what="the suspend")
