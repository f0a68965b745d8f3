"""Regenerates data/org.libvirt.{Connect,Domain,Network,StoragePool,StorageVol,NodeDevice,Interface}.xml
from what a freshly built virtbusd serves (test:///default, with one volume created so a
StorageVol object exists). Run from the build directory:
  top_builddir=$PWD /usr/bin/python3 ../scripts/update-introspection.py"""
import os, sys, tempfile
import xml.etree.ElementTree as ET
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(top, "tests", "integration"))
import conftest, dbus

T = "/org/libvirt/Test"
OBJECTS = [
    ("org.libvirt.Connect", T, "/org/libvirt/connect",
     "libvirt-dbus's interface (DomainLookupByID takes i as libvirt-dbus does), plus NodeGetInfo.\n"
     "     Typed-parameter results (a{sv}) carry each value double-wrapped, as libvirt-dbus sends them.\n"
     "     Secret and NWFilter calls answer \"not supported\" (no driver serves them)."),
    ("org.libvirt.Domain", conftest.TEST_DOMAIN_PATH, "/org/libvirt/domain",
     "libvirt-dbus's interface, plus GetInfo and\n"
     "     GetBlockInfo; Active, Id, Autostart, Persistent and Updated emit PropertiesChanged.\n"
     "     Each method maps to the libvirt API of the same name (see virtbusctl(1) and libvirt's docs)."),
    ("org.libvirt.Network", T + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df", "/org/libvirt/network",
     "libvirt-dbus's interface; Active, Autostart and Persistent emit PropertiesChanged."),
    ("org.libvirt.StoragePool", T + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566", "/org/libvirt/storagepool",
     "libvirt-dbus's interface; Active, Autostart and Persistent emit PropertiesChanged."),
    ("org.libvirt.StorageVol", T + "/storagevol/_2fdefault_2dpool_2fintrospect_2eimg", "/org/libvirt/storagevol",
     "libvirt-dbus's interface; objects are named by the volume's key."),
    ("org.libvirt.NodeDevice", T + "/nodedev/computer", "/org/libvirt/nodedev", "libvirt-dbus's interface."),
    ("org.libvirt.Interface", T + "/interface/eth1", "/org/libvirt/interface", "libvirt-dbus's interface."),
]

work = tempfile.mkdtemp()
bus = conftest.PrivateBus(work)
d = conftest.Daemon(bus, work).start()
conn = dbus.bus.BusConnection(bus.address)
pool = conn.get_object("org.libvirt", OBJECTS[2][1])
pool.StorageVolCreateXML("<volume><name>introspect.img</name><capacity>1</capacity></volume>", 0,
                         dbus_interface="org.libvirt.StoragePool")
for name, path, node, comment in OBJECTS:
    xml = conn.get_object("org.libvirt", path).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
    iface = [i for i in ET.fromstring(xml).findall("interface") if i.get("name") == name][0]
    for m in iface:
        for child in list(m):
            if child.tag == "annotation":
                m.remove(child)
    for el in iface.iter():
        el.text = None
        el.tail = None
    ET.indent(iface, space="  ", level=1)
    body = ET.tostring(iface, encoding="unicode")
    out = ('<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n'
           '"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n'
           '<!-- %s as virtbusd serves it: %s -->\n<node name="%s">\n  %s\n</node>\n'
           % (name, comment, node, body.strip()))
    open(os.path.join(top, "data", name + ".xml"), "w").write(out)
conn.close(); d.stop(); bus.stop()
