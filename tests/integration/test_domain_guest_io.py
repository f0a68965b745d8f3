"""Guest file systems, core dumps, I/O threads and starting with files on test:///default, with the
values, errors and events of libvirt's test driver (testDomainFSFreeze, testDomainFSThaw,
testDomainFSTrim, testDomainCoreDumpWithFormat, testDomainAddIOThread, testDomainDelIOThread,
testDomainPinIOThread, testDomainGetIOThreadInfo, testDomainCreateWithFiles,
testDomainCreateXMLWithFiles)."""
import os
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import TEST_PATH, SignalRecorder, connect_iface, domain_iface

NOT_RUNNING = "Requested operation is not valid: domain is not running"
NODE_CPUS = 8  # the length of test:///default's node CPU map (GetEmulatorPinInfo's too)
MISSING_PATH = TEST_PATH + "/domain/_00000000_0000_0000_0000_000000000000"
INACTIVE_XML = ("<domain type='test'><name>foo</name><memory>1024</memory><vcpu>1</vcpu>"
                "<os><type>hvm</type></os></domain>")


def message_of(call, *args):
    with pytest.raises(dbus.DBusException) as excinfo:
        call(*args)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"
    return excinfo.value.get_dbus_message()


def define_inactive(bus, xml=INACTIVE_XML):
    return domain_iface(bus, connect_iface(bus).DomainDefineXML(xml))


def cpus(*on):
    return [c in on for c in range(NODE_CPUS)]


def test_node_cpus_is_the_node_cpu_map_length(bus):
    assert len(domain_iface(bus).GetEmulatorPinInfo(0)) == NODE_CPUS


def threads_of(dom, flags=0):
    return [(int(i), [bool(b) for b in m]) for i, m in dom.GetIOThreadInfo(flags)]


# --- file systems -----------------------------------------------------------------------------

def test_freeze_and_thaw_count_the_file_systems_that_changed(bus):
    dom = domain_iface(bus)
    assert dom.FSFreeze(["/"], 0) == 1
    assert dom.FSFreeze(["/", "/"], 0) == 0
    assert dom.FSFreeze([], 0) == 1  # every file system: only /boot was still thawed
    assert dom.FSThaw(["/boot"], 0) == 1
    assert dom.FSThaw([], 0) == 1
    assert dom.FSThaw([], 0) == 0


def test_an_unknown_mount_point_changes_nothing(bus):
    dom = domain_iface(bus)
    assert message_of(dom.FSFreeze, ["/", "/x"], 0) == \
        "Requested operation is not valid: mount point not found: /x"
    assert dom.FSFreeze([], 0) == 2  # "/" was not frozen by the refused call
    assert message_of(dom.FSThaw, ["/x"], 0) == "Requested operation is not valid: mount point not found: /x"
    assert message_of(dom.FSFreeze, [], 1).endswith("unsupported flags (0x1)")


def test_trim_knows_the_test_guests_mount_points(bus):
    dom = domain_iface(bus)
    dom.FSTrim("/", 1024, 0)
    dom.FSTrim("", 0, 0)  # every file system
    assert message_of(dom.FSTrim, "/x", 0, 0) == "Requested operation is not valid: mount point not found: /x"
    assert message_of(dom.FSTrim, "/", 0, 1).endswith("unsupported flags (0x1)")


def test_file_system_calls_need_a_running_guest(bus):
    dom = define_inactive(bus)
    assert message_of(dom.FSFreeze, [], 0) == NOT_RUNNING
    assert message_of(dom.FSThaw, ["/"], 0) == NOT_RUNNING
    assert message_of(dom.FSTrim, "", 0, 0) == NOT_RUNNING


# --- core dumps -------------------------------------------------------------------------------

def test_core_dump_writes_the_test_header_and_keeps_the_guest_running(bus, workdir):
    path = os.path.join(workdir, "core")
    dom = domain_iface(bus)
    dom.CoreDump(path, 0, 0)
    with open(path, "rb") as f:
        assert f.read() == b"TestGuestMagic\0"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert dom.GetState(0)[0] == 1


def test_crash_dump_stops_the_guest_with_a_crashed_event(bus, workdir):
    recorder = SignalRecorder(bus, "DomainEvent")
    dom = domain_iface(bus)
    dom.CoreDump(os.path.join(workdir, "core"), 0, 1)  # VIR_DUMP_CRASH
    assert [(e, d) for _, e, d in recorder.wait_for(1)] == [(5, 2)]  # STOPPED / CRASHED
    assert tuple(dom.GetState(0)) == (5, 3)  # SHUTOFF / CRASHED
    assert message_of(dom.CoreDump, os.path.join(workdir, "core"), 0, 0) == NOT_RUNNING


def test_core_dump_errors_are_libvirts(bus, workdir):
    dom = domain_iface(bus)
    core = os.path.join(workdir, "core")
    assert message_of(dom.CoreDump, core, 1, 0) == \
        "Operation not supported: kdump-compressed format is not supported here"
    assert os.path.exists(core)  # as libvirt's test driver, the header is written first
    assert message_of(dom.CoreDump, core, 9, 0) == "invalid argument: dumpformat '9' is not supported"
    assert message_of(dom.CoreDump, core, 0, 3) == \
        "invalid argument: Flags 'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE' are mutually exclusive"
    assert message_of(dom.CoreDump, core, 0, 9) == \
        "invalid argument: Flags 'VIR_DUMP_CRASH' and 'VIR_DUMP_RESET' are mutually exclusive"
    assert message_of(dom.CoreDump, core, 0, 10) == \
        "invalid argument: Flags 'VIR_DUMP_LIVE' and 'VIR_DUMP_RESET' are mutually exclusive"
    assert message_of(dom.CoreDump, core, 0, 2).endswith("unsupported flags (0x2)")
    assert message_of(dom.CoreDump, workdir + "/missing/core", 0, 0) == \
        "domain 'test' coredump: failed to open %s/missing/core: No such file or directory" % workdir


# --- I/O threads ------------------------------------------------------------------------------

def test_io_threads_are_added_pinned_and_deleted(bus):
    dom = domain_iface(bus)
    assert threads_of(dom) == []
    dom.AddIOThread(1, 0)
    dom.AddIOThread(3, 0)
    assert threads_of(dom) == [(1, cpus(*range(NODE_CPUS))), (3, cpus(*range(NODE_CPUS)))]
    dom.PinIOThread(3, [True, False, True], 0)
    assert threads_of(dom)[1] == (3, cpus(0, 2))
    dom.DelIOThread(1, 0)
    assert threads_of(dom) == [(3, cpus(0, 2))]


def test_io_threads_are_in_the_domain_xml(bus):
    dom = domain_iface(bus)
    dom.AddIOThread(3, 0)
    dom.AddIOThread(7, 0)
    dom.PinIOThread(7, [True, True, True, False, True], 0)
    root = ET.fromstring(dom.GetXMLDesc(0))
    assert root.findtext("iothreads") == "2"
    assert [t.get("id") for t in root.find("iothreadids")] == ["3", "7"]
    assert [(p.get("iothread"), p.get("cpuset")) for p in root.find("cputune")] == [("7", "0-2,4")]
    dom.PinIOThread(7, [True], 0)
    dom.DelIOThread(7, 0)
    dom.DelIOThread(3, 0)
    root = ET.fromstring(dom.GetXMLDesc(0))
    assert root.find("iothreads") is None and root.find("iothreadids") is None and root.find("cputune") is None


def test_io_threads_of_the_xml_are_read(bus):
    xml = INACTIVE_XML.replace("<vcpu>", "<iothreads>3</iothreads><iothreadids><iothread id='5'/></iothreadids>"
                               "<cputune><iothreadpin iothread='1' cpuset='1-2,^2'/></cputune><vcpu>")
    dom = define_inactive(bus, xml)
    assert threads_of(dom) == [(5, cpus(*range(NODE_CPUS))), (1, cpus(1)), (2, cpus(*range(NODE_CPUS)))]


def test_io_threads_follow_live_and_config(bus):
    dom = domain_iface(bus)
    dom.AddIOThread(1, 1)  # live
    dom.AddIOThread(5, 2)  # config
    dom.AddIOThread(6, 3)  # both
    assert [i for i, _ in threads_of(dom, 1)] == [1, 6]
    assert [i for i, _ in threads_of(dom, 2)] == [5, 6]
    dom.PinIOThread(6, [False, True], 2)
    assert threads_of(dom, 2)[1] == (6, cpus(1))
    assert threads_of(dom, 1)[1] == (6, cpus(*range(NODE_CPUS)))
    root = ET.fromstring(dom.GetXMLDesc(2))  # VIR_DOMAIN_XML_INACTIVE
    assert [t.get("id") for t in root.find("iothreadids")] == ["5", "6"]
    dom.Destroy(0)
    dom.Create(0)
    assert [i for i, _ in threads_of(dom)] == [5, 6]


def test_io_thread_errors_are_libvirts(bus):
    dom = domain_iface(bus)
    dom.AddIOThread(1, 0)
    assert message_of(dom.AddIOThread, 1, 0) == "invalid argument: an IOThread is already using iothread_id '1'"
    assert message_of(dom.AddIOThread, 0, 0) == "invalid argument: invalid value of 0 for iothread_id"
    assert message_of(dom.DelIOThread, 9, 0) == "invalid argument: cannot find IOThread '9' in iothreadids list"
    assert message_of(dom.DelIOThread, 0, 0) == \
        "invalid argument: iothread_id in virDomainDelIOThread must not be zero"
    assert message_of(dom.PinIOThread, 9, [True], 0) == "invalid argument: iothreadid 9 not found"
    assert message_of(dom.PinIOThread, 1, [False], 0) == "invalid argument: Empty iothread cpumap list for pinning"
    assert message_of(dom.PinIOThread, 1, dbus.Array([], signature="b"), 0) == \
        "invalid argument: cpumap in virDomainPinIOThread must not be NULL"
    exclusive = "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    assert message_of(dom.PinIOThread, 1, [True], 3).endswith(exclusive)
    assert message_of(dom.GetIOThreadInfo, 3).endswith(exclusive)
    assert message_of(dom.AddIOThread, 2, 4).endswith("unsupported flags (0x4)")
    assert message_of(define_inactive(bus).AddIOThread, 1, 1) == \
        "Requested operation is not valid: domain is not running"


# --- starting with files ----------------------------------------------------------------------

def test_create_with_files_starts_as_create_does(bus, workdir):
    recorder = SignalRecorder(bus, "DomainEvent")
    dom = define_inactive(bus)
    with open(os.path.join(workdir, "f"), "w") as f:
        dom.CreateWithFiles([dbus.types.UnixFd(f)], 0)
    assert dom.GetState(0)[0] == 1
    assert [(e, d) for _, e, d in recorder.wait_for(2)][1] == (2, 0)  # STARTED / BOOTED
    assert message_of(dom.CreateWithFiles, [], 0).startswith("Requested operation is not valid")


def test_create_xml_with_files_creates_as_create_xml_does(bus, workdir):
    with open(os.path.join(workdir, "f"), "w") as f:
        path = connect_iface(bus).DomainCreateXMLWithFiles(INACTIVE_XML, [dbus.types.UnixFd(f)], 0)
    assert domain_iface(bus, path).GetState(0)[0] == 1


def test_guest_io_calls_on_a_missing_domain(bus):
    missing = domain_iface(bus, MISSING_PATH)
    for call, args in [("FSFreeze", ([], 0)), ("FSTrim", ("", 0, 0)), ("CoreDump", ("/tmp/x", 0, 0)),
                       ("GetIOThreadInfo", (0,)), ("AddIOThread", (1, 0)), ("CreateWithFiles", ([], 0))]:
        assert message_of(getattr(missing, call), *args).startswith("Domain not found"), call
