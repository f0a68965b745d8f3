"""The introspection XML we install under /usr/share/dbus-1/interfaces must describe exactly what
virtbusd serves: same methods, arguments, properties and signals."""
import os
import xml.etree.ElementTree as ET

import pytest

from conftest import TEST_DOMAIN_PATH, TEST_PATH

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")


def members(iface):
    """{('method', name): [(direction, type), ...], ('property', name): (type, access), ...}"""
    out = {}
    for m in iface.findall("method"):
        out[("method", m.get("name"))] = [(a.get("direction", "in"), a.get("type")) for a in m.findall("arg")]
    for s in iface.findall("signal"):
        out[("signal", s.get("name"))] = [a.get("type") for a in s.findall("arg")]
    for p in iface.findall("property"):
        out[("property", p.get("name"))] = (p.get("type"), p.get("access"))
    return out


def live_interface(bus, path, name):
    xml = bus.get_object("org.libvirt", path).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
    return [i for i in ET.fromstring(xml).findall("interface") if i.get("name") == name][0]


def data_interface(filename, name):
    root = ET.parse(os.path.join(DATA, filename)).getroot()
    return [i for i in root.findall("interface") if i.get("name") == name][0]


@pytest.mark.parametrize("filename,interface,path", [
    ("org.libvirt.Connect.xml", "org.libvirt.Connect", TEST_PATH),
    ("org.libvirt.Domain.xml", "org.libvirt.Domain", TEST_DOMAIN_PATH),
    ("org.libvirt.Network.xml", "org.libvirt.Network", TEST_PATH + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df"),
    ("org.libvirt.StoragePool.xml", "org.libvirt.StoragePool",
     TEST_PATH + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"),
    ("org.libvirt.NodeDevice.xml", "org.libvirt.NodeDevice", TEST_PATH + "/nodedev/computer"),
    ("org.libvirt.Interface.xml", "org.libvirt.Interface", TEST_PATH + "/interface/eth1"),
])
def test_installed_introspection_matches_what_virtbusd_serves(bus, filename, interface, path):
    assert members(data_interface(filename, interface)) == members(live_interface(bus, path, interface))


def test_installed_storage_vol_introspection_matches_what_virtbusd_serves(bus):
    pool = bus.get_object("org.libvirt", TEST_PATH + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566")
    path = pool.StorageVolCreateXML("<volume><name>v.img</name><capacity>1</capacity></volume>", 0,
                                    dbus_interface="org.libvirt.StoragePool")
    assert members(data_interface("org.libvirt.StorageVol.xml", "org.libvirt.StorageVol")) == \
        members(live_interface(bus, path, "org.libvirt.StorageVol"))
