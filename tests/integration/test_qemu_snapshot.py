"""Internal snapshots of real qemu domains through /org/libvirt/QEMU (drivers/qemu/qemu_snapshot*.c):
of a shut-off domain with `qemu-img snapshot`, of a running one with QMP snapshot-save; the tree
(parent, current, children) over D-Bus, revert and delete, the metadata files kept across a
daemon restart, and libvirt's refusals (raw disks, no disks, names, undefine with snapshots)."""
import os
import shutil
import subprocess

import dbus
import pytest

from conftest import SignalRecorder
from test_qemu_lifecycle import (QEMU_PATH, guest_files, guest_xml, lifecycle,  # noqa: F401
                                 wait_for_event, wait_for_file_text, wait_for_state)
from test_qemu_reattach import Session as ReattachSession

RUNNING, PAUSED, SHUTOFF = 1, 3, 5
DEFINED, STARTED, SUSPENDED, STOPPED = 0, 2, 3, 5
DEFINED_FROM_SNAPSHOT, STARTED_FROM_SNAPSHOT, STOPPED_FROM_SNAPSHOT, SUSPENDED_FROM_SNAPSHOT = 3, 3, 6, 5
RUNNING_FROM_SNAPSHOT = 4
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


@pytest.fixture
def session(private_bus, workdir):
    s = Session(private_bus, workdir)
    yield s
    s.stop()


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
