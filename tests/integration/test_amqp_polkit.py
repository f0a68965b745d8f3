"""AMQP principals authorized by a real polkitd on a system-like bus: PLAIN users act as their
mapped unix users under the same rules and operations as D-Bus callers."""
import os

import pytest

import polkit_env
from amqp_env import EventSubscriber, QmfConsole, QmfError, free_port, make_users_file
from conftest import BUILDDIR, TEST_DOMAIN_UUID, VIRTBUSD

SECRET_XML = "<domain type='test'><name>secret</name><memory>65536</memory><os><type>hvm</type></os></domain>"


machine = pytest.fixture(scope="module", name="machine")(polkit_env.machine_setup)


@pytest.fixture
def world(machine):
    w = polkit_env.SystemBus(VIRTBUSD)
    port = free_port()
    try:
        w.start_bus()
        w.start_polkitd()
        users = make_users_file(w.workdir, BUILDDIR, [("alice", "vbtest-admin", "pw-a"),
                                                      ("eve", "vbtest-none", "pw-e"),
                                                      ("lim", "vbtest-limited", "pw-l")])
        w.start_virtbusd(extra_config="amqp_listen = 127.0.0.1:%d\namqp_users = %s\n" % (port, users))
        w.url = "amqp://127.0.0.1:%d" % port
    except BaseException:
        w.stop()
        raise
    yield w
    log = w.daemon_log()
    status = w.stop()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
    assert status in (0, None), log


def console(world, user, password):
    c = QmfConsole(world.url, user=user, password=password)
    c.locate()
    return c


TEST = "domain:" + TEST_DOMAIN_UUID


def test_allowed_principal_acts(world):
    alice = console(world, "alice", "pw-a")
    alice.method(TEST, "suspend")
    assert alice.query("OBJECT", object_name=TEST)[0]["_values"]["state"] == "paused"
    alice.method(TEST, "resume")
    alice.close()


def test_denied_principal_gets_the_action_named(world):
    eve = console(world, "eve", "pw-e")
    with pytest.raises(QmfError) as denied:
        eve.method(TEST, "suspend")
    # polkit said no to listing first: libvirt's lookup hides the domain ("not found") or the
    # action itself is named; either way nothing happened and the reason is given.
    values = denied.value.values
    assert values["error_code"] in (88, 42), values
    if values["error_code"] == 88:
        assert values["action"] == "org.libvirt.api.domain.suspend"
    with pytest.raises(QmfError) as listing:
        eve.query("OBJECT", "Domain")
    assert listing.value.values["action"] == "org.libvirt.api.connect.search-domains"
    eve.close()
    alice = console(world, "alice", "pw-a")
    assert alice.query("OBJECT", object_name=TEST)[0]["_values"]["state"] == "running"
    alice.close()


def test_limited_principal_sees_and_does_only_what_rules_grant(world, tmp_path):
    alice = console(world, "alice", "pw-a")
    secret = alice.method("node", "domainDefineXML", {"xmlDesc": SECRET_XML})["domain"]["_object_name"]
    lim = console(world, "lim", "pw-l")
    assert sorted(lim.domains()) == ["test"]  # secret is filtered out
    lim.method(TEST, "suspend")
    lim.method(TEST, "resume")
    with pytest.raises(QmfError) as denied:  # defining needs domain:write, which no rule grants lim
        lim.method("node", "domainDefineXML", {"xmlDesc": SECRET_XML.replace("secret", "other")})
    assert denied.value.values["action"] == "org.libvirt.api.domain.write"
    with pytest.raises(QmfError) as hidden:
        lim.method(secret, "create")
    assert hidden.value.values["error_code"] == 42  # not found, as libvirt hides it
    lim.close()
    alice.close()


def test_events_reach_only_principals_that_may_see_the_domain(world):
    alice = console(world, "alice", "pw-a")
    secret = alice.method("node", "domainDefineXML", {"xmlDesc": SECRET_XML})["domain"]["_object_name"]
    lim_events = EventSubscriber(None, conn=QmfConsole(world.url, user="lim", password="pw-l").conn)
    alice_events = EventSubscriber(None, conn=alice.conn)
    alice.method(secret, "create")
    alice.method(TEST, "suspend")
    alice.method(TEST, "resume")
    seen_by_alice = [alice_events.next_event() for _ in range(3)]
    assert [(e["domain"]["name"], e["event"]) for e in seen_by_alice] == [
        ("secret", "started"), ("test", "suspended"), ("test", "resumed")]
    seen_by_lim = [lim_events.next_event() for _ in range(2)]
    assert [(e["domain"]["name"], e["event"]) for e in seen_by_lim] == [("test", "suspended"), ("test", "resumed")]
    lim_events.conn.close()
    alice.close()


@pytest.fixture
def object_rules(machine):
    """Written before the world starts, so polkitd reads it at start."""
    from test_polkit_objects import OBJECT_RULES, OBJECT_RULES_FILE
    machine.write(OBJECT_RULES_FILE, OBJECT_RULES)
    yield
    machine.remove(OBJECT_RULES_FILE)


def test_pools_volumes_and_networks_are_checked_and_filtered_per_object(object_rules, world):
    pool, net = "pool:dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566", "network:dd8fe884-6c02-601e-7551-cca97df1c5df"
    vol_xml = "<volume><name>%s</name><capacity unit='M'>1</capacity></volume>"
    alice = console(world, "alice", "pw-a")
    visible, hidden = (alice.method(pool, "createVolumeXML", {"xmlDesc": vol_xml % name})["volume"]["_object_name"]
                       for name in ("visible.img", "hidden.img"))
    lim = console(world, "lim", "pw-l")
    assert [v["_values"]["name"] for v in lim.query("OBJECT", "Volume")] == ["visible.img"]
    assert sorted(v["_values"]["name"] for v in alice.query("OBJECT", "Volume")) == ["hidden.img", "visible.img"]
    assert [p["_values"]["name"] for p in lim.query("OBJECT", "Pool")] == ["default-pool"]
    assert "<name>visible.img</name>" in lim.method(visible, "getXMLDesc")["description"]
    with pytest.raises(QmfError) as denied:
        lim.method(visible, "delete")
    assert denied.value.values["action"] == "org.libvirt.api.storage-vol.delete"
    with pytest.raises(QmfError) as hidden_vol:
        lim.method(hidden, "getXMLDesc")
    assert hidden_vol.value.values["error_code"] == 50  # VIR_ERR_NO_STORAGE_VOL: hidden as libvirt hides it
    with pytest.raises(QmfError) as denied:
        lim.method(net, "destroy")
    assert denied.value.values["action"] == "org.libvirt.api.network.stop"
    # createVolumeXML is asked with the new volume's name (vol_name), as on D-Bus
    made = lim.method(pool, "createVolumeXML", {"xmlDesc": vol_xml % "limited.img"})["volume"]["_object_name"]
    with pytest.raises(QmfError) as denied:
        lim.method(pool, "createVolumeXML", {"xmlDesc": vol_xml % "other.img"})
    assert denied.value.values["action"] == "org.libvirt.api.storage-vol.create"
    alice.method(made, "delete")
    lim.close()
    alice.close()


def test_network_events_reach_only_principals_that_may_see_the_network(object_rules, world):
    net = "network:dd8fe884-6c02-601e-7551-cca97df1c5df"
    hidden_xml = "<network><name>hidden-net</name><uuid>%s</uuid><bridge name='br9'/></network>"
    hidden_uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f"
    defined = world.run_as("root", [dict(path="/org/libvirt/Test", interface="org.libvirt.Connect",
                                         member="NetworkDefineXML", signature="s", args=[hidden_xml % hidden_uuid])])
    assert defined[0]["ok"], defined
    alice = console(world, "alice", "pw-a")
    lim_events = EventSubscriber(None, conn=QmfConsole(world.url, user="lim", password="pw-l").conn)
    alice_events = EventSubscriber(None, conn=alice.conn)
    alice.method("network:" + hidden_uuid, "create")
    alice.method(net, "destroy")
    seen_by_alice = [alice_events.next_event() for _ in range(2)]
    assert [(e["network"]["name"], e["event"]) for e in seen_by_alice] == [
        ("hidden-net", "started"), ("default", "stopped")]
    assert [(e["network"]["name"], e["event"]) for e in [lim_events.next_event()]] == [("default", "stopped")]
    lim_events.conn.close()
    alice.close()
