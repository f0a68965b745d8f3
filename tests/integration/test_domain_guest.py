"""Guest control and queries of org.libvirt.Domain on test:///default, with the values and errors of
libvirt's test driver (testDomainGetHostname, testDomainGetTime, testDomainSendKey, testDomainRename, ...)."""
import os
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import TEST_DOMAIN_PATH, TEST_PATH, Daemon, SignalRecorder, connect_iface, domain_iface

NOT_RUNNING = "Requested operation is not valid: domain is not running"
NOT_SUPPORTED = "this function is not supported by the connection driver"
MISSING_PATH = TEST_PATH + "/domain/_00000000_0000_0000_0000_000000000000"
INACTIVE_XML = ("<domain type='test'><name>foo</name><memory>1024</memory><vcpu>1</vcpu>"
                "<os><type>hvm</type></os><devices>"
                "<disk type='file' device='cdrom'><target dev='hdc'/></disk>"
                "<disk type='file' device='disk'><source file='/b'/><target dev='vdc'/></disk>"
                "<disk type='file' device='disk'><source file='/c'/><target dev='vdd'/></disk>"
                "</devices></domain>")


def error_of(call, *args):
    with pytest.raises(dbus.DBusException) as excinfo:
        call(*args)
    return excinfo.value.get_dbus_name(), excinfo.value.get_dbus_message()


def message_of(call, *args):
    name, message = error_of(call, *args)
    assert name == "org.libvirt.Error"
    return message


def define_inactive(bus, xml=INACTIVE_XML):
    return domain_iface(bus, connect_iface(bus).DomainDefineXML(xml))


def name_of(bus, path):
    return ET.fromstring(domain_iface(bus, path).GetXMLDesc(0)).findtext("name")


def test_hostname_is_the_domain_name_plus_host(bus):
    dom = domain_iface(bus)
    assert dom.GetHostname(0) == "testhost"
    assert message_of(dom.GetHostname, 1).endswith("unsupported flags (0x1)")
    assert message_of(define_inactive(bus).GetHostname, 0) == NOT_RUNNING


def test_guest_time_starts_fixed_and_follows_set_time(bus):
    dom = domain_iface(bus)
    assert tuple(dom.GetTime(0)) == (627319920, 0)
    dom.SetTime(12345, 678, 0)
    assert tuple(dom.GetTime(0)) == (12345, 678)
    dom.SetTime(1, 1000000000, 1)  # VIR_DOMAIN_TIME_SYNC, and nseconds is not range-checked
    assert tuple(dom.GetTime(0)) == (1, 1000000000)
    assert message_of(dom.SetTime, 1, 0, 2).endswith("unsupported flags (0x2)")
    assert message_of(dom.GetTime, 1).endswith("unsupported flags (0x1)")


def test_guest_time_needs_a_running_guest(bus):
    dom = domain_iface(bus)
    dom.Suspend()
    assert message_of(dom.GetTime, 0) == NOT_RUNNING  # paused: the clock cannot be read
    dom.SetTime(5, 0, 0)  # ... but can be set
    dom.Resume()
    assert tuple(dom.GetTime(0)) == (5, 0)
    inactive = define_inactive(bus)
    assert message_of(inactive.GetTime, 0) == NOT_RUNNING
    assert message_of(inactive.SetTime, 1, 0, 0) == NOT_RUNNING


@pytest.mark.parametrize("seconds, expected", [
    (627319920, (0, 0, 0)), (5, (1, 0, 5)), (10005, (2, 0, 5)), (30007, (3, 3, 7)), (30004, (3, 0, 4)),
])
def test_control_info_follows_the_guest_clock(bus, seconds, expected):
    dom = domain_iface(bus)
    dom.SetTime(seconds, 0, 0)
    assert tuple(dom.GetControlInfo(0)) == expected


def test_control_info_errors(bus):
    assert message_of(domain_iface(bus).GetControlInfo, 1).endswith("unsupported flags (0x1)")
    assert message_of(define_inactive(bus).GetControlInfo, 0) == NOT_RUNNING


def test_inject_nmi_and_user_password_need_a_running_guest(bus):
    dom = domain_iface(bus)
    dom.InjectNMI(0)
    dom.SetUserPassword("root", "secret", 0)
    dom.SetUserPassword("root", "$6$hash", 1)  # VIR_DOMAIN_PASSWORD_ENCRYPTED
    assert message_of(dom.InjectNMI, 1).endswith("unsupported flags (0x1)")
    assert message_of(dom.SetUserPassword, "root", "x", 2).endswith("unsupported flags (0x2)")
    inactive = define_inactive(bus)
    assert message_of(inactive.InjectNMI, 0) == NOT_RUNNING
    assert message_of(inactive.SetUserPassword, "root", "x", 0) == NOT_RUNNING


def test_send_key_checks_keycodes_against_the_codeset(bus):
    dom = domain_iface(bus)
    dom.SendKey(0, 100, [29, 56, 111], 0)  # linux: ctrl-alt-delete
    dom.SendKey(9, 0, [0x53], 0)  # qnum
    assert message_of(dom.SendKey, 0, 0, [9999], 0) == "internal error: invalid keycode 9999 of linux codeset"
    assert message_of(dom.SendKey, 3, 0, [2], 0) == "internal error: invalid keycode 2 of atset2 codeset"
    assert message_of(dom.SendKey, 10, 0, [1], 0) == "invalid argument: Unsupported codeset '10'"
    assert message_of(dom.SendKey, 0, 0, [30] * 17, 0) == "invalid argument: nkeycodes must be <= 16"
    assert message_of(dom.SendKey, 0, 0, dbus.Array([], signature="u"), 0) == \
        "invalid argument: keycodes in virDomainSendKey must not be NULL"
    assert message_of(dom.SendKey, 0, 0, [30], 4).endswith("unsupported flags (0x4)")
    assert message_of(define_inactive(bus).SendKey, 0, 0, [30], 0) == NOT_RUNNING


def test_send_process_signal_only_to_pid_1(bus):
    dom = domain_iface(bus)
    dom.SendProcessSignal(1, 64, 0)
    define_inactive(bus).SendProcessSignal(1, 9, 0)  # no running guest needed
    assert message_of(dom.SendProcessSignal, 0, 9, 0) == \
        "invalid argument: pid_value in virDomainSendProcessSignal must not be zero"
    assert message_of(dom.SendProcessSignal, 2, 9, 0) == \
        "invalid argument: only sending a signal to pid 1 is supported"
    assert message_of(dom.SendProcessSignal, 1, 65, 0) == "invalid argument: signum value 65 is out of range"
    assert message_of(dom.SendProcessSignal, 1, 9, 1).endswith("unsupported flags (0x1)")


def test_memory_stats_from_the_balloon(bus):
    stats = domain_iface(bus).MemoryStats(0)
    assert dict(stats) == {6: 2097152, 0: 0, 1: 0, 2: 0, 3: 0, 4: 1048576, 5: 2097152, 8: 1048576,
                           9: 627319920, 10: 262144, 11: 0, 12: 0, 7: 1048576}
    assert message_of(domain_iface(bus).MemoryStats, 1).endswith("unsupported flags (0x1)")
    inactive = define_inactive(bus)
    assert message_of(inactive.MemoryStats, 0) == NOT_RUNNING
    inactive.Create(0)
    assert dict(inactive.MemoryStats(0)) == {}  # no <memballoon>, no statistics


def test_memory_peek_counts_up_from_the_address(bus):
    dom = domain_iface(bus)
    assert bytes(dom.MemoryPeek(250, 8, 1)) == bytes([250, 251, 252, 253, 254, 255, 0, 1])
    assert bytes(dom.MemoryPeek(3, 2, 2)) == bytes([3, 4])
    assert bytes(dom.MemoryPeek(3, 0, 1)) == b""
    assert message_of(dom.MemoryPeek, 0, 8, 0) == \
        "invalid argument: flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL"
    assert message_of(dom.MemoryPeek, 0, 8, 3) == \
        "invalid argument: Flags 'VIR_MEMORY_VIRTUAL' and 'VIR_MEMORY_PHYSICAL' are mutually exclusive"
    assert message_of(dom.MemoryPeek, 0, 8, 4).endswith("unsupported flags (0x4)")
    assert message_of(dom.MemoryPeek, 0, 1 << 40, 1).startswith("invalid argument: memory peek request too large")
    assert message_of(define_inactive(bus).MemoryPeek, 0, 8, 1) == NOT_RUNNING


def test_emulator_pinning_live_and_config(bus):
    dom = domain_iface(bus)
    assert list(dom.GetEmulatorPinInfo(0)) == [True] * 8
    dom.PinEmulator([True, False, True], 0)  # current = live on a running domain
    assert list(dom.GetEmulatorPinInfo(1)) == [True, False, True] + [False] * 5
    assert list(dom.GetEmulatorPinInfo(2)) == [True] * 8
    dom.PinEmulator([False, True], 2)
    assert list(dom.GetEmulatorPinInfo(2)) == [False, True] + [False] * 6
    dom.Destroy(0)
    dom.Create(0)  # the live pinning starts from the config one
    assert list(dom.GetEmulatorPinInfo(0)) == [False, True] + [False] * 6


def test_emulator_pinning_errors(bus):
    dom = domain_iface(bus)
    assert message_of(dom.PinEmulator, [False] * 8, 0) == "invalid argument: Empty cpu list for pinning"
    assert message_of(dom.PinEmulator, dbus.Array([], signature="b"), 0) == \
        "invalid argument: cpumap in virDomainPinEmulator must not be NULL"
    exclusive = "invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    assert message_of(dom.PinEmulator, [True], 3) == exclusive
    assert message_of(dom.GetEmulatorPinInfo, 3) == exclusive
    assert message_of(dom.PinEmulator, [True], 4).endswith("unsupported flags (0x4)")
    assert message_of(dom.GetEmulatorPinInfo, 4).endswith("unsupported flags (0x4)")
    inactive = define_inactive(bus)
    assert list(inactive.GetEmulatorPinInfo(0)) == [True] * 8
    assert message_of(inactive.GetEmulatorPinInfo, 1) == NOT_RUNNING
    assert message_of(inactive.PinEmulator, [True], 1) == NOT_RUNNING


def test_fs_info_from_the_first_disk(bus):
    assert [tuple(map(str, e[:3])) + (list(e[3]),) for e in domain_iface(bus).GetFSInfo(0)] == [
        ("/", "vda1", "ext4", ["vda"]), ("/boot", "vda2", "ext4", ["vda"])]
    inactive = define_inactive(bus)
    assert message_of(inactive.GetFSInfo, 0) == NOT_RUNNING
    inactive.Create(0)
    assert [str(e[1]) for e in inactive.GetFSInfo(0)] == ["vdc1", "vdc2"]  # the cdrom is skipped
    assert message_of(inactive.GetFSInfo, 1).endswith("unsupported flags (0x1)")


def test_disk_errors_alternate_for_every_disk(bus):
    assert [tuple(e) for e in domain_iface(bus).GetDiskErrors(0)] == [("vda", 1)]
    inactive = define_inactive(bus)
    assert message_of(inactive.GetDiskErrors, 0) == NOT_RUNNING
    inactive.Create(0)
    assert [tuple(e) for e in inactive.GetDiskErrors(1)] == [("hdc", 1), ("vdc", 2), ("vdd", 1)]


def test_rename_an_inactive_domain(bus):
    recorder = SignalRecorder(bus, "DomainEvent")
    dom = define_inactive(bus)
    path = dom.object_path
    recorder.wait_for(1)
    dom.Rename("bar", 0)
    events = recorder.wait_for(3)
    assert [(str(p), e, d) for p, e, d in events[1:3]] == [(path, 1, 1), (path, 0, 2)]  # UNDEFINED/RENAMED, DEFINED/RENAMED
    assert name_of(bus, path) == "bar"
    assert connect_iface(bus).DomainLookupByName("bar") == path
    assert message_of(connect_iface(bus).DomainLookupByName, "foo").startswith("Domain not found")
    dom.Create(0)
    assert dom.GetHostname(0) == "barhost"


def test_rename_errors(bus):
    dom = define_inactive(bus)
    assert message_of(domain_iface(bus).Rename, "x", 0) == \
        "Requested operation is not valid: cannot rename active domain"
    assert message_of(dom.Rename, "x", 1).endswith("unsupported flags (0x1)")
    assert message_of(dom.Rename, "foo", 0) == "Requested operation is not valid: Can't rename domain to itself"
    assert message_of(dom.Rename, "test", 0) == \
        "Requested operation is not valid: domain with name 'test' already exists"
    assert message_of(dom.Rename, "a/b", 0) == "XML error: name a/b cannot contain '/'"
    assert message_of(dom.Rename, "", 0) == "invalid argument: string new_name in virDomainRename must not be empty"
    transient = domain_iface(bus, connect_iface(bus).DomainCreateXML(INACTIVE_XML.replace("foo", "tr"), 0))
    assert message_of(transient.Rename, "x", 0) == "Requested operation is not valid: cannot rename active domain"
    assert name_of(bus, dom.object_path) == "foo"


def test_rename_keeps_the_store_consistent(private_bus, workdir):
    node = os.path.join(workdir, "node.xml")
    with open(node, "w") as f:
        f.write("<node>" + INACTIVE_XML + "</node>")
    daemon = Daemon(private_bus, workdir, extra_args=["--test-uri", "test://" + node]).start()
    conn = dbus.bus.BusConnection(private_bus.address)
    path = connect_iface(conn).DomainLookupByName("foo")
    domain_iface(conn, path).Destroy(0)  # node-file domains start running
    domain_iface(conn, path).Rename("bar", 0)
    conn.close()
    assert daemon.stop() == 0
    daemon = Daemon(private_bus, workdir, extra_args=["--test-uri", "test://" + node]).start()
    conn = dbus.bus.BusConnection(private_bus.address)
    names = [name_of(conn, p) for p in connect_iface(conn).ListDomains(0)]
    conn.close()
    assert daemon.stop() == 0
    assert names == ["bar"]


def test_guest_calls_on_a_missing_domain(bus):
    missing = domain_iface(bus, MISSING_PATH)
    for call, args in [("GetHostname", (0,)), ("GetTime", (0,)), ("InjectNMI", (0,)), ("Rename", ("x", 0)),
                       ("MemoryStats", (0,)), ("GetFSInfo", (0,)), ("GetDiskErrors", (0,)),
                       ("GetEmulatorPinInfo", (0,)), ("SendKey", (0, 0, [30], 0))]:
        assert message_of(getattr(missing, call), *args).startswith("Domain not found"), call


@pytest.mark.parametrize("member, args, api", [
    ("GetSecurityLabelList", (), "virDomainGetSecurityLabelList"),
    ("GetGuestVcpus", (0,), "virDomainGetGuestVcpus"),
    ("SetGuestVcpus", ([True], 1, 0), "virDomainSetGuestVcpus"),
    ("GetJobStats", (0,), "virDomainGetJobStats"),
    ("BlockPeek", ("vda", 0, 8, 0), "virDomainBlockPeek"),
])
def test_what_libvirts_test_driver_lacks_stays_not_supported(bus, member, args, api):
    assert message_of(getattr(domain_iface(bus), member), *args) == NOT_SUPPORTED + ": " + api
