"""Differential test: the same calls on virtbus's test:///default (over D-Bus) and on libvirt's
own test driver (python3-libvirt, in process) give the same answers: the fixture objects' XML,
states, volume XML and sizes, and libvirt's error messages for the same mistakes."""
import re

import dbus
import pytest

from conftest import TEST_PATH, connect_iface, properties

libvirt = pytest.importorskip("libvirt")

NET_PATH = TEST_PATH + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df"
POOL_PATH = TEST_PATH + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"
VOL_XML = "<volume><name>sparse.img</name><capacity unit='G'>2</capacity></volume>"


@pytest.fixture
def lv():
    libvirt.registerErrorHandler(lambda *args: None, None)
    conn = libvirt.open("test:///default")
    yield conn
    conn.close()


def iface(bus, path, name):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt." + name)


def ours(call, *args):
    try:
        return call(*args)
    except dbus.exceptions.DBusException as e:
        return ("error", e.get_dbus_message())


def theirs(call, *args):
    try:
        return call(*args)
    except libvirt.libvirtError as e:
        return ("error", e.get_error_message())


def test_fixture_xml_is_libvirts(bus, lv):
    assert iface(bus, NET_PATH, "Network").GetXMLDesc(0) == lv.networkLookupByName("default").XMLDesc(0)
    assert iface(bus, POOL_PATH, "StoragePool").GetXMLDesc(0) == lv.storagePoolLookupByName("default-pool").XMLDesc(0)
    assert iface(bus, TEST_PATH + "/interface/eth1", "Interface").GetXMLDesc(0) == \
        lv.interfaceLookupByName("eth1").XMLDesc(0)
    for name in ("computer", "scsi_host1", "scsi_host2", "scsi_host11"):
        path = connect_iface(bus).NodeDeviceLookupByName(name)
        assert iface(bus, path, "NodeDevice").GetXMLDesc(0) == lv.nodeDeviceLookupByName(name).XMLDesc(0)
        assert list(iface(bus, path, "NodeDevice").ListCaps()) == lv.nodeDeviceLookupByName(name).listCaps()


def test_fixture_states_are_libvirts(bus, lv):
    net, pool = lv.networkLookupByName("default"), lv.storagePoolLookupByName("default-pool")
    props = properties(bus, NET_PATH).GetAll("org.libvirt.Network")
    assert (props["Active"], props["Persistent"], props["Autostart"]) == \
        (bool(net.isActive()), bool(net.isPersistent()), bool(net.autostart()))
    assert tuple(iface(bus, POOL_PATH, "StoragePool").GetInfo()) == tuple(pool.info())
    assert bool(properties(bus, TEST_PATH + "/interface/eth1").Get("org.libvirt.Interface", "Active")) == \
        bool(lv.interfaceLookupByName("eth1").isActive())


def test_volume_create_is_libvirts(bus, lv):
    pool_ours = iface(bus, POOL_PATH, "StoragePool")
    pool_theirs = lv.storagePoolLookupByName("default-pool")
    vol_path = pool_ours.StorageVolCreateXML(VOL_XML, 0)
    vol = pool_theirs.createXML(VOL_XML, 0)
    assert iface(bus, vol_path, "StorageVol").GetXMLDesc(0) == vol.XMLDesc(0)
    assert tuple(iface(bus, vol_path, "StorageVol").GetInfo(0)) == tuple(vol.info())
    assert pool_ours.GetXMLDesc(0) == pool_theirs.XMLDesc(0)
    assert ours(pool_ours.StorageVolCreateXML, VOL_XML, 0) == theirs(pool_theirs.createXML, VOL_XML, 0)


BAD_NETWORKS = [
    "<network><bridge name='x'/></network>",
    "<network><name>a/b</name></network>",
    "<network><name>u</name><uuid>nope</uuid></network>",
    "<network><name>default</name></network>",
    "<network><name>x</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>",
    "<net/>",
    "<network><name>b1</name><bridge name='x' delay='abc'/></network>",
]


@pytest.mark.parametrize("xml", BAD_NETWORKS)
def test_bad_network_definitions_fail_as_in_libvirt(bus, lv, xml):
    assert ours(connect_iface(bus).NetworkDefineXML, xml) == theirs(lv.networkDefineXML, xml)


# Networks as clients write them: libvirt answers GetXMLDesc with its own layout (its order of
# elements and attributes, <bridge stp delay> for a bridge of its own, <forward> with a mode,
# an <ip> always opened), so the client's spelling must not show through.
CLIENT_NETWORKS = [
    "<network><name>n1</name><forward mode='nat'/><ip address='192.168.150.1' netmask='255.255.255.0'>"
    "<dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp></ip></network>",
    "<network><name>n2</name><ip address='10.1.0.1' prefix='24'/><bridge name='vbr2'/></network>",
    "<network><name>n3</name><ip address='10.2.0.1' netmask='255.255.255.0'/><forward mode='route'/>"
    "<bridge name='vbr3' stp='off' delay='3'/><mtu size='9000'/><domain name='example.org'/>"
    "<mac address='52:54:00:11:22:33'/></network>",
    "<network><name>n4</name><forward mode='bridge'/><bridge name='br0'/></network>",
    "<network><name>n5</name><forward/><dns><host ip='10.3.0.5'><hostname>h</hostname></host></dns>"
    "<ip address='10.3.0.1' prefix='24'/></network>",
    "<network><name>m1</name><forward mode='nat'/><ip prefix='24' family='ipv4' address='192.168.170.1'>"
    "<dhcp><range end='192.168.170.50' start='192.168.170.2'/>"
    "<host ip='192.168.170.9' name='g' mac='52:54:00:00:00:09'/></dhcp></ip></network>",
    "<network><name>m2</name><forward mode='nat'/><domain name='x.test' localOnly='yes'/>"
    "<ip family='ipv6' address='fd00::1' prefix='64'/></network>",
]


@pytest.mark.parametrize("xml", CLIENT_NETWORKS)
def test_a_client_network_reads_back_as_libvirt_prints_it(bus, lv, xml):
    path = connect_iface(bus).NetworkDefineXML(xml)
    ours_xml = str(iface(bus, path, "Network").GetXMLDesc(0))
    theirs_xml = lv.networkDefineXML(xml).XMLDesc(0)
    assert re.sub(r"<uuid>.*</uuid>", "", ours_xml) == re.sub(r"<uuid>.*</uuid>", "", theirs_xml)


BAD_POOLS = [
    "<pool type='dir'><target><path>/p</path></target></pool>",
    "<pool type='dir'><name>a/b</name><target><path>/p</path></target></pool>",
    "<pool type='dir'><name>p</name></pool>",
    "<pool type='dir'><name>default-pool</name><target><path>/q</path></target></pool>",
    "<pool type='dir'><name>q</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>"
    "<target><path>/q</path></target></pool>",
    "<pool type='dir'><name>q</name><target><path>/default-pool</path></target></pool>",
    "<pool type='dir'><name>q</name><uuid>zz</uuid><target><path>/q</path></target></pool>",
]


@pytest.mark.parametrize("xml", BAD_POOLS)
def test_bad_pool_definitions_fail_as_in_libvirt(bus, lv, xml):
    assert ours(connect_iface(bus).StoragePoolDefineXML, xml, 0) == theirs(lv.storagePoolDefineXML, xml, 0)


def test_state_errors_are_libvirts(bus, lv):
    net_ours, net_theirs = iface(bus, NET_PATH, "Network"), lv.networkLookupByName("default")
    assert ours(net_ours.Create) == theirs(net_theirs.create)
    assert ours(net_ours.Undefine) == theirs(net_theirs.undefine)
    pool_ours, pool_theirs = iface(bus, POOL_PATH, "StoragePool"), lv.storagePoolLookupByName("default-pool")
    assert ours(pool_ours.Create, 0) == theirs(pool_theirs.create, 0)
    assert ours(pool_ours.Undefine) == theirs(pool_theirs.undefine)
    pool_ours.Destroy()
    pool_theirs.destroy()
    assert ours(pool_ours.Destroy) == theirs(pool_theirs.destroy)
    assert ours(pool_ours.Refresh, 0) == theirs(pool_theirs.refresh, 0)
    assert ours(pool_ours.ListStorageVolumes, 0) == theirs(pool_theirs.listAllVolumes, 0)
    eth_ours, eth_theirs = iface(bus, TEST_PATH + "/interface/eth1", "Interface"), lv.interfaceLookupByName("eth1")
    assert ours(eth_ours.Create, 0) == theirs(eth_theirs.create, 0)
    c = connect_iface(bus)
    assert ours(c.NetworkLookupByName, "nope") == theirs(lv.networkLookupByName, "nope")
    assert ours(c.StoragePoolLookupByName, "nope") == theirs(lv.storagePoolLookupByName, "nope")
    assert ours(c.NodeDeviceLookupByName, "nope") == theirs(lv.nodeDeviceLookupByName, "nope")
    assert ours(c.InterfaceLookupByName, "nope") == theirs(lv.interfaceLookupByName, "nope")
    assert ours(c.StorageVolLookupByKey, "/nope") == theirs(lv.storageVolLookupByKey, "/nope")
    assert ours(c.FindStoragePoolSources, "logical", "", 0) == theirs(lv.findStoragePoolSources, "logical", None, 0)
