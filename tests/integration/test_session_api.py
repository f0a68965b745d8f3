"""virtbusd on a private session bus, called over D-Bus as libvirt-dbus clients call it."""
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import (TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, TEST_PATH, SignalRecorder, connect_iface,
                      domain_iface, properties)

NEW_DOMAIN = """<domain type='test'>
  <name>foo</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>"""
NEW_PATH = TEST_PATH + "/domain/_4dea22b3_1d52_d8f3_2516_782e98ab3fa0"

# libvirt's event and detail numbering
DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED = 0, 1, 2, 3, 4, 5


def libvirt_error(excinfo):
    return excinfo.value.get_dbus_name(), excinfo.value.get_dbus_message()


def test_list_domains_shows_the_default_test_domain(bus):
    assert connect_iface(bus).ListDomains(0) == [TEST_DOMAIN_PATH]


def test_lookup_by_name_returns_the_libvirt_dbus_path(bus):
    assert connect_iface(bus).DomainLookupByName("test") == TEST_DOMAIN_PATH


def test_lookup_of_unknown_name_is_libvirt_error(bus):
    with pytest.raises(dbus.DBusException) as excinfo:
        connect_iface(bus).DomainLookupByName("nope")
    assert libvirt_error(excinfo) == ("org.libvirt.Error", "Domain not found: no domain with matching name 'nope'")


def test_get_state_and_xml_of_running_domain(bus):
    dom = domain_iface(bus)
    assert tuple(dom.GetState(0)) == (1, 1)  # running, booted
    root = ET.fromstring(dom.GetXMLDesc(0))
    assert root.get("type") == "test" and root.get("id") == "1"
    assert root.findtext("name") == "test"
    assert root.findtext("uuid") == TEST_DOMAIN_UUID
    inactive = ET.fromstring(dom.GetXMLDesc(2))
    assert inactive.get("id") is None


def test_get_all_double_wraps_every_value(bus):
    props = properties(bus, TEST_DOMAIN_PATH).GetAll("org.libvirt.Domain")
    assert props["Name"] == "test" and props["Name"].variant_level == 2
    assert props["Active"] == True and props["Id"] == 1
    assert all(value.variant_level == 2 for value in props.values())
    single = properties(bus, TEST_DOMAIN_PATH).Get("org.libvirt.Domain", "UUID")
    assert single == TEST_DOMAIN_UUID and single.variant_level == 1  # one variant, as libvirt-dbus


def test_lifecycle_emits_libvirt_events_in_order(bus):
    events = SignalRecorder(bus, "DomainEvent")
    dom = domain_iface(bus)
    dom.Suspend()
    assert tuple(dom.GetState(0)) == (3, 1)  # paused, user
    dom.Resume()
    dom.Destroy(0)
    assert tuple(dom.GetState(0)) == (5, 2)  # shutoff, destroyed
    assert properties(bus, TEST_DOMAIN_PATH).Get("org.libvirt.Domain", "Active") == False
    dom.Create(0)
    assert properties(bus, TEST_DOMAIN_PATH).Get("org.libvirt.Domain", "Id") == 2
    dom.Shutdown(0)
    got = events.wait_for(5)
    assert [(str(p), e, d) for p, e, d in events.settle()] == [
        (TEST_DOMAIN_PATH, SUSPENDED, 0), (TEST_DOMAIN_PATH, RESUMED, 0), (TEST_DOMAIN_PATH, STOPPED, 1),
        (TEST_DOMAIN_PATH, STARTED, 0), (TEST_DOMAIN_PATH, STOPPED, 0)]
    assert len(got) == 5


def test_define_start_undefine_new_domain(bus):
    events = SignalRecorder(bus, "DomainEvent")
    connect = connect_iface(bus)
    assert connect.DomainDefineXML(NEW_DOMAIN) == NEW_PATH
    assert sorted(connect.ListDomains(0)) == sorted([TEST_DOMAIN_PATH, NEW_PATH])
    assert connect.ListDomains(1) == [TEST_DOMAIN_PATH]  # active only
    assert connect.ListDomains(2) == [NEW_PATH]  # inactive only
    dom = domain_iface(bus, NEW_PATH)
    dom.Create(0)
    dom.Destroy(0)
    dom.Undefine(0)
    assert connect.ListDomains(0) == [TEST_DOMAIN_PATH]
    assert [(str(p), e, d) for p, e, d in events.wait_for(4)] == [
        (NEW_PATH, DEFINED, 0), (NEW_PATH, STARTED, 0), (NEW_PATH, STOPPED, 1), (NEW_PATH, UNDEFINED, 0)]


def test_introspection_lists_domain_children(bus):
    xml = bus.get_object("org.libvirt", TEST_PATH + "/domain").Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable")
    children = [node.get("name") for node in ET.fromstring(xml).findall("node")]
    assert children == ["_" + TEST_DOMAIN_UUID.replace("-", "_")]


def test_unknown_domain_path_is_dispatched_and_not_found(bus):
    missing = TEST_PATH + "/domain/_00000000_0000_0000_0000_000000000000"
    with pytest.raises(dbus.DBusException) as excinfo:
        domain_iface(bus, missing).GetState(0)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"
    assert excinfo.value.get_dbus_message().startswith("Domain not found")
    with pytest.raises(dbus.DBusException) as excinfo:
        domain_iface(bus, TEST_PATH + "/domain/garbage").Create(0)
    assert libvirt_error(excinfo) == ("org.libvirt.Error", "Domain not found")


@pytest.mark.parametrize("xml,message", [
    ("<domain type='test'><name>x</name>", "(domain_definition):1: Premature end of data"),
    ("<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>", "missing name information"),
    ("<domain type='test'><name>x</name><uuid>not-a-uuid</uuid><memory>1</memory>"
     "<os><type>hvm</type></os></domain>", "internal error: malformed uuid element"),
    ("<!DOCTYPE d [<!ENTITY a 'aaaa'>]><domain type='test'><name>&a;</name><memory>1</memory>"
     "<os><type>hvm</type></os></domain>", "XML error: "),
    ("<domain type='test'><name>test</name><memory>1</memory><os><type>hvm</type></os></domain>",
     "operation failed: domain 'test' already exists with uuid " + TEST_DOMAIN_UUID),
    ("<domain type='test'><name>a\nb</name><memory>1</memory><os><type>hvm</type></os></domain>",
     "invalid char in name: \n"),
])
def test_bad_definitions_are_refused_and_change_nothing(bus, xml, message):
    events = SignalRecorder(bus, "DomainEvent")
    connect = connect_iface(bus)
    with pytest.raises(dbus.DBusException) as excinfo:
        connect.DomainDefineXML(xml)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"
    assert excinfo.value.get_dbus_message().startswith(message)
    assert connect.ListDomains(0) == [TEST_DOMAIN_PATH]
    assert events.settle() == []


def test_oversized_definition_is_refused(bus):
    huge = "<domain type='test'><name>big</name><description>" + "x" * (11 * 1024 * 1024) + \
           "</description><memory>1</memory><os><type>hvm</type></os></domain>"
    with pytest.raises(dbus.DBusException) as excinfo:
        connect_iface(bus).DomainDefineXML(huge)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"
    assert connect_iface(bus).ListDomains(0) == [TEST_DOMAIN_PATH]


def test_wrong_signature_is_invalid_args(bus):
    with pytest.raises(dbus.DBusException) as excinfo:
        bus.call_blocking("org.libvirt", TEST_PATH, "org.libvirt.Connect", "ListDomains", "s", ["x"])
    assert excinfo.value.get_dbus_name() == "org.freedesktop.DBus.Error.InvalidArgs"


def test_operation_on_stopped_domain_names_the_problem(bus):
    dom = domain_iface(bus)
    dom.Destroy(0)
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.Suspend()
    assert libvirt_error(excinfo) == ("org.libvirt.Error", "Requested operation is not valid: domain is not running")


def test_autostart_property_is_writable(bus):
    props = properties(bus, TEST_DOMAIN_PATH)
    props.Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True))
    assert props.Get("org.libvirt.Domain", "Autostart") == True
    with pytest.raises(dbus.DBusException) as excinfo:
        props.Set("org.libvirt.Domain", "Name", "renamed")
    assert excinfo.value.get_dbus_name() in ("org.freedesktop.DBus.Error.PropertyReadOnly",
                                             "org.freedesktop.DBus.Error.InvalidArgs")


def test_autodestroy_domain_dies_with_its_client(daemon, bus):
    other = dbus.bus.BusConnection(daemon.bus.address)
    connect = dbus.Interface(other.get_object("org.libvirt", TEST_PATH), "org.libvirt.Connect")
    path = connect.DomainCreateXML(NEW_DOMAIN, 2)  # VIR_DOMAIN_START_AUTODESTROY
    assert path in connect_iface(bus).ListDomains(0)
    events = SignalRecorder(bus, "DomainEvent")
    connect_iface(bus).ListDomains(0)  # a round trip so the match rule is in place
    other.close()
    got = events.wait_for(1)
    assert [(str(p), e, d) for p, e, d in got] == [(NEW_PATH, STOPPED, 1)]
    assert connect_iface(bus).ListDomains(0) == [TEST_DOMAIN_PATH]


def test_object_manager_announces_domains_as_they_come_and_go(bus):
    manager = dbus.Interface(bus.get_object("org.libvirt", "/org/libvirt"), "org.freedesktop.DBus.ObjectManager")
    objects = manager.GetManagedObjects()
    assert TEST_DOMAIN_PATH in objects and "org.libvirt.Domain" in objects[TEST_DOMAIN_PATH]
    added = SignalRecorder(bus, "InterfacesAdded", "org.freedesktop.DBus.ObjectManager")
    removed = SignalRecorder(bus, "InterfacesRemoved", "org.freedesktop.DBus.ObjectManager")
    path = connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    assert [str(p) for p, _ in added.wait_for(1)] == [NEW_PATH]
    assert "org.libvirt.Domain" in added.items[0][1]
    domain_iface(bus, path).Undefine(0)
    got = removed.wait_for(1)
    assert [str(p) for p, _ in got] == [NEW_PATH] and "org.libvirt.Domain" in got[0][1]
    assert NEW_PATH not in manager.GetManagedObjects()


def test_properties_changed_follows_lifecycle_and_autostart(bus):
    changes = SignalRecorder(bus, "PropertiesChanged", "org.freedesktop.DBus.Properties")
    dom = domain_iface(bus)
    dom.Destroy(0)
    got = changes.wait_for(1)
    iface, changed, _invalidated = got[0]
    assert iface == "org.libvirt.Domain" and changed["Active"] == False and changed["Id"] == 0
    properties(bus, TEST_DOMAIN_PATH).Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True))
    got = changes.wait_for(2)
    assert got[1][1] == {"Autostart": True}
    dom.Create(0)
    got = changes.wait_for(3)
    assert got[2][1]["Active"] == True and got[2][1]["Id"] == 2
