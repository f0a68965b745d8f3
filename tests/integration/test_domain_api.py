"""The rest of org.libvirt.Domain and the domain calls of org.libvirt.Connect, over D-Bus."""
import os
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import TEST_DOMAIN_PATH, TEST_PATH, SignalRecorder, connect_iface, domain_iface, properties

NOT_SUPPORTED = "this function is not supported by the connection driver"


def error_of(excinfo):
    return excinfo.value.get_dbus_name(), excinfo.value.get_dbus_message()


def xml_of(bus, flags=0):
    return ET.fromstring(domain_iface(bus).GetXMLDesc(flags))


def test_scheduler_type_and_all_properties(bus):
    props = properties(bus, TEST_DOMAIN_PATH).GetAll("org.libvirt.Domain")
    assert tuple(props["SchedulerType"]) == ("fair", 1)
    assert sorted(props) == ["Active", "Autostart", "Id", "Name", "OSType", "Persistent", "SchedulerType",
                             "UUID", "Updated"]


def test_vcpus_live_and_config(bus):
    dom = domain_iface(bus)
    assert dom.GetVcpus(0) == 2
    dom.SetVcpus(1, 1)  # live
    assert dom.GetVcpus(1) == 1 and dom.GetVcpus(2) == 2
    assert properties(bus, TEST_DOMAIN_PATH).Get("org.libvirt.Domain", "Updated") == True
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.SetVcpus(3, 0)
    assert error_of(excinfo)[1] == "invalid argument: requested cpu amount exceeds maximum (3 > 2)"


def test_vcpu_pin_info_and_pinning(bus):
    dom = domain_iface(bus)
    assert dom.GetVcpuPinInfo(0) == [[True] * 8, [True] * 8]
    dom.PinVcpu(1, [False, True, False, False, False, False, False, False], 0)
    assert dom.GetVcpuPinInfo(0) == [[True] * 8, [False, True] + [False] * 6]
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.PinVcpu(0, [False] * 8, 0)
    assert error_of(excinfo)[1] == "invalid argument: Empty cpu list for pinning"
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.PinVcpu(7, [True], 0)
    assert error_of(excinfo)[1] == "invalid argument: requested vcpu '7' is not present in the domain"


def test_memory_and_stats_period(bus):
    dom = domain_iface(bus)
    dom.SetMemory(1048576, 0)
    assert xml_of(bus).findtext("currentMemory") == "1048576"
    dom.SetMemoryStatsPeriod(5, 0)
    assert xml_of(bus).find("devices/memballoon/stats").get("period") == "5"
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.SetMemory(99999999, 0)
    assert error_of(excinfo)[1] == "invalid argument: cannot set memory higher than max memory"


def test_metadata_with_empty_strings_as_null(bus):
    dom = domain_iface(bus)
    dom.SetMetadata(0, "A description", "", "", 0)
    assert dom.GetMetadata(0, "", 0) == "A description"
    dom.SetMetadata(2, "<app foo='bar'/>", "ex", "http://example.org/app", 0)
    assert "foo=\"bar\"" in dom.GetMetadata(2, "http://example.org/app", 0) or \
        "foo='bar'" in dom.GetMetadata(2, "http://example.org/app", 0)
    dom.SetMetadata(0, "", "", "", 0)
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.GetMetadata(0, "", 0)
    assert error_of(excinfo)[1].startswith("metadata not found")


def test_attach_update_detach_device(bus):
    dom = domain_iface(bus)
    disk = ("<disk type='file' device='disk'><source file='/var/lib/extra.img'/>"
            "<target dev='vdb' bus='virtio'/></disk>")
    dom.AttachDevice(disk, 3)  # live and config
    assert [d.get("dev") for d in xml_of(bus).findall("devices/disk/target")] == ["vda", "vdb"]
    assert [d.get("dev") for d in xml_of(bus, 2).findall("devices/disk/target")] == ["vda", "vdb"]
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.AttachDevice(disk, 1)
    assert "vdb" in error_of(excinfo)[1]
    dom.UpdateDevice(disk.replace("extra.img", "other.img"), 1)
    assert xml_of(bus).find("devices/disk[2]/source").get("file") == "/var/lib/other.img"
    dom.DetachDevice(disk, 1)
    assert [d.get("dev") for d in xml_of(bus).findall("devices/disk/target")] == ["vda"]
    assert len(xml_of(bus, 2).findall("devices/disk")) == 2  # config untouched
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.DetachDevice(disk, 1)
    assert error_of(excinfo)[1] == "device not found: no target device vdb"
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.AttachDevice("<disk", 1)
    assert error_of(excinfo)[1].startswith("(device_definition):1: ")


@pytest.mark.parametrize("xml,message", [
    ("<domain type='test'><name>x</name></domain>", "unsupported configuration: unknown device type 'domain'"),
    ("<emulator>/usr/bin/qemu</emulator>", "unsupported configuration: unknown device type 'emulator'"),
    ("<chr type='pty'/>", "unsupported configuration: unknown character device type: chr"),
])
def test_what_is_not_a_device_is_refused_by_every_device_call(bus, xml, message):
    dom = domain_iface(bus)
    before = [dom.GetXMLDesc(0), dom.GetXMLDesc(2)]
    for call in (dom.AttachDevice, dom.DetachDevice, dom.UpdateDevice):
        for flags in (1, 2, 3):
            with pytest.raises(dbus.DBusException) as excinfo:
                call(xml, flags)
            assert error_of(excinfo) == ("org.libvirt.Error", message)
    assert [dom.GetXMLDesc(0), dom.GetXMLDesc(2)] == before


def test_stats_are_double_wrapped(bus):
    stats = domain_iface(bus).GetStats(0, 0)
    assert stats["state.state"] == 1 and stats["state.state"].variant_level == 2
    assert stats["vcpu.current"] == 2 and stats["balloon.maximum"] == 8388608
    assert stats["block.0.name"] == "vda" and stats["net.count"] == 1
    records = connect_iface(bus).GetAllDomainStats(1, 0)
    assert [name for name, _ in records] == ["test"]
    assert records[0][1]["state.state"] == 1


def test_job_info_abort_block_info_interfaces_info(bus):
    dom = domain_iface(bus)
    # libvirt 9.0's test driver has no jobs calls at all (virsh -c test:///default domjobinfo test).
    for call, api in ((dom.GetJobInfo, "virDomainGetJobInfo"), (dom.AbortJob, "virDomainAbortJob")):
        with pytest.raises(dbus.DBusException) as excinfo:
            call()
        assert error_of(excinfo)[1] == "this function is not supported by the connection driver: " + api
    capacity, allocation, physical = dom.GetBlockInfo("vda", 0)
    assert capacity == 100 << 30 and allocation == capacity
    ifaces = dom.InterfaceAddresses(0, 0)
    assert ifaces[0][1] == "aa:bb:cc:dd:ee:ff" and ifaces[0][2][0][2] == 24
    state, max_mem, mem, vcpus, _cpu_time = dom.GetInfo()
    assert (state, max_mem, mem, vcpus) == (1, 8388608, 2097152, 2)


def test_managed_save_image_lifecycle(bus):
    events = SignalRecorder(bus, "DomainEvent")
    dom = domain_iface(bus)
    dom.ManagedSave(0)
    assert dom.HasManagedSaveImage(0) == True
    dom.ManagedSaveRemove(0)
    assert dom.HasManagedSaveImage(0) == False
    dom.Create(0)
    assert [(e, d) for _, e, d in events.wait_for(2)] == [(5, 4), (2, 0)]  # saved, then booted


def test_save_restore_and_save_image_xml(bus, workdir):
    path = os.path.join(workdir, "test.save")
    dom = domain_iface(bus)
    dom.Save(path, "", 0)
    assert tuple(dom.GetState(0)) == (5, 5)  # shutoff, saved
    connect = connect_iface(bus)
    image_xml = connect.DomainSaveImageGetXMLDesc(path, 0)
    assert ET.fromstring(image_xml).findtext("name") == "test"
    connect.DomainSaveImageDefineXML(path, image_xml.replace("<currentMemory unit='KiB'>2097152",
                                                             "<currentMemory unit='KiB'>1048576"), 0)
    connect.DomainRestore(path, "", 0)
    assert tuple(dom.GetState(0)) == (1, 3)  # running, restored
    assert xml_of(bus).findtext("currentMemory") == "1048576"
    with pytest.raises(dbus.DBusException) as excinfo:
        connect.DomainRestore(os.path.join(workdir, "missing"), "", 0)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"


def test_lookup_by_id_takes_a_signed_id(bus):
    assert connect_iface(bus).DomainLookupByID(1) == TEST_DOMAIN_PATH
    with pytest.raises(dbus.DBusException) as excinfo:
        connect_iface(bus).DomainLookupByID(-1)
    assert error_of(excinfo)[1] == "invalid argument: id in virDomainLookupByID must be non-negative"


def test_methods_the_driver_lacks_say_not_supported(bus):
    dom = domain_iface(bus)
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.PMWakeup(0)
    assert error_of(excinfo) == ("org.libvirt.Error", NOT_SUPPORTED + ": virDomainPMWakeup")
    missing = domain_iface(bus, TEST_PATH + "/domain/_00000000_0000_0000_0000_000000000000")
    with pytest.raises(dbus.DBusException) as excinfo:
        missing.PMWakeup(0)
    assert error_of(excinfo)[1].startswith("Domain not found")


def test_introspection_shows_the_whole_domain_interface(bus):
    xml = bus.get_object("org.libvirt", TEST_DOMAIN_PATH).Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable")
    iface = [i for i in ET.fromstring(xml).findall("interface") if i.get("name") == "org.libvirt.Domain"][0]
    methods = {m.get("name") for m in iface.findall("method")}
    for name in ("Create", "GetStats", "PinVcpu", "AttachDevice", "MigrateToURI3", "SetUserPassword"):
        assert name in methods


def test_node_get_info_reports_the_test_node(bus):
    model, memory, cpus, mhz, nodes, sockets, cores, threads = connect_iface(bus).NodeGetInfo()
    assert (model, memory, cpus, mhz) == ("i686", 3145728, 16, 1400)
    assert (nodes, sockets, cores, threads) == (2, 2, 2, 2)


def test_migration_is_refused_as_libvirt_refuses_it_for_the_test_driver(bus):
    dom = domain_iface(bus)
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.MigrateToURI3("test:///other", {}, 0)
    assert error_of(excinfo) == ("org.libvirt.Error",
                                 "argument unsupported: direct migration is not supported by the source host")
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.MigrateToURI3("test:///other", dbus.Dictionary({}, signature="sv"), 2)  # VIR_MIGRATE_PEER2PEER
    assert error_of(excinfo)[1] == "argument unsupported: p2p migration is not supported by the source host"
