"""libvirtGuestNotif: every lifecycle event reaches a real snmptrapd through snmpd, carrying the
guest's name, UUID, state after the event and row status."""
from conftest import TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, connect_iface, domain_iface
from snmp_env import GUEST_ENTRY, NOTIF_OID, STATES, uuid_index, wait_for
from snmp_env import amqp_daemon, bridge, bus, port, snmpd, trapd  # noqa: F401 (fixtures)

TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"


def guest_traps(trapd):
    return [t for t in trapd.traps() if t.get(TRAP_OID) == "OID: ." + NOTIF_OID]


def cell(trap, column, uuid=TEST_DOMAIN_UUID):
    return trap.get("%s.%d.%s" % (GUEST_ENTRY, column, uuid_index(uuid)))


def test_lifecycle_events_become_traps_with_the_state_after(bridge, trapd, bus):
    dom = domain_iface(bus, TEST_DOMAIN_PATH)
    dom.Suspend()
    traps = wait_for(lambda: guest_traps(trapd), what="a trap")
    assert cell(traps[0], 2) == 'STRING: "test"'
    assert cell(traps[0], 1).replace(" ", "").lower() == "hex-string:" + TEST_DOMAIN_UUID.replace("-", "")
    assert cell(traps[0], 3) == "INTEGER: %d" % STATES["paused"]
    assert cell(traps[0], 9) == "INTEGER: 1"
    assert "1.3.6.1.2.1.1.3.0" in traps[0]  # sysUpTime.0 first, as every v2 trap
    virtbus = "1.3.6.1.4.1.36957.100.1.1.1.%d." + uuid_index(TEST_DOMAIN_UUID)
    assert [traps[0].get(virtbus % c) for c in (1, 2, 3)] == ['STRING: "host-a"', 'STRING: "suspended"',
                                                              'STRING: "paused"']
    assert traps[0][virtbus % 4].startswith("Counter64: ")

    dom.Resume()
    dom.Destroy(0)
    traps = wait_for(lambda: guest_traps(trapd)[2:] and guest_traps(trapd), what="three traps")
    assert [cell(t, 3) for t in traps] == ["INTEGER: %d" % STATES[s] for s in ("paused", "running", "shutoff")]
    assert cell(traps[2], 9) == "INTEGER: 2"  # defined, not running: notInService


def test_define_and_undefine_trap_with_row_status(bridge, trapd, bus):
    uuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
    xml = ("<domain type='test'><name>trapped</name><uuid>%s</uuid><memory>65536</memory><vcpu>1</vcpu>"
           "<os><type>hvm</type></os></domain>" % uuid)
    path = connect_iface(bus).DomainDefineXML(xml)
    traps = wait_for(lambda: [t for t in guest_traps(trapd) if cell(t, 2, uuid)], what="the define trap")
    assert (cell(traps[0], 2, uuid), cell(traps[0], 3, uuid), cell(traps[0], 9, uuid)) == \
        ('STRING: "trapped"', "INTEGER: 5", "INTEGER: 2")
    domain_iface(bus, path).Undefine(0)
    traps = wait_for(lambda: [t for t in guest_traps(trapd) if cell(t, 2, uuid)][1:], what="the undefine trap")
    assert (cell(traps[0], 2, uuid), cell(traps[0], 3, uuid), cell(traps[0], 9, uuid)) == \
        ('STRING: "trapped"', "INTEGER: 5", "INTEGER: 6")
