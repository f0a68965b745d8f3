"""Regenerates data/org.libvirt.Domain.xml from what a freshly built virtbusd serves.
Run from the build directory: top_builddir=$PWD python3 ../scripts/update-introspection.py"""
import os, sys, tempfile
import xml.etree.ElementTree as ET
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(top, "tests", "integration"))
import conftest, dbus
work = tempfile.mkdtemp()
bus = conftest.PrivateBus(work)
d = conftest.Daemon(bus, work).start()
conn = dbus.bus.BusConnection(bus.address)
xml = conn.get_object("org.libvirt", conftest.TEST_DOMAIN_PATH).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
iface = [i for i in ET.fromstring(xml).findall("interface") if i.get("name") == "org.libvirt.Domain"][0]
for m in iface:
    for child in list(m):
        if child.tag == "annotation":
            m.remove(child)
for el in iface.iter():
    el.text = None
    el.tail = None
ET.indent(iface, space="  ", level=1)
body = ET.tostring(iface, encoding="unicode")
out = '''<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<!-- org.libvirt.Domain as virtbusd serves it: libvirt-dbus's interface, plus GetInfo and
     GetBlockInfo; Active, Id, Autostart, Persistent and Updated emit PropertiesChanged.
     Each method maps to the libvirt API of the same name (see virtbusctl(1) and libvirt's docs). -->
<node name="/org/libvirt/domain">
  ''' + body.strip() + "\n</node>\n"
open(os.path.join(top, "data", "org.libvirt.Domain.xml"), "w").write(out)
conn.close(); d.stop(); bus.stop()
