"""The QEMU connection at /org/libvirt/QEMU (qemu:///session, its files under --qemu-root):
definitions kept as libvirt's qemu driver keeps them, events on define and undefine, and every
call cockpit-machines makes when its page loads, with the domain capabilities of the installed
qemu-system-x86_64."""
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import Daemon, SignalRecorder

QEMU_PATH = "/org/libvirt/QEMU"
UUID = "c7a5fdbd-cdaf-9455-926a-d65c16db1809"
GUEST = ("<domain type='qemu'><name>guest1</name><uuid>%s</uuid><memory unit='KiB'>131072</memory>"
         "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>" % UUID)
DEFINED, UNDEFINED = 0, 1


def qemu_connect(bus):
    return dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")


def qemu_domain(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")


def config_dir(workdir):
    return os.path.join(workdir, "qemu", "etc", "qemu")


def set_autostart(bus, path, value):
    props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
    props.Set("org.libvirt.Domain", "Autostart", dbus.Boolean(value))


def libvirt_error(excinfo):
    return excinfo.value.get_dbus_name(), excinfo.value.get_dbus_message()


def probe_qemu():
    """What qemu itself reports: its default machine and the CPU models it knows."""
    commands = "".join(json.dumps({"execute": c}) + "\n"
                       for c in ("qmp_capabilities", "query-machines", "query-cpu-definitions", "quit"))
    out = subprocess.run(["qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
                          "-qmp", "stdio"], input=commands, capture_output=True, text=True, timeout=30).stdout
    replies = [json.loads(line)["return"] for line in out.splitlines() if '"return"' in line]
    default = [m["name"] for m in replies[1] if m.get("is-default")][0]
    return default, [c["name"] for c in replies[2]]


def test_qemu_connection_is_served_beside_test(bus):
    conn = qemu_connect(bus)
    assert list(conn.ListDomains(0)) == []
    props = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.freedesktop.DBus.Properties")
    assert props.Get("org.libvirt.Connect", "Version") > 0


def test_define_lookup_xml_and_undefine(bus, workdir):
    conn = qemu_connect(bus)
    path = conn.DomainDefineXML(GUEST)
    assert path == QEMU_PATH + "/domain/_" + UUID.replace("-", "_")
    assert conn.DomainLookupByName("guest1") == path
    assert conn.DomainLookupByUUID(UUID) == path
    assert list(conn.ListDomains(0)) == [path]
    assert list(conn.ListDomains(1)) == []  # active
    assert list(conn.ListDomains(2)) == [path]  # inactive
    dom = qemu_domain(bus, path)
    root = ET.fromstring(dom.GetXMLDesc(0))
    assert root.get("type") == "qemu" and root.findtext("name") == "guest1"
    # libvirt adds a virtio balloon to a definition that names none
    assert [b.get("model") for b in root.iter("memballoon")] == ["virtio"]
    assert tuple(dom.GetState(0)) == (5, 0)  # shutoff, unknown
    assert dom.GetInfo()[0] == 5
    props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
    everything = props.GetAll("org.libvirt.Domain")
    assert everything["Name"] == "guest1" and everything["Persistent"] and not everything["Active"]
    assert os.path.exists(os.path.join(config_dir(workdir), UUID + ".xml"))
    dom.Undefine(0)
    assert list(conn.ListDomains(0)) == []
    assert not os.path.exists(os.path.join(config_dir(workdir), UUID + ".xml"))
    with pytest.raises(dbus.DBusException) as excinfo:
        conn.DomainLookupByName("guest1")
    assert libvirt_error(excinfo) == ("org.libvirt.Error", "Domain not found: no domain with matching name 'guest1'")


def test_kvm_definition_is_accepted_at_define(bus):
    path = qemu_connect(bus).DomainDefineXML(GUEST.replace("type='qemu'", "type='kvm'"))
    assert ET.fromstring(qemu_domain(bus, path).GetXMLDesc(0)).get("type") == "kvm"


def test_definitions_and_autostart_survive_restart(private_bus, workdir):
    d = Daemon(private_bus, workdir).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        path = qemu_connect(bus).DomainDefineXML(GUEST)
        set_autostart(bus, path, True)
        assert os.path.exists(os.path.join(config_dir(workdir), "autostart", UUID))
        # libvirt's symlink too, resolving to the stored definition
        link = os.path.join(config_dir(workdir), "autostart", "guest1.xml")
        assert os.readlink(link) == "../%s.xml" % UUID and os.path.isfile(link)
    finally:
        bus.close()
    assert d.stop() == 0
    d = Daemon(private_bus, workdir).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        conn = qemu_connect(bus)
        assert list(conn.ListDomains(0)) == [path]
        props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
        assert props.Get("org.libvirt.Domain", "Autostart") == True
        assert list(conn.ListDomains(1 << 10)) == [path]  # autostart filter
        set_autostart(bus, path, False)
        assert not os.path.exists(os.path.join(config_dir(workdir), "autostart", UUID))
        assert not os.path.lexists(os.path.join(config_dir(workdir), "autostart", "guest1.xml"))
        set_autostart(bus, path, True)
        # The daemon started it (autostart): stopped here, or its qemu would outlive the test.
        dom = qemu_domain(bus, path)
        deadline = time.monotonic() + 30
        while tuple(dom.GetState(0))[0] != 1 and time.monotonic() < deadline:  # running
            time.sleep(0.05)
        assert tuple(dom.GetState(0))[0] == 1
        dom.Destroy(0)
        dom.Undefine(0)  # takes the link with it
        assert os.listdir(os.path.join(config_dir(workdir), "autostart")) == []
    finally:
        bus.close()
        assert d.stop() == 0


def test_define_and_undefine_emit_events(bus):
    events = SignalRecorder(bus, "DomainEvent")
    conn = qemu_connect(bus)
    path = conn.DomainDefineXML(GUEST)
    conn.DomainDefineXML(GUEST.replace("131072", "262144"))
    qemu_domain(bus, path).Undefine(0)
    got = events.wait_for(3)
    assert [(p, e, d) for p, e, d in got] == [(path, DEFINED, 0), (path, DEFINED, 1), (path, UNDEFINED, 0)]


@pytest.mark.parametrize("xml, message", [
    # libvirt's wording for XML that does not parse: libxml2's message, then the line and a caret
    ("<domain type='qemu'><name>x</name>", "(domain_definition):1: Premature end of data in tag domain"),
    ("<domain type='qemu'><name>x</name><uuid>bad</uuid><memory>1024</memory>"
     "<os><type>hvm</type></os></domain>", "internal error: malformed uuid element"),
    ("<domain type='xen'><name>x</name><memory>1024</memory><os><type>hvm</type></os></domain>",
     "unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'xen'"),
])
def test_bad_definitions_are_refused(bus, workdir, xml, message):
    conn = qemu_connect(bus)
    with pytest.raises(dbus.DBusException) as excinfo:
        conn.DomainDefineXML(xml)
    name, text = libvirt_error(excinfo)
    assert name == "org.libvirt.Error" and text.startswith(message), text
    assert list(conn.ListDomains(0)) == []
    assert [f for f in os.listdir(config_dir(workdir)) if f.endswith(".xml")] == []


def test_cockpit_page_load_calls_all_answer(bus):
    conn = qemu_connect(bus)
    path = conn.DomainDefineXML(GUEST)
    assert conn.DomainLookupByName("guest1") == path
    assert list(conn.ListNetworks(0)) == []
    assert list(conn.ListInterfaces(0)) == []
    assert list(conn.ListNodeDevices(0)) == []
    # The default directory pool (drivers/qemu/qemu_storage.c), defined at first open.
    assert list(conn.ListStoragePools(0)) == [conn.StoragePoolLookupByName("default")]
    stats = dict(conn.NodeGetMemoryStats(-1, 0))
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1])
    assert stats["total"] == total and set(stats) == {"total", "free", "buffers", "cached"}
    model, memory, cpus = conn.NodeGetInfo()[:3]
    assert memory == total and cpus == os.cpu_count()
    connect_props = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.freedesktop.DBus.Properties")
    assert connect_props.Get("org.libvirt.Connect", "Hostname") == os.uname().nodename
    assert ET.fromstring(conn.GetCapabilities()).find("guest/arch").get("name") == "x86_64"
    ET.fromstring(conn.GetDomainCapabilities("", "", "", "", 0))
    dom = qemu_domain(bus, path)
    ET.fromstring(dom.GetXMLDesc(0))
    dom.GetState(0)
    assert list(dom.ListDomainSnapshots(0)) == []
    props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
    assert props.GetAll("org.libvirt.Domain")["UUID"] == UUID


def test_domain_capabilities_come_from_the_installed_qemu(bus):
    default_machine, cpu_models = probe_qemu()
    caps = ET.fromstring(qemu_connect(bus).GetDomainCapabilities("", "x86_64", "", "qemu", 0))
    assert caps.findtext("path") == "/usr/bin/qemu-system-x86_64"
    assert caps.findtext("domain") == "qemu"
    assert caps.findtext("machine") == default_machine
    assert caps.findtext("arch") == "x86_64"
    assert int(caps.find("vcpu").get("max")) >= 1
    models = [m.text for m in caps.findall("cpu/mode[@name='custom']/model")]
    assert "qemu64" in models and set(models) <= set(cpu_models)
    assert [v.text for v in caps.findall("devices/disk/enum[@name='bus']/value")][:1] == ["ide"]
    # an alias names the same machine by its canonical name
    q35 = ET.fromstring(qemu_connect(bus).GetDomainCapabilities("", "", "q35", "", 0))
    assert q35.findtext("machine").startswith("pc-q35-")
    with pytest.raises(dbus.DBusException) as excinfo:
        qemu_connect(bus).GetDomainCapabilities("", "aarch64", "", "", 0)
    assert "aarch64" in libvirt_error(excinfo)[1]


def test_qemu_uri_none_serves_no_qemu_connection(private_bus, workdir):
    d = Daemon(private_bus, workdir, extra_args=["--qemu-uri", "none"]).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        with pytest.raises(dbus.DBusException):
            qemu_connect(bus).ListDomains(0)
    finally:
        bus.close()
        assert d.stop() == 0


def test_bad_qemu_uri_is_a_clear_startup_error(workdir):
    from conftest import VIRTBUSD
    result = subprocess.run([VIRTBUSD, "--session", "--state-dir", os.path.join(workdir, "s"), "--qemu-root",
                             os.path.join(workdir, "q"), "--qemu-uri", "qemu:///bogus"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    assert "cannot open qemu:///bogus" in result.stderr and "qemu:///session" in result.stderr


def session_daemon_without_root(private_bus, workdir, env):
    d = Daemon(private_bus, workdir, env=env)
    d.args.remove("--qemu-root")
    d.args.remove(os.path.join(workdir, "qemu"))
    return d.start()


def test_session_directories_follow_xdg(private_bus, workdir):
    xdg = {name: os.path.join(workdir, name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                                                  "XDG_RUNTIME_DIR")}
    d = session_daemon_without_root(private_bus, workdir, xdg)
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        qemu_connect(bus).DomainDefineXML(GUEST)
    finally:
        bus.close()
        assert d.stop() == 0
    for base in xdg.values():
        path = os.path.join(base, "virtbus", "qemu")
        assert os.stat(path).st_mode & 0o777 == 0o700, path
    assert os.path.isfile(os.path.join(xdg["XDG_CONFIG_HOME"], "virtbus", "qemu", UUID + ".xml"))


def test_session_without_runtime_dir_falls_back_to_the_cache_and_says_so(private_bus, workdir):
    env = {"HOME": os.path.join(workdir, "home"), "XDG_RUNTIME_DIR": "", "XDG_CACHE_HOME": "",
           "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""}
    d = session_daemon_without_root(private_bus, workdir, env)
    assert d.stop() == 0
    assert os.path.isdir(os.path.join(env["HOME"], ".cache", "virtbus", "qemu"))
    assert os.path.isdir(os.path.join(env["HOME"], ".config", "virtbus", "qemu"))
    assert os.path.isdir(os.path.join(env["HOME"], ".local", "share", "virtbus", "qemu"))
    assert "XDG_RUNTIME_DIR is not set" in d.log()


def test_metadata_is_stored_with_the_definition(bus, workdir):
    changes = SignalRecorder(bus, "MetadataChange", "org.libvirt.Domain")
    path = qemu_connect(bus).DomainDefineXML(GUEST)
    dom = qemu_domain(bus, path)
    dom.SetMetadata(0, "a guest", "", "", 0)  # VIR_DOMAIN_METADATA_DESCRIPTION, current (= config)
    assert dom.GetMetadata(0, "", 0) == "a guest"
    with open(os.path.join(config_dir(workdir), UUID + ".xml")) as f:
        assert ET.fromstring(f.read()).findtext("description") == "a guest"
    assert changes.wait_for(1) == [(0, "")]
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.SetMetadata(0, "live only", "", "", 1)  # VIR_DOMAIN_AFFECT_LIVE on a shut-off domain
    assert libvirt_error(excinfo)[1] == "Requested operation is not valid: domain is not running"


def test_a_stored_copy_under_another_uuid_is_skipped_with_a_warning(private_bus, workdir):
    d = Daemon(private_bus, workdir).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        path = qemu_connect(bus).DomainDefineXML(GUEST)
    finally:
        bus.close()
    assert d.stop() == 0
    other = "c7a5fdbd-cdaf-9455-926a-d65c16db1810"  # sorts after UUID: the original loads first
    with open(os.path.join(config_dir(workdir), UUID + ".xml")) as f:
        copy = f.read().replace(UUID, other)
    with open(os.path.join(config_dir(workdir), other + ".xml"), "w") as f:
        f.write(copy)
    d = Daemon(private_bus, workdir).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        assert list(qemu_connect(bus).ListDomains(0)) == [path]
    finally:
        bus.close()
        assert d.stop() == 0
    assert "skipping stored domain 'guest1': operation failed: domain 'guest1' already exists with uuid" in d.log()
