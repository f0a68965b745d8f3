"""Internal snapshots of real qemu domains through /org/libvirt/QEMU (drivers/qemu/qemu_snapshot*.c):
of a shut-off domain with `qemu-img snapshot`, of a running one with QMP snapshot-save; the tree
(parent, current, children) over D-Bus, revert and delete, the metadata files kept across a
daemon restart, and libvirt's refusals (raw disks, no disks, names, undefine with snapshots)."""
import os
import shutil
import signal
import subprocess
import time

import dbus
import pytest

from conftest import SignalRecorder
from test_qemu_lifecycle import (QEMU_PATH, guest_files, guest_xml, lifecycle,  # noqa: F401
                                 wait_for_event, wait_for_file_text, wait_for_state)
from test_qemu_reattach import Session as ReattachSession

RUNNING, PAUSED, SHUTOFF = 1, 3, 5
DEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN = 0, 2, 3, 4, 5, 6
DEFINED_FROM_SNAPSHOT, STARTED_FROM_SNAPSHOT, STOPPED_FROM_SNAPSHOT, SUSPENDED_FROM_SNAPSHOT = 3, 3, 6, 5
RUNNING_FROM_SNAPSHOT, PAUSED_FROM_SNAPSHOT, SHUTOFF_FROM_SNAPSHOT = 4, 7, 7
REDEFINE, CURRENT, REVERT_RUNNING, HALT = 1, 2, 1, 8
UNDEFINE_SNAPSHOTS_METADATA = 2
DELETE_CHILDREN, DELETE_METADATA_ONLY, DELETE_CHILDREN_ONLY = 1, 2, 4
READY = "VIRTBUS-GUEST-READY"

pytestmark = pytest.mark.skipif(shutil.which("qemu-img") is None or shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-img (qemu-utils) or qemu-system-x86_64 is not installed")


class Session(ReattachSession):
    """One virtbusd on the private bus, and a client connection to it, with snapshot helpers."""

    def snapshot(self, path):
        return dbus.Interface(self.bus.get_object("org.libvirt", path), "org.libvirt.DomainSnapshot")

    def names(self, paths):
        """Snapshot names from object paths: .../_<uuid, escaped>_<name> (plain names stay as they are)."""
        return [path.rsplit("/", 1)[1][38:] for path in paths]


def kill_leftover_guests(workdir):
    """The qemu processes this test's daemons started and a failed test left running (they
    outlive the daemon): named by the pidfiles in this test's own run directory."""
    run = os.path.join(workdir, "qemu", "run", "qemu")
    for entry in os.listdir(run) if os.path.isdir(run) else []:
        if entry.endswith(".pid"):
            try:
                os.kill(int(open(os.path.join(run, entry)).read().split()[0]), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass


@pytest.fixture
def session(private_bus, workdir):
    s = Session(private_bus, workdir)
    yield s
    try:
        s.stop()
    finally:
        kill_leftover_guests(workdir)


def qcow2(workdir, name, size="16M", fmt="qcow2"):
    path = os.path.join(workdir, name)
    subprocess.run(["qemu-img", "create", "-q", "-f", fmt, path, size], check=True)
    return path


def disk_xml(path, fmt="qcow2", target="vda", attrs=""):
    return ("<disk type='file' device='disk'%s><driver name='qemu' type='%s'/><source file='%s'/>"
            "<target dev='%s' bus='virtio'/></disk>" % (attrs, fmt, path, target))


def image_snapshots(path):
    out = subprocess.run(["qemu-img", "snapshot", "-U", "-l", path], check=True, capture_output=True,
                         text=True).stdout
    return [line.split()[1] for line in out.splitlines()[2:] if line.strip()]


def qemu_io(path, command):
    return subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, path], capture_output=True, text=True)


def error_of(call):
    with pytest.raises(dbus.DBusException) as excinfo:
        call()
    return excinfo.value.get_dbus_message()


def define(session, workdir, guest_files, name, devices):
    kernel, initramfs = guest_files
    path = session.conn.DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(workdir, name + ".serial"),
                                                  devices))
    return path, dbus.Interface(session.bus.get_object("org.libvirt", path), "org.libvirt.Domain")


def test_shut_off_snapshots_tree_revert_delete_and_restart(private_bus, workdir, guest_files):
    image = qcow2(workdir, "disk.qcow2")
    first = Session(private_bus, workdir)
    try:
        path, dom = define(first, workdir, guest_files, "snapy",
                           disk_xml(image) + "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/>"
                           "<readonly/></disk>")
        assert first.names(dom.ListDomainSnapshots(0)) == []
        assert "does not have a current snapshot" in error_of(lambda: dom.SnapshotCurrent(0))

        assert qemu_io(image, "write -P 0xaa 0 4k").returncode == 0
        s1 = dom.SnapshotCreateXML("<domainsnapshot><name>s1</name><description>first</description>"
                                   "</domainsnapshot>", 0)
        assert qemu_io(image, "write -P 0xbb 0 4k").returncode == 0
        s2 = dom.SnapshotCreateXML("<domainsnapshot><name>s2</name></domainsnapshot>", 0)
        assert image_snapshots(image) == ["s1", "s2"]
        assert first.names(dom.ListDomainSnapshots(0)) == ["s1", "s2"]
        assert dom.SnapshotCurrent(0) == s2
        assert first.snapshot(s2).GetParent(0) == s1
        assert first.names(first.snapshot(s1).ListChildren(0)) == ["s2"]
        assert first.snapshot(s2).IsCurrent(0) and not first.snapshot(s1).IsCurrent(0)
        xml = first.snapshot(s1).GetXMLDesc(0)
        assert "<state>shutoff</state>" in xml and "<memory snapshot='no'/>" in xml, xml
        assert "<disk name='vda' snapshot='internal'/>" in xml and "<disk name='hdc' snapshot='no'/>" in xml, xml
        assert "<description>first</description>" in xml and "<name>snapy</name>" in xml, xml
        assert "no domain snapshot with matching name 'nope'" in error_of(lambda: dom.SnapshotLookupByName("nope", 0))
        assert "domain moment s1 already exists" in error_of(
            lambda: dom.SnapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>", 0))
        assert image_snapshots(image) == ["s1", "s2"]  # nothing half-made

        # The metadata files, libvirt's layout: <config>/snapshot/<domain>/<name>.xml.
        meta = os.path.join(workdir, "qemu", "etc", "qemu", "snapshot", "snapy")
        assert sorted(os.listdir(meta)) == ["s1.xml", "s2.xml"]
        assert "<active>1</active>" in open(os.path.join(meta, "s2.xml")).read()

        # Revert to s1: the disk has s1's data again, s1 is current, Defined/FromSnapshot.
        events = SignalRecorder(first.bus, "DomainEvent")
        first.snapshot(s1).Revert(0)
        assert qemu_io(image, "read -P 0xaa 0 4k").returncode == 0
        assert dom.SnapshotCurrent(0) == s1
        assert wait_for_event(events, path, DEFINED)
        assert (DEFINED, DEFINED_FROM_SNAPSHOT) in lifecycle(events, path)
        assert tuple(dom.GetState(0))[0] == SHUTOFF

        # A third snapshot is s1's child beside s2.
        s3 = dom.SnapshotCreateXML("<domainsnapshot><name>s3</name></domainsnapshot>", 0)
        assert first.snapshot(s3).GetParent(0) == s1
        assert sorted(first.names(first.snapshot(s1).ListChildren(0))) == ["s2", "s3"]
        first.stop()

        # A new daemon reads the tree back: parents, current, the XML.
        second = Session(private_bus, workdir)
        path, dom = second.domain("snapy")
        assert second.names(dom.ListDomainSnapshots(0)) == ["s1", "s2", "s3"]
        assert second.names([dom.SnapshotCurrent(0)]) == ["s3"]
        assert second.names([second.snapshot(s2).GetParent(0)]) == ["s1"]
        assert "<description>first</description>" in second.snapshot(s1).GetXMLDesc(0)

        # Delete s1 alone: its children take its place as roots, the image loses only s1.
        second.snapshot(s1).Delete(0)
        assert image_snapshots(image) == ["s2", "s3"]
        assert "does not have a parent" in error_of(lambda: second.snapshot(s2).GetParent(0))
        assert sorted(os.listdir(meta)) == ["s2.xml", "s3.xml"]
        assert "<parent>" not in open(os.path.join(meta, "s3.xml")).read()

        # METADATA_ONLY forgets s2 but leaves it in the image.
        second.snapshot(s2).Delete(DELETE_METADATA_ONLY)
        assert image_snapshots(image) == ["s2", "s3"]
        assert second.names(dom.ListDomainSnapshots(0)) == ["s3"]

        # Undefine: refused with snapshots (libvirt's words), then with SNAPSHOTS_METADATA.
        assert "cannot delete inactive domain with 1 snapshots" in error_of(lambda: dom.Undefine(0))
        dom.Undefine(UNDEFINE_SNAPSHOTS_METADATA)
        assert not os.path.exists(meta)
        assert image_snapshots(image) == ["s2", "s3"]  # metadata only, as libvirt
        second.stop()
    finally:
        if first.daemon.proc.poll() is None:
            first.stop()


def test_children_delete_and_a_failing_disk_rolls_back(session, workdir, guest_files):
    a, b = qcow2(workdir, "a.qcow2"), qcow2(workdir, "b.qcow2")
    path, dom = define(session, workdir, guest_files, "two", disk_xml(a) + disk_xml(b, target="vdb"))
    root = dom.SnapshotCreateXML("<domainsnapshot><name>root</name></domainsnapshot>", 0)
    dom.SnapshotCreateXML("<domainsnapshot><name>mid</name></domainsnapshot>", 0)
    dom.SnapshotCreateXML("<domainsnapshot><name>leaf</name></domainsnapshot>", 0)
    assert image_snapshots(a) == image_snapshots(b) == ["root", "mid", "leaf"]

    # CHILDREN_ONLY keeps root (now current, as libvirt), CHILDREN then takes it too.
    session.snapshot(root).Delete(DELETE_CHILDREN_ONLY)
    assert image_snapshots(a) == image_snapshots(b) == ["root"]
    assert dom.SnapshotCurrent(0) == root
    session.snapshot(root).Delete(DELETE_CHILDREN)
    assert image_snapshots(a) == image_snapshots(b) == []
    assert session.names(dom.ListDomainSnapshots(0)) == []

    # The second disk cannot take the snapshot (a raw image said to be qcow2): the first loses it
    # again, and nothing is recorded.
    c = qcow2(workdir, "c.img", fmt="raw")
    _, bad = define(session, workdir, guest_files, "bad", disk_xml(a) + disk_xml(c, target="vdb"))
    message = error_of(lambda: bad.SnapshotCreateXML("<domainsnapshot><name>half</name></domainsnapshot>", 0))
    assert "qemu-img snapshot failed" in message, message
    assert image_snapshots(a) == []
    assert session.names(bad.ListDomainSnapshots(0)) == []


def test_refusals_in_libvirts_words(session, workdir, guest_files):
    raw = qcow2(workdir, "plain.img", fmt="raw")
    _, dom = define(session, workdir, guest_files, "rawdisk", disk_xml(raw, fmt="raw"))
    message = error_of(lambda: dom.SnapshotCreateXML("<domainsnapshot/>", 0))
    assert "internal snapshot for disk vda unsupported for storage type raw" in message, message

    # A raw disk left out with snapshot='no' while a qcow2 one is in: all disks or none.
    image = qcow2(workdir, "ok.qcow2")
    _, mixed = define(session, workdir, guest_files, "mixed",
                      disk_xml(image) + disk_xml(raw, "raw", "vdb", " snapshot='no'"))
    message = error_of(lambda: mixed.SnapshotCreateXML("<domainsnapshot/>", 0))
    assert "internal and full system snapshots require all disks to be selected" in message, message
    message = error_of(lambda: mixed.SnapshotCreateXML(
        "<domainsnapshot><disks><disk name='vda' snapshot='no'/></disks></domainsnapshot>", 0))
    assert "disk 'vda' must use snapshot mode 'internal'" in message, message
    assert image_snapshots(image) == []

    # No disk at all, shut off: nothing to snapshot.
    _, bare = define(session, workdir, guest_files, "bare", "")
    assert "nothing selected for snapshot" in error_of(lambda: bare.SnapshotCreateXML("<domainsnapshot/>", 0))

    _, good = define(session, workdir, guest_files, "good", disk_xml(qcow2(workdir, "good.qcow2")))
    assert "name can't contain '/'" in error_of(
        lambda: good.SnapshotCreateXML("<domainsnapshot><name>a/b</name></domainsnapshot>", 0))
    assert "name can't start with '.'" in error_of(
        lambda: good.SnapshotCreateXML("<domainsnapshot><name>.x</name></domainsnapshot>", 0))
    assert "external" in error_of(
        lambda: good.SnapshotCreateXML("<domainsnapshot><memory snapshot='external' file='/tmp/m'/>"
                                       "</domainsnapshot>", 0))


def forget(events):
    """Drops the signals so far, those still queued from earlier blocking calls included."""
    events.settle(0.2)
    del events.items[:]


def wait_for_lifecycle(events, path, wanted, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and wanted not in lifecycle(events, path):
        events.wait_for(len(events.items) + 1, timeout=0.1)
    return lifecycle(events, path)


def test_running_snapshot_revert_resumes_the_guest_where_it_was(session, workdir, guest_files):
    image = qcow2(workdir, "live.qcow2")
    path, dom = define(session, workdir, guest_files, "livey", disk_xml(image))
    serial = os.path.join(workdir, "livey.serial")
    events = SignalRecorder(session.bus, "DomainEvent")
    dom.Create(0)
    assert wait_for_file_text(serial, READY, 40), "guest not ready"

    # A snapshot of the running guest: qemu's snapshot-save, the vCPUs stopped and resumed around it.
    forget(events)
    snap = dom.SnapshotCreateXML("<domainsnapshot><name>up</name></domainsnapshot>", 0)
    assert tuple(dom.GetState(0))[0] == RUNNING
    got = wait_for_lifecycle(events, path, (RESUMED, 0))
    assert got.index((SUSPENDED, 0)) < got.index((RESUMED, 0)), got
    xml = session.snapshot(snap).GetXMLDesc(0)
    assert "<state>running</state>" in xml and "<memory snapshot='internal'/>" in xml, xml
    assert "<disk name='vda' snapshot='internal'/>" in xml and "<name>livey</name>" in xml, xml
    assert image_snapshots(image) == ["up"]
    vm_sizes = subprocess.run(["qemu-img", "snapshot", "-U", "-l", image], capture_output=True, text=True).stdout
    assert " 0 B " not in vm_sizes.splitlines()[2], vm_sizes  # the guest's memory went in with it

    # The guest powers off; the revert starts it from the snapshot: it carries on where it was
    # (no second boot: READY is not printed again) and still answers the power button.
    dom.Shutdown(0)
    assert wait_for_state(dom, SHUTOFF, 60)[0] == SHUTOFF
    os.unlink(serial)
    forget(events)
    session.snapshot(snap).Revert(0)
    assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_FROM_SNAPSHOT)
    got = wait_for_lifecycle(events, path, (STARTED, STARTED_FROM_SNAPSHOT))
    assert (STARTED, STARTED_FROM_SNAPSHOT) in got and (RESUMED, 0) not in got, got
    dom.Shutdown(0)
    assert wait_for_state(dom, SHUTOFF, 60)[0] == SHUTOFF
    text = open(serial, errors="replace").read()
    assert "VIRTBUS-GUEST-POWERDOWN" in text and READY not in text, text

    # A paused guest's snapshot; reverting the running domain to it ends qemu and starts a new
    # one paused: Stopped/FromSnapshot, Started/FromSnapshot, Suspended/FromSnapshot.
    os.unlink(serial)
    dom.Create(0)
    assert wait_for_file_text(serial, READY, 40), "guest not ready"
    dom.Suspend()
    paused = dom.SnapshotCreateXML("<domainsnapshot><name>held</name></domainsnapshot>", 0)
    assert tuple(dom.GetState(0))[0] == PAUSED
    assert "<state>paused</state>" in session.snapshot(paused).GetXMLDesc(0)
    assert session.snapshot(paused).GetParent(0) == snap
    dom.Resume()
    forget(events)
    session.snapshot(paused).Revert(0)
    assert tuple(dom.GetState(0)) == (PAUSED, PAUSED_FROM_SNAPSHOT)
    got = wait_for_lifecycle(events, path, (SUSPENDED, SUSPENDED_FROM_SNAPSHOT))
    got = wait_for_lifecycle(events, path, (DEFINED, DEFINED_FROM_SNAPSHOT))
    assert [e for e in got if e[0] != SHUTDOWN] == [  # qemu's SHUTDOWN as it is ended, as for Destroy
        (STOPPED, STOPPED_FROM_SNAPSHOT), (STARTED, STARTED_FROM_SNAPSHOT), (SUSPENDED, SUSPENDED_FROM_SNAPSHOT),
        (DEFINED, DEFINED_FROM_SNAPSHOT)], got
    assert dom.SnapshotCurrent(0) == paused

    # Deleting a snapshot while the domain runs: qemu's snapshot-delete.
    session.snapshot(snap).Delete(0)
    assert image_snapshots(image) == ["held"]
    assert "does not have a parent" in error_of(lambda: session.snapshot(paused).GetParent(0))
    dom.Destroy(0)
    log = session.daemon.log()  # qemu's jobs were dismissed and the delete found the state
    assert "job-dismiss" not in log and "deleting snapshot" not in log, log

    # A snapshot the image lost behind libvirt's back: qemu cannot load it, the revert says so
    # with qemu's words and the domain stays shut off.
    subprocess.run(["qemu-img", "snapshot", "-d", "held", image], check=True)
    message = error_of(lambda: session.snapshot(paused).Revert(0))
    assert "process exited while connecting to monitor" in message, message  # libvirt's words
    assert "Snapshot 'held' does not exist" in message, message  # and qemu's
    assert tuple(dom.GetState(0))[0] == SHUTOFF


def test_running_domain_without_disks_is_refused(session, workdir, guest_files):
    _, dom = define(session, workdir, guest_files, "nodisk", "")
    serial = os.path.join(workdir, "nodisk.serial")
    dom.Create(0)
    try:
        message = error_of(lambda: dom.SnapshotCreateXML("<domainsnapshot/>", 0))
        assert "internal and full system snapshots require all disks to be selected" in message, message
        assert "must include the memory state" in error_of(lambda: dom.SnapshotCreateXML(
            "<domainsnapshot><memory snapshot='no'/></domainsnapshot>", 0))
        assert tuple(dom.GetState(0))[0] == RUNNING
        assert serial  # the guest was left alone
    finally:
        dom.Destroy(0)


def test_shut_off_snapshot_of_a_running_domain_and_redefine(session, workdir, guest_files):
    image = qcow2(workdir, "off.qcow2")
    path, dom = define(session, workdir, guest_files, "offy", disk_xml(image))
    serial = os.path.join(workdir, "offy.serial")
    events = SignalRecorder(session.bus, "DomainEvent")
    assert qemu_io(image, "write -P 0x11 0 4k").returncode == 0
    off = dom.SnapshotCreateXML("<domainsnapshot><name>off</name></domainsnapshot>", 0)
    assert qemu_io(image, "write -P 0x22 0 4k").returncode == 0

    # Reverting a running domain to a shut-off snapshot ends qemu, then qemu-img -a:
    # shutoff/from_snapshot, Stopped/FromSnapshot then Defined/FromSnapshot.
    dom.Create(0)
    assert wait_for_file_text(serial, READY, 40), "guest not ready"
    forget(events)
    session.snapshot(off).Revert(0)
    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_FROM_SNAPSHOT)
    got = wait_for_lifecycle(events, path, (DEFINED, DEFINED_FROM_SNAPSHOT))
    assert [e for e in got if e[0] != SHUTDOWN] == [(STOPPED, STOPPED_FROM_SNAPSHOT),
                                                    (DEFINED, DEFINED_FROM_SNAPSHOT)], got
    assert qemu_io(image, "read -P 0x11 0 4k").returncode == 0

    # With RUNNING the domain boots from the reverted disks: running/from_snapshot, Started/FromSnapshot.
    forget(events)
    session.snapshot(off).Revert(REVERT_RUNNING)
    assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_FROM_SNAPSHOT)
    got = wait_for_lifecycle(events, path, (DEFINED, DEFINED_FROM_SNAPSHOT))
    assert got == [(STARTED, STARTED_FROM_SNAPSHOT), (DEFINED, DEFINED_FROM_SNAPSHOT)], got

    # HALT: the running snapshot is taken, then qemu ends: shutoff/from_snapshot, Stopped/FromSnapshot.
    assert wait_for_file_text(serial, READY, 40), "guest not ready"
    forget(events)
    halted = dom.SnapshotCreateXML("<domainsnapshot><name>halted</name></domainsnapshot>", HALT)
    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_FROM_SNAPSHOT)
    got = wait_for_lifecycle(events, path, (STOPPED, STOPPED_FROM_SNAPSHOT))
    assert (STOPPED, STOPPED_FROM_SNAPSHOT) in got and (RESUMED, 0) not in got, got
    assert "<state>running</state>" in session.snapshot(halted).GetXMLDesc(0)
    assert image_snapshots(image) == ["off", "halted"]

    # REDEFINE records metadata only (the disks keep what they have); CURRENT makes it current.
    xml = session.snapshot(off).GetXMLDesc(0).replace("<name>off</name>", "<name>again</name>", 1)
    again = dom.SnapshotCreateXML(xml, REDEFINE | CURRENT)
    assert dom.SnapshotCurrent(0) == again
    assert image_snapshots(image) == ["off", "halted"]
    assert "definition for snapshot bad must use uuid" in error_of(lambda: dom.SnapshotCreateXML(
        xml.replace("<name>again</name>", "<name>bad</name>", 1).replace(
            dom.GetXMLDesc(0).split("<uuid>")[1].split("</uuid>")[0], "00000000-0000-0000-0000-000000000001"),
        REDEFINE))
    meta = os.path.join(workdir, "qemu", "etc", "qemu", "snapshot", "offy")
    assert "<active>1</active>" in open(os.path.join(meta, "again.xml")).read()
    assert "<active>0</active>" in open(os.path.join(meta, "off.xml")).read()


def test_a_transient_domain_takes_its_snapshot_metadata_along(private_bus, workdir, guest_files):
    kernel, initramfs = guest_files
    image = qcow2(workdir, "transient.qcow2")
    serial = os.path.join(workdir, "fleeting.serial")
    first = Session(private_bus, workdir)
    second = None
    try:
        path = first.conn.DomainCreateXML(guest_xml("fleeting", kernel, initramfs, serial, disk_xml(image)), 0)
        dom = dbus.Interface(first.bus.get_object("org.libvirt", path), "org.libvirt.Domain")
        assert wait_for_file_text(serial, READY, 40), "guest not ready"
        assert "cannot halt after transient domain snapshot" in error_of(
            lambda: dom.SnapshotCreateXML("<domainsnapshot/>", HALT))
        dom.SnapshotCreateXML("<domainsnapshot><name>t</name></domainsnapshot>", 0)
        meta = os.path.join(workdir, "qemu", "etc", "qemu", "snapshot", "fleeting")
        assert os.listdir(meta) == ["t.xml"]
        first.stop()

        # The guest runs on; the next daemon finds it and its snapshots (libvirt's reconnect).
        second = Session(private_bus, workdir)
        path, dom = second.domain("fleeting")
        assert second.names(dom.ListDomainSnapshots(0)) == ["t"]
        dom.Destroy(0)
        assert "fleeting" not in [str(p) for p in second.conn.ListDomains(0)]
        assert not os.path.exists(meta)  # libvirt's qemuDomainRemoveInactive
        assert image_snapshots(image) == ["t"]
    finally:
        if first.daemon.proc.poll() is None:
            first.stop()
        if second:
            second.stop()
        kill_leftover_guests(workdir)


def test_pool_volume_disks_are_snapshotted_in_their_files(session, workdir, guest_files):
    """cockpit-machines adds disks as <disk type='volume'>: a shut-off snapshot works on the file."""
    target = os.path.join(workdir, "snappool")
    pool = dbus.Interface(session.bus.get_object("org.libvirt", session.conn.StoragePoolDefineXML(
        "<pool type='dir'><name>snappool</name><target><path>%s</path></target></pool>" % target, 0)),
        "org.libvirt.StoragePool")
    pool.Build(0)
    pool.Create(0)
    pool.StorageVolCreateXML("<volume><name>vol.qcow2</name><capacity unit='MiB'>4</capacity>"
                             "<target><format type='qcow2'/></target></volume>", 0)
    _, dom = define(session, workdir, guest_files, "pooled",
                    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                    "<source pool='snappool' volume='vol.qcow2'/><target dev='vda' bus='virtio'/></disk>")
    snap = dom.SnapshotCreateXML("<domainsnapshot><name>p1</name></domainsnapshot>", 0)
    assert image_snapshots(os.path.join(target, "vol.qcow2")) == ["p1"]
    assert "<source pool='snappool' volume='vol.qcow2'/>" in session.snapshot(snap).GetXMLDesc(0)
    session.snapshot(snap).Revert(0)
    session.snapshot(snap).Delete(0)
    assert image_snapshots(os.path.join(target, "vol.qcow2")) == []
