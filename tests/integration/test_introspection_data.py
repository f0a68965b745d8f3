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
])
def test_installed_introspection_matches_what_virtbusd_serves(bus, filename, interface, path):
    assert members(data_interface(filename, interface)) == members(live_interface(bus, path, interface))
