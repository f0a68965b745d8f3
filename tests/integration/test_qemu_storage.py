"""Directory storage pools and volumes of /org/libvirt/QEMU (drivers/qemu/qemu_storage*.c), for
real in the test's --qemu-root: the default pool, define/build/start/refresh/destroy/delete/
undefine with their events, volumes made and read with qemu-img, the refusals (names leaving the
directory, duplicates, files already there, too large), and the tiny guest booted with a qcow2
volume of a pool as its disk. Volumes are built on the loop (a clone held at a gate while other
calls answer), and pool targets must lie under the storage roots."""
import json
import os
import shutil
import stat
import subprocess
import time
import uuid

import dbus
import pytest

from conftest import SignalRecorder
from test_qemu_lifecycle import QEMU_PATH, SHUTOFF, domain, guest_files, guest_xml  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("qemu-img") is None or shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-img (qemu-utils) or qemu-system-x86_64 is not installed")

DEFINED, UNDEFINED, STARTED, STOPPED, CREATED, DELETED = 0, 1, 2, 3, 4, 5
MiB = 1024 * 1024


def connect(bus):
    return dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")


def pool_iface(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.StoragePool")


def vol_iface(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.StorageVol")


def prop(bus, path, interface, name):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties").Get(interface, name)


def img_info(path):
    return json.loads(subprocess.run(["qemu-img", "info", "--output=json", "-U", path], check=True,
                                     capture_output=True, text=True).stdout)


def pool_xml(name, path, mode=None, pool_uuid=None):
    perms = "<permissions><mode>%s</mode></permissions>" % mode if mode else ""
    uuid_el = "<uuid>%s</uuid>" % pool_uuid if pool_uuid else ""
    return "<pool type='dir'><name>%s</name>%s<target><path>%s</path>%s</target></pool>" % (name, uuid_el, path,
                                                                                            perms)


def vol_xml(name, capacity, fmt="raw", allocation=None):
    alloc = "<allocation>%d</allocation>" % allocation if allocation is not None else ""
    return ("<volume><name>%s</name><capacity>%d</capacity>%s<target><format type='%s'/></target></volume>"
            % (name, capacity, alloc, fmt))


def refused(call):
    with pytest.raises(dbus.DBusException) as excinfo:
        call()
    return excinfo.value.get_dbus_message()


def pool_events(events):
    return [(str(p), int(e)) for p, e, _ in events.items]


def started_pool(bus, workdir, name):
    conn = connect(bus)
    path = conn.StoragePoolDefineXML(pool_xml(name, os.path.join(workdir, name)), 0)
    pool = pool_iface(bus, path)
    pool.Build(0)
    pool.Create(0)
    return path, pool


def test_default_pool_is_defined_built_and_running(bus, workdir):
    conn = connect(bus)
    path = conn.StoragePoolLookupByName("default")
    images = os.path.join(workdir, "qemu", "lib", "images")
    assert path in conn.ListStoragePools(0)
    assert prop(bus, path, "org.libvirt.StoragePool", "Active")
    assert prop(bus, path, "org.libvirt.StoragePool", "Autostart")
    assert "<path>%s</path>" % images in pool_iface(bus, path).GetXMLDesc(0)
    assert os.path.isdir(images)
    state, capacity, allocation, available = pool_iface(bus, path).GetInfo()
    assert state == 2 and capacity > 0 and available > 0 and allocation <= capacity


def test_pool_lifecycle_refresh_and_events(bus, workdir):
    conn = connect(bus)
    events = SignalRecorder(bus, "StoragePoolEvent")
    target = os.path.join(workdir, "pools", "one")
    pool_uuid = str(uuid.uuid4())
    path = conn.StoragePoolDefineXML(pool_xml("one", target, "0750", pool_uuid), 0)
    pool = pool_iface(bus, path)
    config = os.path.join(workdir, "qemu", "etc", "qemu", "storage", pool_uuid + ".xml")
    assert os.path.exists(config)
    assert not prop(bus, path, "org.libvirt.StoragePool", "Active")
    # Inactive: no volumes to list, refresh refused.
    assert "is not active" in refused(lambda: pool.Refresh(0))

    pool.Build(0)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o750
    pool.Create(0)
    assert prop(bus, path, "org.libvirt.StoragePool", "Active")
    assert pool.ListStorageVolumes(0) == []

    # Files dropped into the directory appear after Refresh, read by qemu-img.
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", os.path.join(target, "dropped.qcow2"), "32M"],
                   check=True)
    with open(os.path.join(target, "plain.img"), "wb") as f:
        f.truncate(3 * MiB)
    os.mkdir(os.path.join(target, "subdir"))
    refreshes = SignalRecorder(bus, "Refresh", "org.libvirt.StoragePool")
    pool.Refresh(0)
    assert refreshes.wait_for(1)
    vols = {str(prop(bus, p, "org.libvirt.StorageVol", "Name")): p for p in pool.ListStorageVolumes(0)}
    assert sorted(vols) == ["dropped.qcow2", "plain.img"]
    xml = vol_iface(bus, vols["dropped.qcow2"]).GetXMLDesc(0)
    assert "<format type='qcow2'/>" in xml and "<capacity unit='bytes'>%d</capacity>" % (32 * MiB) in xml, xml
    assert "<path>%s</path>" % os.path.join(target, "dropped.qcow2") in xml
    vtype, capacity, allocation = vol_iface(bus, vols["plain.img"]).GetInfo(0)
    assert (vtype, capacity) == (0, 3 * MiB)
    assert allocation == img_info(os.path.join(target, "plain.img"))["actual-size"]

    # Destroy, then Delete: only an empty directory goes.
    pool.Destroy()
    assert not prop(bus, path, "org.libvirt.StoragePool", "Active")
    assert "failed to remove pool" in refused(lambda: pool.Delete(0))
    shutil.rmtree(target)
    os.mkdir(target)
    pool.Delete(0)
    assert not os.path.exists(target)
    pool.Undefine()
    assert not os.path.exists(config)
    assert "no storage pool with matching name 'one'" in refused(lambda: conn.StoragePoolLookupByName("one"))

    assert events.wait_for(6)
    assert [e for p, e in pool_events(events) if p == path] == [DEFINED, CREATED, STARTED, STOPPED, DELETED,
                                                                UNDEFINED]


def test_refresh_reads_files_on_the_loop_and_the_pool_is_busy_meanwhile(bus, workdir):
    from gi.repository import GLib
    path, pool = started_pool(bus, workdir, "many")
    target = os.path.join(workdir, "many")
    for i in range(12):
        if i % 2:
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", os.path.join(target, "q%d" % i), "%dM" % i],
                           check=True)
        else:
            with open(os.path.join(target, "r%d" % i), "wb") as f:
                f.truncate((i + 1) * MiB)
    replies = []
    pool.Refresh(0, reply_handler=lambda: replies.append("done"), error_handler=replies.append)
    # One qemu-img at a time on the loop: the daemon answers meanwhile, and refuses what would
    # change the pool under the scan.
    assert "pool 'many' has asynchronous jobs running." in refused(lambda: pool.Destroy())
    assert "has asynchronous jobs running" in refused(lambda: pool.StorageVolCreateXML(vol_xml("x", MiB), 0))
    assert path in connect(bus).ListStoragePools(0)
    assert not replies
    context = GLib.MainContext.default()
    for _ in range(2000):
        if replies:
            break
        context.iteration(False) or time.sleep(0.005)
    assert replies == ["done"]
    got = {}
    for p in pool.ListStorageVolumes(0):
        xml = vol_iface(bus, p).GetXMLDesc(0)
        got[str(prop(bus, p, "org.libvirt.StorageVol", "Name"))] = ("qcow2" if "type='qcow2'" in xml else "raw",
                                                                    vol_iface(bus, p).GetInfo(0)[1])
    assert got == {("q%d" % i if i % 2 else "r%d" % i): ("qcow2", i * MiB) if i % 2 else ("raw", (i + 1) * MiB)
                   for i in range(12)}
    pool.Destroy()


def test_bad_pool_definitions_are_refused(bus, workdir):
    conn = connect(bus)
    images = os.path.join(workdir, "qemu", "lib", "images")
    assert "Storage source conflict with pool: 'default'" in refused(
        lambda: conn.StoragePoolDefineXML(pool_xml("again", images), 0))
    assert "already exists with uuid" in refused(
        lambda: conn.StoragePoolDefineXML(pool_xml("default", os.path.join(workdir, "elsewhere")), 0))
    assert "missing backend for pool type logical" in refused(lambda: conn.StoragePoolDefineXML(
        "<pool type='logical'><name>vg</name><source><name>vg</name></source></pool>", 0))
    # Build on a directory that is there already keeps its mode unless the definition gives one;
    # on a file it is refused.
    existing = os.path.join(workdir, "existing")
    os.mkdir(existing, 0o755)
    os.chmod(existing, 0o755)
    pool_iface(bus, conn.StoragePoolDefineXML(pool_xml("existing", existing), 0)).Build(0)
    assert stat.S_IMODE(os.stat(existing).st_mode) == 0o755
    with open(os.path.join(workdir, "afile"), "w"):
        pass
    file_pool = pool_iface(bus, conn.StoragePoolDefineXML(pool_xml("afile", os.path.join(workdir, "afile")), 0))
    assert "Not a directory" in refused(lambda: file_pool.Build(0))
    file_pool.Undefine()
    pool_iface(bus, conn.StoragePoolLookupByName("existing")).Undefine()
    assert "missing storage pool target path" in refused(
        lambda: conn.StoragePoolDefineXML("<pool type='dir'><name>x</name></pool>", 0))
    assert len(connect(bus).ListStoragePools(0)) == 1


def test_volumes_create_clone_resize_wipe_delete(bus, workdir):
    path, pool = started_pool(bus, workdir, "vols")
    target = os.path.join(workdir, "vols")

    raw = pool.StorageVolCreateXML(vol_xml("a.raw", 4 * MiB), 0)
    qcow = pool.StorageVolCreateXML(vol_xml("b.qcow2", 64 * MiB, "qcow2", 0), 0)
    info = img_info(os.path.join(target, "a.raw"))
    assert (info["format"], info["virtual-size"]) == ("raw", 4 * MiB)
    info = img_info(os.path.join(target, "b.qcow2"))
    assert (info["format"], info["virtual-size"]) == ("qcow2", 64 * MiB)
    assert stat.S_IMODE(os.stat(os.path.join(target, "b.qcow2")).st_mode) == 0o600
    key = str(prop(bus, qcow, "org.libvirt.StorageVol", "Key"))
    assert key == os.path.join(target, "b.qcow2")
    conn = connect(bus)
    assert conn.StorageVolLookupByPath(key) == qcow and conn.StorageVolLookupByKey(key) == qcow
    assert pool.StorageVolLookupByName("a.raw") == raw

    # Clone: qemu-img convert to the format asked for.
    clone = pool.StorageVolCreateXMLFrom(vol_xml("c.raw", 64 * MiB, "raw", 0), key, 0)
    info = img_info(os.path.join(target, "c.raw"))
    assert (info["format"], info["virtual-size"]) == ("raw", 64 * MiB)
    assert "<format type='raw'/>" in vol_iface(bus, clone).GetXMLDesc(0)

    # Resize: grow; shrinking needs the flag.
    vol_iface(bus, qcow).Resize(128 * MiB, 0)
    assert img_info(key)["virtual-size"] == 128 * MiB
    assert vol_iface(bus, qcow).GetInfo(0)[1] == 128 * MiB
    assert "unless shrink flag explicitly specified" in refused(lambda: vol_iface(bus, raw).Resize(1 * MiB, 0))
    vol_iface(bus, raw).Resize(2 * MiB, 4)  # VIR_STORAGE_VOL_RESIZE_SHRINK
    assert img_info(os.path.join(target, "a.raw"))["virtual-size"] == 2 * MiB

    # Wipe: the raw file reads as zeros, same size.
    with open(os.path.join(target, "a.raw"), "r+b") as f:
        f.write(b"\xff" * 4096)
    vol_iface(bus, raw).Wipe(0, 0)
    with open(os.path.join(target, "a.raw"), "rb") as f:
        data = f.read()
    assert len(data) == 2 * MiB and data.count(0) == len(data)

    # Delete: the file goes, the name is free again.
    vol_iface(bus, clone).Delete(0)
    assert not os.path.exists(os.path.join(target, "c.raw"))
    assert sorted(str(prop(bus, p, "org.libvirt.StorageVol", "Name")) for p in pool.ListStorageVolumes(0)) == [
        "a.raw", "b.qcow2"]
    assert "no storage vol with matching key" in refused(lambda: conn.StorageVolLookupByKey(
        os.path.join(target, "c.raw")))


def test_bad_volumes_are_refused_and_leave_nothing(bus, workdir):
    path, pool = started_pool(bus, workdir, "bad")
    target = os.path.join(workdir, "bad")
    before = sorted(os.listdir(workdir))
    for name in ("../x", "a/b", ".."):
        assert "cannot contain '/'" in refused(lambda: pool.StorageVolCreateXML(vol_xml(name, MiB), 0))
    assert sorted(os.listdir(workdir)) == before and os.listdir(target) == []

    pool.StorageVolCreateXML(vol_xml("dup", MiB), 0)
    assert "storage volume 'dup' exists already" in refused(
        lambda: pool.StorageVolCreateXML(vol_xml("dup", MiB, "qcow2"), 0))
    assert img_info(os.path.join(target, "dup"))["format"] == "raw"

    # A file nobody refreshed yet is not overwritten either.
    with open(os.path.join(target, "mine"), "w") as f:
        f.write("precious")
    assert "storage volume 'mine' exists already" in refused(
        lambda: pool.StorageVolCreateXML(vol_xml("mine", MiB), 0))
    assert open(os.path.join(target, "mine")).read() == "precious"

    free = pool.GetInfo()[3]
    assert "Not enough free space in pool for volume 'huge'" in refused(
        lambda: pool.StorageVolCreateXML(vol_xml("huge", free + 1024 * MiB), 0))
    assert "unknown storage vol type cow" in refused(lambda: pool.StorageVolCreateXML(vol_xml("odd", MiB, "cow"), 0))
    assert "missing capacity element" in refused(lambda: pool.StorageVolCreateXML(
        "<volume><name>nocap</name></volume>", 0))
    assert sorted(os.listdir(target)) == ["dup", "mine"]


def test_guest_boots_from_a_pool_volume(bus, workdir, guest_files):
    kernel, initramfs = guest_files
    conn = connect(bus)
    pool = pool_iface(bus, conn.StoragePoolLookupByName("default"))
    vol = pool.StorageVolCreateXML(vol_xml("guest.qcow2", 16 * MiB, "qcow2", 0), 0)
    file_path = str(prop(bus, vol, "org.libvirt.StorageVol", "Path"))
    disk = ("<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source pool='default' volume='guest.qcow2'/><target dev='vda' bus='virtio'/></disk>")
    dom = domain(bus, conn.DomainDefineXML(guest_xml("voldisk", kernel, initramfs,
                                                     os.path.join(workdir, "v.log"), disk)))
    dom.Create(0)
    try:
        run = os.path.join(workdir, "qemu", "run", "qemu")
        pid = int(open(os.path.join(run, "voldisk.pid")).read().split()[0])
        argv = open("/proc/%d/cmdline" % pid, "rb").read().decode().split("\0")
        blockdevs = [json.loads(a) for a in argv if a.startswith("{") and '"driver"' in a]
        assert {"driver": "file", "filename": file_path} == {
            k: v for k, v in blockdevs[0].items() if k in ("driver", "filename")}, argv
        assert blockdevs[1]["driver"] == "qcow2", argv
        # The run directory's XML is the live definition: the volume, as GetXMLDesc shows it.
        live = open(os.path.join(run, "voldisk.xml")).read()
        assert "<source pool='default' volume='guest.qcow2'" in live and "type='qcow2'" in live, live
        assert live == dom.GetXMLDesc(0) + "\n" or live == dom.GetXMLDesc(0), (live, dom.GetXMLDesc(0))
        # The definition still names the pool volume.
        assert "<source pool='default' volume='guest.qcow2'/>" in dom.GetXMLDesc(2)  # VIR_DOMAIN_XML_INACTIVE
    finally:
        dom.Destroy(0)

    missing = ("<disk type='volume' device='disk'><source pool='default' volume='nope'/>"
               "<target dev='vda' bus='virtio'/></disk>")
    # Without <driver type>, raw, whatever the volume's content says (as libvirt: no probing).
    raw = ("<disk type='volume' device='disk'><source pool='default' volume='guest.qcow2'/>"
           "<target dev='vda' bus='virtio'/></disk>")
    dom = domain(bus, conn.DomainDefineXML(guest_xml("asraw", kernel, initramfs, os.path.join(workdir, "r.log"),
                                                     raw)))
    dom.Create(0)
    try:
        pid = int(open(os.path.join(workdir, "qemu", "run", "qemu", "asraw.pid")).read().split()[0])
        argv = open("/proc/%d/cmdline" % pid, "rb").read().decode().split("\0")
        blockdevs = [json.loads(a) for a in argv if a.startswith("{") and '"driver"' in a]
        assert blockdevs[0]["filename"] == file_path and blockdevs[1]["driver"] == "raw", argv
    finally:
        dom.Destroy(0)
    dom = domain(bus, conn.DomainDefineXML(guest_xml("novol", kernel, initramfs, os.path.join(workdir, "n.log"),
                                                     missing)))
    assert "no storage vol with matching name 'nope'" in refused(lambda: dom.Create(0))
    assert tuple(dom.GetState(0))[0] == SHUTOFF


def live_disk(xml, target_dev):
    """The <disk> element of xml whose target is target_dev, or None."""
    disks = [d.split("</disk>")[0] for d in xml.split("<disk ")[1:]]
    found = [d for d in disks if "<target dev='%s'" % target_dev in d]
    return found[0] if found else None


def test_a_pool_volume_attached_live_keeps_its_volume_in_the_live_xml(private_bus, workdir, guest_files):
    """cockpit-machines' "Add disk" of an existing pool volume to a running guest: qemu opens the
    volume's file, while the live XML keeps type='volume' and <source pool volume> (as libvirt's,
    and as for a disk the guest started with), so the page shows the pool and volume. Block info,
    resize and peek find the file, and so do detach, a kill -9 of the daemon, save and restore, and
    a running snapshot."""
    from test_qemu_hotplug import Qmp, wait_until
    from test_qemu_hotplug import guest_xml as hotplug_xml
    from test_qemu_lifecycle import wait_for_file_text
    from test_qemu_reattach import Session, clean_up
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "vh.log"), os.path.join(workdir, "vh.qmp")
    target = os.path.join(workdir, "hot")
    image = os.path.join(workdir, "vh.save")
    first = Session(private_bus, workdir)
    second = qmp = None
    try:
        pool = started_pool(first.bus, workdir, "hot")[1]
        pool.StorageVolCreateXML(vol_xml("a.qcow2", 4 * MiB, "qcow2"), 0)
        pool.StorageVolCreateXML(vol_xml("b.img", 2 * MiB), 0)
        with open(os.path.join(target, "b.img"), "r+b") as f:
            f.seek(MiB)
            f.write(b"volume-mark")

        def volume_disk(target_dev, volume, fmt):
            return ("<disk type='volume' device='disk'><driver name='qemu' type='%s'/>"
                    "<source pool='hot' volume='%s'/><target dev='%s' bus='virtio'/></disk>"
                    % (fmt, volume, target_dev))

        first.conn.DomainDefineXML(hotplug_xml("volhot", kernel, initramfs, serial, qmp_path))
        dom = first.domain("volhot")[1]
        dom.Create(0)
        qmp = Qmp(qmp_path)
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        inactive = dom.GetXMLDesc(2)  # VIR_DOMAIN_XML_INACTIVE
        dom.AttachDevice(volume_disk("vdb", "a.qcow2", "qcow2"), 1)  # live only
        dom.AttachDevice(volume_disk("vdc", "b.img", "raw"), 1)

        def check_live(live, disks):
            for target_dev, volume in disks:
                disk = live_disk(live, target_dev)
                assert disk and disk.startswith("type='volume'"), live
                assert "<source pool='hot' volume='%s'" % volume in disk and "file=" not in disk, live

        def qemu_files():
            return {b["qdev"]: b["inserted"]["file"] for b in qmp.cmd("query-block") if b.get("inserted")}

        disks = [("vdb", "a.qcow2"), ("vdc", "b.img")]
        check_live(dom.GetXMLDesc(0), disks)
        check_live(open(os.path.join(workdir, "qemu", "run", "qemu", "volhot.xml")).read(), disks)
        assert dom.GetXMLDesc(2) == inactive
        assert qemu_files()["/machine/peripheral/virtio-disk1/virtio-backend"] == os.path.join(target, "a.qcow2")
        assert qemu_files()["/machine/peripheral/virtio-disk2/virtio-backend"] == os.path.join(target, "b.img")
        assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 4 * MiB
        dom.BlockResize("vdb", 8 * MiB, 1)  # VIR_DOMAIN_BLOCK_RESIZE_BYTES
        assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 8 * MiB
        assert img_info(os.path.join(target, "a.qcow2"))["virtual-size"] == 8 * MiB
        assert bytes(dom.BlockPeek("vdc", MiB, 11, 0)) == b"volume-mark"
        # UpdateDevice with the same volume changes nothing; the same name in another pool is another medium.
        dom.UpdateDevice(volume_disk("vdb", "a.qcow2", "qcow2"), 1)
        with pytest.raises(dbus.DBusException, match="disk source can be changed only in removable drives"):
            dom.UpdateDevice(volume_disk("vdb", "a.qcow2", "qcow2").replace("pool='hot'", "pool='other'"), 1)

        # A kill -9 of the daemon: the next one reads the live XML back, volumes and all.
        first.kill()
        second = Session(private_bus, workdir)
        dom = second.domain("volhot")[1]
        check_live(dom.GetXMLDesc(0), disks)
        assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 8 * MiB
        assert bytes(dom.BlockPeek("vdc", MiB, 11, 0)) == b"volume-mark"
        removed = SignalRecorder(second.bus, "DeviceRemoved", "org.libvirt.Domain")
        dom.DetachDevice(volume_disk("vdc", "b.img", "raw"), 1)
        assert removed.wait_for(1, timeout=10) == [("virtio-disk2",)]
        assert "virtio-disk2" not in qmp.devices() and live_disk(dom.GetXMLDesc(0), "vdc") is None
        assert wait_until(lambda: not {"libvirt-2-format", "libvirt-2-storage"} & qmp.nodes(), 5), qmp.nodes()

        # Save and restore: the restored qemu opens the volume's file again, the live XML keeps it.
        qmp.close()
        qmp = None
        dom.Save(image, "", 0)
        second.conn.DomainRestore(image, "", 0)
        qmp = Qmp(qmp_path)
        check_live(dom.GetXMLDesc(0), disks[:1])
        assert qemu_files()["/machine/peripheral/virtio-disk1/virtio-backend"] == os.path.join(target, "a.qcow2")
        assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 8 * MiB
        # A running snapshot takes the hot-plugged volume in (its file shows it), and goes.
        from test_qemu_snapshot import image_snapshots
        snap = dbus.Interface(second.bus.get_object("org.libvirt", dom.SnapshotCreateXML(
            "<domainsnapshot><name>hot1</name></domainsnapshot>", 0)), "org.libvirt.DomainSnapshot")
        assert image_snapshots(os.path.join(target, "a.qcow2")) == ["hot1"]
        assert "<source pool='hot' volume='a.qcow2'" in snap.GetXMLDesc(0)
        snap.Delete(0)
        assert image_snapshots(os.path.join(target, "a.qcow2")) == []
        dom.DetachDevice(volume_disk("vdb", "a.qcow2", "qcow2"), 1)
        assert removed.wait_for(2, timeout=10)[1] == ("virtio-disk1",)
        assert live_disk(dom.GetXMLDesc(0), "vdb") is None
        assert dom.GetXMLDesc(2) == inactive
        dom.Destroy(0)
        second.stop()
        second = None
    finally:
        clean_up(qmp, first, second)


def test_a_pool_volume_the_guest_started_with_stays_a_volume_across_a_daemon_restart(private_bus, workdir,
                                                                                      guest_files):
    """The run directory's XML is the live definition once qemu runs, not the copy qemu was started
    from (which names the volume's file): after a kill -9 of the daemon, the next one shows the
    disk as the pool volume (libvirt's status XML keeps it so), and still finds its file."""
    from test_qemu_hotplug import Qmp, wait_until
    from test_qemu_hotplug import guest_xml as hotplug_xml
    from test_qemu_lifecycle import wait_for_file_text
    from test_qemu_reattach import Session, clean_up
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "vb.log"), os.path.join(workdir, "vb.qmp")
    disk = ("<disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
            "<source pool='boot' volume='b.img'/><target dev='vdb' bus='virtio'/></disk>")
    first = Session(private_bus, workdir)
    second = qmp = None
    try:
        pool = started_pool(first.bus, workdir, "boot")[1]
        pool.StorageVolCreateXML(vol_xml("b.img", 2 * MiB), 0)
        first.conn.DomainDefineXML(hotplug_xml("volboot", kernel, initramfs, serial, qmp_path, disk))
        dom = first.domain("volboot")[1]
        dom.Create(0)
        qmp = Qmp(qmp_path)
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        run_xml = os.path.join(workdir, "qemu", "run", "qemu", "volboot.xml")
        for live in (dom.GetXMLDesc(0), open(run_xml).read()):
            vdb = live_disk(live, "vdb")
            assert vdb.startswith("type='volume'") and "<source pool='boot' volume='b.img'" in vdb, live
            assert "file=" not in vdb, live

        first.kill()
        second = Session(private_bus, workdir)
        dom = second.domain("volboot")[1]
        vdb = live_disk(dom.GetXMLDesc(0), "vdb")
        assert vdb.startswith("type='volume'") and "<source pool='boot' volume='b.img'" in vdb, vdb
        assert tuple(dom.GetBlockInfo("vdb", 0))[0] == 2 * MiB
        removed = SignalRecorder(second.bus, "DeviceRemoved", "org.libvirt.Domain")
        dom.DetachDevice(disk, 1)
        assert removed.wait_for(1, timeout=10) == [("virtio-disk1",)]
        assert wait_until(lambda: "virtio-disk1" not in qmp.devices(), 5), qmp.devices()
        dom.Destroy(0)
        second.stop()
        second = None
    finally:
        clean_up(qmp, first, second)


def test_pools_and_volumes_survive_a_daemon_restart(private_bus, workdir):
    from conftest import Daemon
    states = {}
    for run in range(2):
        d = Daemon(private_bus, workdir).start()
        bus = dbus.bus.BusConnection(private_bus.address)
        try:
            conn = connect(bus)
            if run == 0:
                path, pool = started_pool(bus, workdir, "kept")
                pool.StorageVolCreateXML(vol_xml("v.qcow2", 8 * MiB, "qcow2", 0), 0)
                os.mkdir(os.path.join(workdir, "kept-t"))
                conn.StoragePoolCreateXML(pool_xml("transient", os.path.join(workdir, "kept-t")), 0)
                # An undefined default pool stays undefined.
                default = pool_iface(bus, conn.StoragePoolLookupByName("default"))
                default.Destroy()
                default.Undefine()
            names = sorted(str(prop(bus, p, "org.libvirt.StoragePool", "Name")) for p in conn.ListStoragePools(0))
            pool = pool_iface(bus, conn.StoragePoolLookupByName("kept"))
            vols = [str(prop(bus, p, "org.libvirt.StorageVol", "Name")) for p in pool.ListStorageVolumes(0)]
            transient = conn.StoragePoolLookupByName("transient")
            states[run] = (names, vols, bool(prop(bus, transient, "org.libvirt.StoragePool", "Persistent")),
                           bool(prop(bus, transient, "org.libvirt.StoragePool", "Active")))
        finally:
            bus.close()
            status = d.stop()
        assert status == 0 and "AddressSanitizer" not in d.log(), d.log()
    assert states[0] == states[1] == (["kept", "transient"], ["v.qcow2"], False, True)


# --- volumes built on the loop (qemu_storage_build.c) -----------------------------------------

GiB = 1024 * MiB


def gated_qemu_img(workdir):
    """A qemu-img first in the daemon's PATH that holds every `convert` until the gate file
    exists, then runs the real one: a clone that lasts exactly as long as the test wants, so the
    order of the replies proves the loop is free, whatever the machine's speed."""
    bindir = os.path.join(workdir, "bin")
    os.makedirs(bindir, exist_ok=True)
    gate, pidfile = os.path.join(workdir, "gate"), os.path.join(workdir, "convert.pid")
    with open(os.path.join(bindir, "qemu-img"), "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = convert ]; then\n    echo $$ > %s\n'
                '    while [ ! -e %s ]; do sleep 0.02; done\nfi\nexec %s "$@"\n'
                % (pidfile, gate, shutil.which("qemu-img")))
    os.chmod(os.path.join(bindir, "qemu-img"), 0o755)
    return {"PATH": bindir + os.pathsep + os.environ["PATH"]}, gate, pidfile


def iterate_until(condition, rounds=4000):
    from gi.repository import GLib
    context = GLib.MainContext.default()
    for _ in range(rounds):
        if condition():
            return True
        context.iteration(False) or time.sleep(0.005)
    return condition()


def big_source(bus, pool, target):
    """A 4 GiB qcow2 volume with 1 MiB of data at its start (the rest sparse)."""
    src = pool.StorageVolCreateXML(vol_xml("src.qcow2", 4 * GiB, "qcow2", 0), 0)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1M", os.path.join(target, "src.qcow2")],
                   check=True, capture_output=True)
    return src, str(prop(bus, src, "org.libvirt.StorageVol", "Key"))


def test_clone_runs_on_the_loop_while_other_calls_answer(private_bus, workdir):
    from conftest import Daemon
    env, gate, pidfile = gated_qemu_img(workdir)
    d = Daemon(private_bus, workdir, env=env).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        conn = connect(bus)
        path, pool = started_pool(bus, workdir, "big")
        other_path, other = started_pool(bus, workdir, "other")
        target = os.path.join(workdir, "big")
        src, src_key = big_source(bus, pool, target)

        order = []
        pool.StorageVolCreateXMLFrom(vol_xml("big.raw", 4 * GiB, "raw", 0), src_key, 0,
                                     reply_handler=lambda p: order.append(("clone", str(p))),
                                     error_handler=lambda e: order.append(("clone failed", str(e))))
        # Sent after the clone on the same connection, so the daemon reads them after it.
        pool.ListStorageVolumes(0, reply_handler=lambda v: order.append(("list", sorted(map(str, v)))),
                                error_handler=lambda e: order.append(("list failed", str(e))))
        other.GetInfo(reply_handler=lambda info: order.append(("other pool", int(info[0]))),
                      error_handler=lambda e: order.append(("other failed", str(e))))
        conn.ListDomains(0, reply_handler=lambda d: order.append(("domains", len(d))),
                         error_handler=lambda e: order.append(("domains failed", str(e))))
        assert iterate_until(lambda: len(order) >= 3)
        # The clone cannot end before the gate opens: the three answered while it ran.
        big = pool.StorageVolLookupByName("big.raw")
        assert [o[0] for o in order] == ["list", "other pool", "domains"], order
        assert order[0][1] == sorted([str(src), str(big)]) and order[1][1] == 2
        assert iterate_until(lambda: os.path.exists(pidfile))  # the wrapper runs, held at the gate

        # Listed and marked as being built: what would change it, or its pool, is refused.
        vol = vol_iface(bus, big)
        assert vol.GetInfo(0)[1] == 4 * GiB
        for call in (lambda: vol.Delete(0), lambda: vol.Resize(8 * GiB, 0), lambda: vol.Wipe(0, 0),
                     lambda: pool.StorageVolCreateXMLFrom(vol_xml("again", MiB), str(
                         prop(bus, big, "org.libvirt.StorageVol", "Key")), 0)):
            assert "volume 'big.raw' is still being allocated." in refused(call)
        assert "volume 'src.qcow2' is still in use." in refused(lambda: vol_iface(bus, src).Delete(0))
        assert "volume 'src.qcow2' is still in use." in refused(lambda: vol_iface(bus, src).Resize(8 * GiB, 0))
        for call in (pool.Destroy, lambda: pool.Refresh(0)):
            assert "pool 'big' has asynchronous jobs running." in refused(call)
        # Another volume of the same pool is made meanwhile.
        pool.StorageVolCreateXML(vol_xml("side.qcow2", MiB, "qcow2"), 0)
        assert len(order) == 3

        open(gate, "w").close()
        assert iterate_until(lambda: len(order) == 4)
        assert order[3] == ("clone", str(big)), order
        info = img_info(os.path.join(target, "big.raw"))
        assert (info["format"], info["virtual-size"]) == ("raw", 4 * GiB)
        with open(os.path.join(target, "big.raw"), "rb") as f:
            assert f.read(MiB) == b"\x5a" * MiB and f.read(MiB) == b"\0" * MiB
        # Built: the refusals are over.
        vol.Resize(5 * GiB, 0)
        assert img_info(os.path.join(target, "big.raw"))["virtual-size"] == 5 * GiB
        vol_iface(bus, src).Delete(0)
        pool.Refresh(0)
        pool.Destroy()
        other.Destroy()
    finally:
        open(gate, "w").close()  # a daemon stuck in the clone (the bug) can stop
        bus.close()
        status = d.stop()
    assert status == 0 and "AddressSanitizer" not in d.log(), d.log()


def test_daemon_stop_kills_a_running_clone_and_removes_its_file(private_bus, workdir):
    from conftest import Daemon
    env, gate, pidfile = gated_qemu_img(workdir)
    d = Daemon(private_bus, workdir, env=env).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        path, pool = started_pool(bus, workdir, "stopped")
        target = os.path.join(workdir, "stopped")
        src, src_key = big_source(bus, pool, target)
        answers = []
        pool.StorageVolCreateXMLFrom(vol_xml("never.raw", 4 * GiB, "raw", 0), src_key, 0,
                                     reply_handler=answers.append, error_handler=answers.append)
        assert iterate_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip())
        child = int(open(pidfile).read())
        assert os.path.exists(os.path.join(target, "never.raw"))
        status = d.stop()
    finally:
        bus.close()
        if d.proc.poll() is None:  # a daemon stuck in the clone (the bug) can stop
            open(gate, "w").close()
            d.stop()
    assert status == 0 and "AddressSanitizer" not in d.log(), d.log()
    assert not os.path.exists("/proc/%d" % child), "qemu-img %d outlived the daemon" % child
    assert sorted(os.listdir(target)) == ["src.qcow2"]
    assert not any(isinstance(a, dbus.ObjectPath) for a in answers), answers  # never a volume


def test_failed_builds_remove_the_file_and_the_volume(bus, workdir):
    path, pool = started_pool(bus, workdir, "fails")
    target = os.path.join(workdir, "fails")
    # qemu-img itself refuses (after creating the file): the file and the volume go.
    assert "The image size is too large for file format 'vpc'" in refused(
        lambda: pool.StorageVolCreateXML(vol_xml("huge.vpc", 3 * 1024 * GiB, "vpc", 0), 0))
    # A clone whose source no longer is what the pool read: convert fails the same way.
    src = pool.StorageVolCreateXML(vol_xml("was.qcow2", MiB, "qcow2"), 0)
    with open(os.path.join(target, "was.qcow2"), "wb") as f:
        f.write(b"not an image" * 100)
    assert "qemu-img convert failed" in refused(lambda: pool.StorageVolCreateXMLFrom(
        vol_xml("copy.raw", MiB), str(prop(bus, src, "org.libvirt.StorageVol", "Key")), 0))
    assert sorted(os.listdir(target)) == ["was.qcow2"]
    assert [str(p) for p in pool.ListStorageVolumes(0)] == [str(src)]
    # Sparse: a capacity beyond the free space is fine when the allocation fits (libvirt's
    # dir pools are thin); the allocation is what is checked.
    free = pool.GetInfo()[3]
    pool.StorageVolCreateXML(vol_xml("thin.raw", free + GiB, "raw", 0), 0)
    assert img_info(os.path.join(target, "thin.raw"))["virtual-size"] == free + GiB


# --- storage roots (qemu_storage_roots.c) ------------------------------------------------------

def run_daemon(private_bus, workdir, *args, env=None):
    from conftest import Daemon
    d = Daemon(private_bus, workdir, extra_args=args, env=dict({"HOME": os.path.join(workdir, "home")}, **(env or {})))
    return d.start(), dbus.bus.BusConnection(private_bus.address)


def stop_daemon(d, bus):
    bus.close()
    status = d.stop()
    assert status == 0 and "AddressSanitizer" not in d.log() and "runtime error:" not in d.log(), d.log()


def test_pool_targets_outside_the_storage_roots_are_refused(private_bus, workdir):
    os.symlink("/etc", os.path.join(workdir, "to-etc"))
    d, bus = run_daemon(private_bus, workdir)
    try:
        conn = connect(bus)
        storage = os.path.join(workdir, "qemu", "etc", "qemu", "storage")
        before = (sorted(os.listdir(storage)), conn.ListStoragePools(0))
        for target, shown in (("/etc/virtbus-pool", "'/etc/virtbus-pool' is"),
                              (workdir + "/../../etc/virtbus-pool", "(resolved '/etc/virtbus-pool')"),
                              (os.path.join(workdir, "to-etc", "virtbus-pool"), "(resolved '/etc/virtbus-pool')")):
            for call in (conn.StoragePoolDefineXML, conn.StoragePoolCreateXML):
                message = refused(lambda: call(pool_xml("out", target), 0))
                assert "storage pool target path" in message and shown in message, message
                # The roots are named: the session's defaults and the default pool's directory.
                assert "outside the storage roots: %s, " % os.path.join(workdir, "home") in message, message
                assert os.path.join(workdir, "qemu", "lib", "images") in message and "storage_roots" in message
        assert (sorted(os.listdir(storage)), conn.ListStoragePools(0)) == before
        assert not os.path.exists("/etc/virtbus-pool")
        # Under a root (the test's directory is under /tmp or $TMPDIR): defined as before.
        started_pool(bus, workdir, "inside")[1].Destroy()
    finally:
        stop_daemon(d, bus)


def test_configured_storage_roots_limit_define_build_and_start(private_bus, workdir):
    allowed = os.path.join(workdir, "allowed")
    # Defined under the defaults, then the roots narrow: the pool stays listed and is refused at start.
    d, bus = run_daemon(private_bus, workdir)
    try:
        connect(bus).StoragePoolDefineXML(pool_xml("before", os.path.join(workdir, "before")), 0)
    finally:
        stop_daemon(d, bus)
    config = os.path.join(workdir, "virtbusd.conf")
    with open(config, "w") as f:
        f.write("storage_roots = /nowhere\nstorage_roots = %s\n" % allowed)  # the last line wins
    d, bus = run_daemon(private_bus, workdir, "--config", config)
    try:
        conn = connect(bus)
        message = refused(lambda: conn.StoragePoolDefineXML(pool_xml("x", os.path.join(workdir, "x")), 0))
        assert "outside the storage roots: %s, %s " % (allowed, os.path.join(workdir, "qemu", "lib", "images")) \
            in message, message
        path = conn.StoragePoolDefineXML(pool_xml("in", os.path.join(allowed, "in")), 0)
        pool_iface(bus, path).Build(0)
        pool_iface(bus, path).Create(0)
        before = pool_iface(bus, conn.StoragePoolLookupByName("before"))
        for call in (lambda: before.Build(0), lambda: before.Create(0)):
            assert "'%s' is outside the storage roots" % os.path.join(workdir, "before") in refused(call)
        assert not os.path.exists(os.path.join(workdir, "before"))
        before.Undefine()
        # The default pool always is under the roots.
        assert prop(bus, conn.StoragePoolLookupByName("default"), "org.libvirt.StoragePool", "Active")
    finally:
        stop_daemon(d, bus)
    # --storage-roots replaces the file's; none leaves only the default pool's directory.
    d, bus = run_daemon(private_bus, workdir, "--config", config, "--storage-roots", "none")
    try:
        assert "outside the storage roots: %s (" % os.path.join(workdir, "qemu", "lib", "images") in refused(
            lambda: connect(bus).StoragePoolCreateXML(pool_xml("y", os.path.join(allowed, "y")), 0))
    finally:
        stop_daemon(d, bus)


def test_a_relative_storage_root_stops_the_daemon(workdir):
    from conftest import VIRTBUSD
    config = os.path.join(workdir, "bad.conf")
    with open(config, "w") as f:
        f.write("storage_roots = /srv, images\n")
    r = subprocess.run([VIRTBUSD, "--session", "--config", config], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "%s:1: storage root 'images' must be an absolute path" % config in r.stderr, r.stderr
    r = subprocess.run([VIRTBUSD, "--session", "--storage-roots", "rel"], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "--storage-roots: storage root 'rel' must be an absolute path" in r.stderr, r.stderr
