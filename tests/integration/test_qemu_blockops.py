"""BlockResize and BlockPeek on a real qemu guest through /org/libvirt/QEMU
(drivers/qemu/qemu_block_ops.c): raw and qcow2 disks of a running guest grown with QMP block_resize
(seen in GetBlockInfo, in the image file, in what qemu itself reports over a second monitor, and
in a pool volume's GetInfo), libvirt's refusals, bytes read back from a raw image, and
virtbusctl blockresize. Boots tests/guest's tiny guest under TCG."""
import os
import shutil
import subprocess

import dbus
import pytest

from test_qemu_hotplug import QEMU_PATH, Qmp, guest_xml
from test_qemu_lifecycle import guest_files  # noqa: F401 (a fixture)
from test_virtbusctl import ctl, ctl_error

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None or shutil.which("qemu-img") is None,
                                reason="qemu-system-x86_64 or qemu-img (qemu-utils) is not installed")

RUNNING, SHUTOFF = 1, 5
BYTES = 1  # VIR_DOMAIN_BLOCK_RESIZE_BYTES
MiB = 1 << 20
QEMU = ("-c", "qemu:///session")
MARK = b"virtbus-peek-mark"
MARK_OFFSET = 3 * 512 + 7


def disk(target, source, fmt="raw", device="disk", extra=""):
    return ("<disk type='file' device='%s'><driver name='qemu' type='%s'/><source file='%s'/>"
            "<target dev='%s' bus='%s'/>%s</disk>"
            % (device, fmt, source, target, "ide" if device == "cdrom" else "virtio", extra))


def raw_image(path, size):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def connect(bus):
    return dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")


def domain(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")


def refused(call):
    with pytest.raises(dbus.DBusException) as excinfo:
        call()
    return excinfo.value.get_dbus_message()


def qemu_sizes(qmp):
    """The virtual size qemu's format nodes have now."""
    return {n["node-name"]: n["image"]["virtual-size"] for n in qmp.cmd("query-named-block-nodes")
            if n["node-name"].endswith("-format")}


@pytest.fixture
def guest(bus, daemon, workdir, guest_files):
    """A running guest with a raw disk (vda, libvirt-1-*), a qcow2 one (vdb, libvirt-2-*), a read-only
    disk and a CD-ROM; the raw image carries MARK at MARK_OFFSET."""
    kernel, initramfs = guest_files
    raw = raw_image(os.path.join(workdir, "raw.img"), MiB)
    with open(raw, "r+b") as f:
        f.seek(MARK_OFFSET)
        f.write(MARK)
    qcow2 = os.path.join(workdir, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qcow2, "1M"], check=True)
    ro = raw_image(os.path.join(workdir, "ro.img"), MiB)
    iso = raw_image(os.path.join(workdir, "cd.iso"), MiB)
    devices = (disk("vda", raw) + disk("vdb", qcow2, "qcow2") + disk("vdc", ro, extra="<readonly/>") +
               disk("hdc", iso, device="cdrom"))
    qmp_path = os.path.join(workdir, "test.qmp")
    path = connect(bus).DomainDefineXML(guest_xml("blk", kernel, initramfs, os.path.join(workdir, "serial.log"),
                                                  qmp_path, devices))
    dom = domain(bus, path)
    dom.Create(0)
    qmp = Qmp(qmp_path)
    yield dom, qmp, {"raw": raw, "qcow2": qcow2, "ro": ro, "iso": iso}
    print(daemon.log())  # shown when the test failed
    qmp.close()
    dom.Destroy(0)
    dom.Undefine(0)


def test_block_resize_grows_raw_and_qcow2_disks_of_a_running_guest(guest):
    dom, qmp, files = guest

    # KiB by default: the raw file grows, GetBlockInfo and qemu see the new size.
    dom.BlockResize("vda", 2048, 0)
    assert os.path.getsize(files["raw"]) == 2 * MiB
    assert tuple(dom.GetBlockInfo("vda", 0))[0] == 2 * MiB
    assert qemu_sizes(qmp)["libvirt-1-format"] == 2 * MiB

    # Bytes, and the disk named by its source path; a qcow2 size is rounded up to 512.
    dom.BlockResize(files["qcow2"], 3 * MiB + 1, BYTES)
    assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 3 * MiB + 512
    assert qemu_sizes(qmp)["libvirt-2-format"] == 3 * MiB + 512
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", files["qcow2"]], check=True,
                         capture_output=True, text=True).stdout
    assert '"virtual-size": %d' % (3 * MiB + 512) in out, out
    # A raw image takes any byte count.
    dom.BlockResize(files["raw"], 2 * MiB + 1, BYTES)
    assert os.path.getsize(files["raw"]) == 2 * MiB + 1

    assert tuple(dom.GetState(0))[0] == RUNNING


def test_block_resize_refusals_change_nothing(bus, workdir, guest, guest_files):
    dom, qmp, files = guest
    before = qemu_sizes(qmp)

    assert "disk 'vdz' was not found in the domain config" in refused(lambda: dom.BlockResize("vdz", 2048, 0))
    assert "can't resize empty or readonly disk 'vdc'" in refused(lambda: dom.BlockResize("vdc", 2048, 0))
    assert "can't resize empty or readonly disk 'hdc'" in refused(lambda: dom.BlockResize("hdc", 2048, 0))
    assert "unsupported flags (0x2)" in refused(lambda: dom.BlockResize("vda", 2048, 2))
    assert "size must be less than %d" % ((1 << 64) // 1024 - 1) in refused(
        lambda: dom.BlockResize("vda", 1 << 62, 0))
    # qemu's own refusal passes through, in libvirt's words: a size qemu's qcow2 driver cannot take.
    assert "unable to execute QEMU command 'block_resize': " in refused(
        lambda: dom.BlockResize("vdb", 1 << 62, BYTES))
    assert qemu_sizes(qmp) == before
    assert os.path.getsize(files["raw"]) == MiB and os.path.getsize(files["ro"]) == MiB
    assert tuple(dom.GetState(0))[0] == RUNNING

    # A domain that does not run: libvirt's words, the image untouched.
    kernel, initramfs = guest_files
    image = raw_image(os.path.join(workdir, "off.img"), MiB)
    off = domain(bus, connect(bus).DomainDefineXML(guest_xml("off", kernel, initramfs,
                                                             os.path.join(workdir, "off.log"),
                                                             os.path.join(workdir, "off.qmp"), disk("vda", image))))
    try:
        assert "domain is not running" in refused(lambda: off.BlockResize("vda", 2048, 0))
        assert os.path.getsize(image) == MiB
    finally:
        off.Undefine(0)


def test_block_resize_shrinking_follows_qemu(guest):
    dom, qmp, files = guest
    dom.BlockResize("vda", 4096, 0)
    # qemu shrinks a raw image when asked (libvirt leaves the caution to the caller) ...
    dom.BlockResize("vda", 1024, 0)
    assert os.path.getsize(files["raw"]) == MiB and tuple(dom.GetBlockInfo("vda", 0))[0] == MiB
    # ... and a qcow2 one (qemu 7.2 shrinks one with no data past the new end).
    dom.BlockResize("vdb", 512, 0)
    assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 512 * 1024
    assert tuple(dom.GetState(0))[0] == RUNNING


def test_block_peek_reads_the_raw_image(bus, workdir, guest, guest_files):
    dom, qmp, files = guest
    got = bytes(dom.BlockPeek("vda", MARK_OFFSET, len(MARK), 0))
    assert got == MARK
    # By source path, the whole first sector around it; size 0 is an access test.
    sector = bytes(dom.BlockPeek(files["raw"], 0, 4096, 0))
    assert sector[MARK_OFFSET:MARK_OFFSET + len(MARK)] == MARK and sector[:MARK_OFFSET] == bytes(MARK_OFFSET)
    assert bytes(dom.BlockPeek("vda", 0, 0, 0)) == b""

    # libvirt's refusals.
    assert "'vda' starting from %d has only 16 bytes available" % (MiB - 16) in refused(
        lambda: dom.BlockPeek("vda", MiB - 16, 32, 0))
    assert "'vda' starting from %d has only 0 bytes available" % (4 * MiB) in refused(
        lambda: dom.BlockPeek("vda", 4 * MiB, 1, 0))
    assert "size > maximum buffer size" in refused(lambda: dom.BlockPeek("vda", 0, 4 * MiB + 1, 0))
    assert len(dom.BlockPeek("vda", 0, MiB, 0)) == MiB
    assert "peeking is only supported for disk with 'raw' format not 'qcow2'" in refused(
        lambda: dom.BlockPeek("vdb", 0, 16, 0))
    assert "disk 'vdz' not found in domain" in refused(lambda: dom.BlockPeek("vdz", 0, 16, 0))
    assert "string disk in virDomainBlockPeek must not be empty" in refused(lambda: dom.BlockPeek("", 0, 16, 0))
    assert "unsupported flags (0x1)" in refused(lambda: dom.BlockPeek("vda", 0, 16, 1))

    # As libvirt, a domain that does not run can be peeked at too.
    kernel, initramfs = guest_files
    off = domain(bus, connect(bus).DomainDefineXML(guest_xml("peekoff", kernel, initramfs,
                                                             os.path.join(workdir, "p.log"),
                                                             os.path.join(workdir, "p.qmp"),
                                                             disk("vda", files["raw"]))))
    try:
        assert tuple(off.GetState(0))[0] == SHUTOFF
        assert bytes(off.BlockPeek("vda", MARK_OFFSET, len(MARK), 0)) == MARK
    finally:
        off.Undefine(0)


def test_block_resize_of_a_pool_volume_disk_shows_in_the_volume(bus, workdir, guest_files):
    kernel, initramfs = guest_files
    conn = connect(bus)
    pool = dbus.Interface(bus.get_object("org.libvirt", conn.StoragePoolLookupByName("default")),
                          "org.libvirt.StoragePool")
    vol_path = pool.StorageVolCreateXML("<volume><name>grow.qcow2</name><capacity>%d</capacity>"
                                        "<target><format type='qcow2'/></target></volume>" % MiB, 0)
    vol = dbus.Interface(bus.get_object("org.libvirt", vol_path), "org.libvirt.StorageVol")
    volume_disk = ("<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                   "<source pool='default' volume='grow.qcow2'/><target dev='vda' bus='virtio'/></disk>")
    dom = domain(bus, conn.DomainDefineXML(guest_xml("voldom", kernel, initramfs, os.path.join(workdir, "v.log"),
                                                     os.path.join(workdir, "v.qmp"), volume_disk)))
    dom.Create(0)
    try:
        dom.BlockResize("vda", 8 * MiB, BYTES)
        assert tuple(dom.GetBlockInfo("vda", 0))[0] == 8 * MiB
        assert tuple(vol.GetInfo(0))[1] == 8 * MiB
    finally:
        dom.Destroy(0)
        dom.Undefine(0)


def test_virtbusctl_blockresize(daemon, bus, guest):
    dom, qmp, files = guest
    out = ctl(daemon, *QEMU, "blockresize", "blk", "vda", "3M").stdout
    assert out == "Block device 'vda' is resized\n"
    assert os.path.getsize(files["raw"]) == 3 * MiB
    # No unit: KiB; a size that is not whole KiB goes as bytes (rounded up to 512 for qcow2).
    ctl(daemon, *QEMU, "blockresize", "blk", "vdb", "2049")
    assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 2049 * 1024
    ctl(daemon, *QEMU, "blockresize", "blk", "vda", "3145729b")
    assert os.path.getsize(files["raw"]) == 3 * MiB + 1

    err = ctl_error(daemon, *QEMU, "blockresize", "blk", "hdc", "2M")
    assert err.startswith("Failed to resize block device 'hdc': ") and "can't resize empty or readonly disk 'hdc'" in err
    err = ctl_error(daemon, *QEMU, "blockresize", "blk", "vda", "lots", status=2)
    assert err == "Scaled numeric value 'lots' for <size> option is malformed or out of range", err
    assert os.path.getsize(files["raw"]) == 3 * MiB + 1
    assert ctl(daemon, "help", "blockresize").stdout.startswith("Usage: virtbusctl blockresize DOMAIN DISK SIZE")
