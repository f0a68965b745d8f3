"""Networks, storage pools and volumes, node devices and host interfaces on D-Bus, against the
test driver's test:///default: libvirt-dbus's paths and signals, what virtbus adds
(PropertiesChanged, ObjectManager entries), and bad input answered with libvirt's error,
nothing half-created."""
import dbus
import pytest

from conftest import TEST_PATH, SignalRecorder, connect_iface, properties

NET_PATH = TEST_PATH + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df"
POOL_PATH = TEST_PATH + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"
NET_XML = "<network><name>%s</name>%s<bridge name='br1'/></network>"
POOL_XML = "<pool type='dir'><name>%s</name>%s<target><path>%s</path></target></pool>"
VOL_XML = "<volume><name>%s</name><capacity unit='G'>%d</capacity></volume>"
STARTED, STOPPED = 2, 3


def iface(bus, path, name):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt." + name)


def libvirt_error(call, *args):
    with pytest.raises(dbus.exceptions.DBusException) as e:
        call(*args)
    assert e.value.get_dbus_name() == "org.libvirt.Error"
    return e.value.get_dbus_message()


def test_default_objects_are_libvirts_test_fixture(bus):
    c = connect_iface(bus)
    assert list(c.ListNetworks(0)) == [NET_PATH]
    assert list(c.ListStoragePools(0)) == [POOL_PATH]
    assert list(c.ListInterfaces(0)) == [TEST_PATH + "/interface/eth1"]
    assert sorted(c.ListNodeDevices(0)) == sorted(TEST_PATH + "/nodedev/" + n for n in
                                                  ("computer", "scsi_5fhost1", "scsi_5fhost2", "scsi_5fhost11"))
    host1 = c.NodeDeviceLookupSCSIHostByWWN("2000000012341234", "1000000012341234", 0)
    assert host1 == TEST_PATH + "/nodedev/scsi_5fhost1"
    assert c.InterfaceLookupByMAC("aa:bb:cc:dd:ee:ff") == TEST_PATH + "/interface/eth1"
    props = properties(bus, POOL_PATH).GetAll("org.libvirt.StoragePool")
    assert (props["Name"], props["Active"], props["Persistent"]) == ("default-pool", True, True)
    assert iface(bus, POOL_PATH, "StoragePool").GetInfo() == (2, 107374182400, 0, 107374182400)


def test_network_lifecycle_signals_and_property_changes(bus):
    events = SignalRecorder(bus, "NetworkEvent")
    changed = SignalRecorder(bus, "PropertiesChanged", "org.freedesktop.DBus.Properties")
    net = iface(bus, NET_PATH, "Network")
    net.Destroy()
    net.Create()
    assert events.wait_for(2) == [(NET_PATH, STOPPED), (NET_PATH, STARTED)]
    changes = [c for c in changed.wait_for(2) if c[0] == "org.libvirt.Network"]
    assert [bool(c[1]["Active"]) for c in changes[:2]] == [False, True]


def test_transient_network_comes_and_goes_on_the_object_manager(bus):
    added = SignalRecorder(bus, "InterfacesAdded", "org.freedesktop.DBus.ObjectManager")
    removed = SignalRecorder(bus, "InterfacesRemoved", "org.freedesktop.DBus.ObjectManager")
    path = connect_iface(bus).NetworkCreateXML(NET_XML % ("t1", ""))
    assert added.wait_for(1)[0][0] == path
    managed = bus.get_object("org.libvirt", "/org/libvirt").GetManagedObjects(
        dbus_interface="org.freedesktop.DBus.ObjectManager")
    assert managed[path]["org.libvirt.Network"]["Persistent"] is not None
    iface(bus, path, "Network").Destroy()
    assert removed.wait_for(1)[0][0] == path
    assert path not in connect_iface(bus).ListNetworks(0)


def test_pool_refresh_is_a_signal_of_the_pool(bus):
    rec = SignalRecorder(bus, "Refresh", "org.libvirt.StoragePool")
    iface(bus, POOL_PATH, "StoragePool").Refresh(0)
    assert rec.wait_for(1) == [()]


def test_network_xml_without_name_or_with_a_slash_is_refused(bus):
    c = connect_iface(bus)
    assert libvirt_error(c.NetworkDefineXML, "<network><bridge name='x'/></network>") == "missing name information"
    assert libvirt_error(c.NetworkDefineXML, NET_XML % ("a/b", "")) == "invalid char in name: /"
    assert libvirt_error(c.NetworkDefineXML, NET_XML % ("u", "<uuid>nope</uuid>")) == \
        "internal error: malformed uuid element"
    assert len(c.ListNetworks(0)) == 1


def test_duplicate_network_names_and_uuids_are_refused(bus):
    c = connect_iface(bus)
    assert libvirt_error(c.NetworkDefineXML, NET_XML % ("default", "")) == \
        "operation failed: network 'default' already exists with uuid dd8fe884-6c02-601e-7551-cca97df1c5df"
    assert libvirt_error(c.NetworkDefineXML, NET_XML % ("other", "<uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>")) \
        == "operation failed: network 'default' is already defined with uuid dd8fe884-6c02-601e-7551-cca97df1c5df"
    assert libvirt_error(c.NetworkCreateXML, NET_XML % ("default", "<uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>")) \
        == "Requested operation is not valid: network is already active as 'default'"
    assert len(c.ListNetworks(0)) == 1


def test_bad_pool_definitions_are_refused_and_nothing_is_added(bus):
    c = connect_iface(bus)
    cases = [
        ("<pool type='dir'><target><path>/p</path></target></pool>", "XML error: missing pool source name element"),
        ("<pool><name>p</name></pool>", "XML error: Missing required attribute 'type' in element 'pool'"),
        ("<pool type='bogus'><name>p</name></pool>",
         "XML error: Invalid value for attribute 'type' in element 'pool': 'bogus'."),
        (POOL_XML % ("a/b", "", "/p"), "XML error: name a/b cannot contain '/'"),
        ("<pool type='dir'><name>p</name></pool>", "XML error: missing storage pool target path"),
        ("<pool type='netfs'><name>p</name><target><path>/p</path></target></pool>",
         "XML error: missing storage pool source host name"),
        (POOL_XML % ("default-pool", "", "/elsewhere"),
         "operation failed: pool 'default-pool' already exists with uuid dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"),
        (POOL_XML % ("p2", "<uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>", "/p2"),
         "operation failed: pool 'default-pool' is already defined with uuid dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"),
        (POOL_XML % ("p3", "", "/default-pool/"), "operation failed: Storage source conflict with pool: 'default-pool'"),
        ("<pool type='dir'", None),
    ]
    for xml, message in cases:
        got = libvirt_error(c.StoragePoolDefineXML, xml, 0)
        if message:
            assert got == message
    assert list(c.ListStoragePools(0)) == [POOL_PATH]


def test_volume_larger_than_the_free_space_or_with_a_slash_is_refused(bus):
    pool = iface(bus, POOL_PATH, "StoragePool")
    assert libvirt_error(pool.StorageVolCreateXML, VOL_XML % ("big.img", 101), 0) == \
        "internal error: Not enough free space in pool for volume 'big.img'"
    assert libvirt_error(pool.StorageVolCreateXML, VOL_XML % ("../x.img", 1), 0) == \
        "XML error: volume name '../x.img' cannot contain '/'"
    assert libvirt_error(pool.StorageVolCreateXML, "<volume><name>n.img</name></volume>", 0) == \
        "XML error: missing capacity element"
    path = pool.StorageVolCreateXML(VOL_XML % ("a.img", 60), 0)
    assert libvirt_error(pool.StorageVolCreateXML, VOL_XML % ("a.img", 1), 0) == \
        "operation failed: storage vol already exists"
    assert libvirt_error(pool.StorageVolCreateXML, VOL_XML % ("b.img", 60), 0) == \
        "internal error: Not enough free space in pool for volume 'b.img'"
    assert list(pool.ListStorageVolumes(0)) == [path]
    assert pool.GetInfo()[2] == 60 * 1024 ** 3


def test_volume_is_named_by_its_key_and_formatted_as_libvirt_does(bus):
    pool = iface(bus, POOL_PATH, "StoragePool")
    path = pool.StorageVolCreateXML(VOL_XML % ("sparse.img", 2), 0)
    assert path == POOL_PATH.replace("storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566",
                                     "storagevol/_2fdefault_2dpool_2fsparse_2eimg")
    assert iface(bus, path, "StorageVol").GetXMLDesc(0) == (
        "<volume type='file'>\n  <name>sparse.img</name>\n  <key>/default-pool/sparse.img</key>\n"
        "  <capacity unit='bytes'>2147483648</capacity>\n  <allocation unit='bytes'>2147483648</allocation>\n"
        "  <target>\n    <path>/default-pool/sparse.img</path>\n    <format type='raw'/>\n  </target>\n"
        "</volume>\n")
    assert connect_iface(bus).StorageVolLookupByPath("/default-pool/sparse.img") == path


def test_node_device_create_and_destroy_as_libvirt_mocks_a_vhba(bus):
    c = connect_iface(bus)
    events = SignalRecorder(bus, "NodeDeviceEvent")
    xml = ("<device><parent>scsi_host2</parent><capability type='scsi_host'><capability type='fc_host'>"
           "<wwnn>2000000098765432</wwnn><wwpn>1000000098765432</wwpn></capability></capability></device>")
    path = c.NodeDeviceCreateXML(xml, 0)
    assert path == TEST_PATH + "/nodedev/scsi_5fhost12"
    assert "<wwnn>2000000098765432</wwnn>" in iface(bus, path, "NodeDevice").GetXMLDesc(0)
    iface(bus, path, "NodeDevice").Destroy()
    assert events.wait_for(2) == [(path, 0, 0), (path, 1, 0)]
    assert libvirt_error(c.NodeDeviceCreateXML, xml.replace("scsi_host2", "computer"), 0) == \
        "internal error: Parent device computer is not capable of vport operations"
    assert libvirt_error(iface(bus, TEST_PATH + "/nodedev/computer", "NodeDevice").Destroy) == \
        "invalid argument: Device is not a fibre channel HBA"


def test_secrets_and_nwfilters_are_not_supported(bus):
    c = connect_iface(bus)
    assert libvirt_error(c.ListSecrets, 0) == \
        "this function is not supported by the connection driver: virConnectListAllSecrets"
    assert libvirt_error(c.NWFilterLookupByName, "x") == \
        "this function is not supported by the connection driver: virNWFilterLookupByName"


def test_a_path_that_names_no_network_answers_libvirts_not_found(bus):
    net = iface(bus, TEST_PATH + "/network/_00000000_0000_0000_0000_000000000001", "Network")
    assert libvirt_error(net.GetXMLDesc, 0) == \
        "Network not found: no network with matching uuid '00000000-0000-0000-0000-000000000001'"
