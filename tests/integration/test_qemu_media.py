"""CD-ROM media and SCSI disks on a real qemu through /org/libvirt/QEMU (drivers/qemu/
qemu_hotplug_media.c, qemu_hotplug_scsi.c): UpdateDevice changes or ejects a CD-ROM's medium live
and in the persistent definition (TrayChange signals follow qemu's DEVICE_TRAY_MOVED), refuses any
other change in libvirt's words; SCSI disks attach and detach live on a virtio-scsi controller
added when the guest has none; buses qemu cannot hotplug are refused live and leave nothing behind.
What qemu itself holds is read over a second QMP monitor (query-block, qom-list, query-pci)."""
import os
import re

import dbus
import pytest

from conftest import SignalRecorder
from test_qemu_hotplug import (CONFIG, LIVE, QEMU_PATH, XML_INACTIVE, Qmp, disk_xml, guest_xml,  # noqa: F401
                               pytestmark, running, wait_until)
from test_qemu_lifecycle import guest_files, wait_for_file_text  # noqa: F401 (fixtures)


FORCE = 4  # VIR_DOMAIN_DEVICE_MODIFY_FORCE


def cdrom_xml(target, source=None, bus="ide", device="cdrom"):
    return ("<disk type='file' device='%s'><driver name='qemu' type='raw'/>%s<target dev='%s' bus='%s'/>"
            "<readonly/></disk>" % (device, "<source file='%s'/>" % source if source else "", target, bus))


def scsi_xml(target, source):
    return disk_xml(target, source).replace("bus='virtio'", "bus='scsi'")


def image(workdir, name, size=1 << 20):
    path = os.path.join(workdir, name)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def block_of(qmp, qdev_id):
    """query-block's entry for the device with that id (qemu names it by id or by QOM path)."""
    for b in qmp.cmd("query-block"):
        if b.get("qdev") in (qdev_id, "/machine/peripheral/" + qdev_id):
            return b
    raise AssertionError("no block device %s in %r" % (qdev_id, qmp.cmd("query-block")))


def medium(qmp, qdev_id):
    inserted = block_of(qmp, qdev_id).get("inserted")
    return inserted["file"] if inserted else None


def disk_element(xml, target):
    for m in re.finditer(r"<disk .*?</disk>", xml, re.S):
        if "dev='%s'" % target in m.group(0):
            return m.group(0)
    return None


@pytest.fixture
def cdroms(bus, daemon, workdir, guest_files):
    """A guest started with a CD-ROM holding a.iso (hdc, ide0-1-0) and an empty one (hdd, ide0-1-1)."""
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "media-serial.log"), os.path.join(workdir, "media.qmp")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    first = image(workdir, "a.iso")
    extra = cdrom_xml("hdc", first) + cdrom_xml("hdd")
    path = conn.DomainDefineXML(guest_xml("media", kernel, initramfs, serial, qmp_path, extra))
    dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
    dom.Create(0)
    qmp = Qmp(qmp_path)
    # A change while the guest is still in its firmware raced something there that closes the tray
    # (most likely SeaBIOS's drive probe): the tests change media in a booted guest, as people do.
    assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
    yield dom, qmp, first, serial
    print(daemon.log())  # shown when the test failed
    qmp.close()
    dom.Destroy(0)
    dom.Undefine(0)


def test_cdrom_medium_change_eject_and_insert(bus, workdir, cdroms):
    dom, qmp, first, serial = cdroms
    trays = SignalRecorder(bus, "TrayChange", "org.libvirt.Domain")
    second = image(workdir, "b.iso")
    # The command line: a medium in hdc, none in hdd (an empty drive qemu still has).
    assert medium(qmp, "ide0-1-0") == first and medium(qmp, "ide0-1-1") is None
    assert {"libvirt-1-format", "libvirt-1-storage"} <= qmp.nodes()

    # Live: qemu has the new medium, its tray closed again, the old nodes deleted; the live XML
    # shows the new source, the persistent definition keeps the old one.
    dom.UpdateDevice(cdrom_xml("hdc", second), LIVE)
    assert medium(qmp, "ide0-1-0") == second and not block_of(qmp, "ide0-1-0")["tray_open"]
    assert wait_until(lambda: not {"libvirt-1-format", "libvirt-1-storage"} & qmp.nodes(), 5), qmp.nodes()
    assert "source file='%s'" % second in disk_element(dom.GetXMLDesc(0), "hdc")
    assert "source file='%s'" % first in disk_element(dom.GetXMLDesc(XML_INACTIVE), "hdc")
    # qemu's DEVICE_TRAY_MOVED: libvirt's TrayChange, open (0) then close (1), named by alias.
    assert trays.wait_for(2) == [("ide0-1-0", 0), ("ide0-1-0", 1)]

    # Eject, live and config: no medium in qemu, no <source> in either definition.
    nodes = qmp.nodes()
    dom.UpdateDevice(cdrom_xml("hdc"), LIVE | CONFIG)
    assert medium(qmp, "ide0-1-0") is None
    assert wait_until(lambda: len(qmp.nodes()) == len(nodes) - 2, 5), qmp.nodes()
    assert "<source" not in disk_element(dom.GetXMLDesc(0), "hdc")
    assert "<source" not in disk_element(dom.GetXMLDesc(XML_INACTIVE), "hdc")

    # Config only: the next boot's medium, qemu untouched.
    dom.UpdateDevice(cdrom_xml("hdc", first), CONFIG)
    assert "source file='%s'" % first in disk_element(dom.GetXMLDesc(XML_INACTIVE), "hdc")
    assert medium(qmp, "ide0-1-0") is None and "<source" not in disk_element(dom.GetXMLDesc(0), "hdc")

    # Into the drive that started empty.
    dom.UpdateDevice(cdrom_xml("hdd", second), LIVE)
    assert medium(qmp, "ide0-1-1") == second
    assert "source file='%s'" % second in disk_element(dom.GetXMLDesc(0), "hdd")

    # A medium qemu cannot open: qemu's error, and the medium in the drive stays in.
    nodes = qmp.nodes()
    with pytest.raises(dbus.DBusException, match="/nonexistent/c.iso"):
        dom.UpdateDevice(cdrom_xml("hdd", "/nonexistent/c.iso"), LIVE | CONFIG)
    assert medium(qmp, "ide0-1-1") == second and qmp.nodes() == nodes
    assert "source file='%s'" % second in disk_element(dom.GetXMLDesc(0), "hdd")
    assert "<source" not in disk_element(dom.GetXMLDesc(XML_INACTIVE), "hdd")

    # The same medium again: nothing for qemu to do.
    dom.UpdateDevice(cdrom_xml("hdd", second), LIVE)
    assert medium(qmp, "ide0-1-1") == second and qmp.nodes() == nodes

    # The tray opened from outside (here the test's own monitor, as a guest's eject would): the
    # TrayChange signal, and the live XML shows it open until a change closes it again.
    trays.settle()
    trays.items.clear()  # the changes above opened and closed trays too
    qmp.cmd("blockdev-open-tray", id="ide0-1-1")
    assert trays.wait_for(1) == [("ide0-1-1", 0)]
    assert "tray='open'" in disk_element(dom.GetXMLDesc(0), "hdd")
    with pytest.raises(dbus.DBusException, match="cannot modify field 'tray' of the disk"):
        dom.UpdateDevice(cdrom_xml("hdd", first).replace("bus='ide'", "bus='ide' tray='closed'"), LIVE)
    dom.UpdateDevice(cdrom_xml("hdd", first), LIVE)
    assert medium(qmp, "ide0-1-1") == first and not block_of(qmp, "ide0-1-1")["tray_open"]
    assert "tray=" not in disk_element(dom.GetXMLDesc(0), "hdd")

    # FORCE opens the tray even when the guest locked it (the tiny guest loads no CD-ROM driver
    # and never locks it; a locked one is asked to open it and the change waits up to 5 s, failing
    # with "timed out waiting to open tray of 'hdc'" and the old medium still in, as libvirt).
    dom.UpdateDevice(cdrom_xml("hdc", second), LIVE)
    assert medium(qmp, "ide0-1-0") == second
    dom.UpdateDevice(cdrom_xml("hdd", second), LIVE | FORCE)
    assert medium(qmp, "ide0-1-1") == second and not block_of(qmp, "ide0-1-1")["tray_open"]


def test_update_device_refuses_what_is_not_the_medium(bus, workdir, cdroms):
    dom, qmp, first, serial = cdroms
    other = image(workdir, "other.iso")
    for xml, words in ((cdrom_xml("hdc", other, device="disk"), "cannot modify field 'device' of the disk"),
                       (cdrom_xml("hdc", other, bus="sata"), "cannot modify field 'bus' of the disk"),
                       (cdrom_xml("hdc", other).replace("<readonly/>", "<boot order='1'/>"),
                        "cannot modify field 'boot order' of the disk"),
                       (cdrom_xml("hdx", other), "disk 'hdx' not found")):
        with pytest.raises(dbus.DBusException) as refused:
            dom.UpdateDevice(xml, LIVE)
        assert words in refused.value.get_dbus_message()
    with pytest.raises(dbus.DBusException, match="target hdx doesn't exist"):
        dom.UpdateDevice(cdrom_xml("hdx", other), CONFIG)
    with pytest.raises(dbus.DBusException, match="Operation not supported: cannot modify field 'device'"):
        dom.UpdateDevice(cdrom_xml("hdc", other, device="disk"), CONFIG)
    assert medium(qmp, "ide0-1-0") == first
    assert "source file='%s'" % first in disk_element(dom.GetXMLDesc(XML_INACTIVE), "hdc")


def test_scsi_disk_attach_with_implicit_controller_and_detach(bus, workdir, running):
    dom, qmp, serial = running
    added = SignalRecorder(bus, "DeviceAdded", "org.libvirt.Domain")
    removed = SignalRecorder(bus, "DeviceRemoved", "org.libvirt.Domain")
    first, second = image(workdir, "s0.img"), image(workdir, "s1.img", 2 << 20)
    boot_nodes = qmp.nodes()
    assert "scsi0" not in qmp.devices()

    # The guest has no SCSI controller: a virtio-scsi one comes first, then scsi-hd on its bus.
    dom.AttachDevice(scsi_xml("sda", first), LIVE | CONFIG)
    assert {"scsi0", "scsi0-0-0-0"} <= qmp.devices()
    assert qmp.cmd("qom-get", path="/machine/peripheral/scsi0", property="type") == "virtio-scsi-pci"
    assert qmp.cmd("qom-get", path="/machine/peripheral/scsi0-0-0-0", property="type") == "scsi-hd"
    assert medium(qmp, "scsi0-0-0-0") == first
    slot = [d["slot"] for d in qmp.cmd("query-pci")[0]["devices"] if d.get("qdev_id") == "scsi0"]
    assert len(slot) == 1
    live = dom.GetXMLDesc(0)
    controller = re.search(r"<controller type='scsi' index='0' model='virtio-scsi'>.*?</controller>", live, re.S)
    assert controller and "slot='0x%02x'" % slot[0] in controller.group(0), live
    sda = disk_element(live, "sda")
    assert "<address type='drive' controller='0' bus='0' target='0' unit='0'/>" in sda
    assert "<alias name='scsi0-0-0-0'/>" in sda
    inactive = dom.GetXMLDesc(XML_INACTIVE)
    assert disk_element(inactive, "sda") and "model='virtio-scsi'" in inactive
    assert added.wait_for(1) == [("scsi0-0-0-0",)]

    # A second disk goes on the same controller, at the unit its name gives.
    dom.AttachDevice(scsi_xml("sdb", second), LIVE)
    assert "scsi0-0-0-1" in qmp.devices() and medium(qmp, "scsi0-0-0-1") == second
    assert dom.GetXMLDesc(0).count("<controller type='scsi'") == 1

    # Detach: SCSI unplugs at once; the device, its nodes and its XML go.
    dom.DetachDevice(scsi_xml("sda", first), LIVE)
    assert removed.wait_for(1, timeout=10) == [("scsi0-0-0-0",)]
    assert "scsi0-0-0-0" not in qmp.devices()
    assert disk_element(dom.GetXMLDesc(0), "sda") is None
    assert disk_element(dom.GetXMLDesc(XML_INACTIVE), "sda")
    dom.DetachDevice(scsi_xml("sdb", second), LIVE)
    assert removed.wait_for(2, timeout=10)[1] == ("scsi0-0-0-1",)
    assert wait_until(lambda: qmp.nodes() == boot_nodes, 5), qmp.nodes()


def test_buses_qemu_cannot_hotplug_are_refused_live(bus, workdir, running):
    dom, qmp, serial = running
    disk = image(workdir, "fixed.img")
    nodes, devices, live = qmp.nodes(), qmp.devices(), dom.GetXMLDesc(0)
    for target, bus_name in (("sdc", "sata"), ("hdb", "ide")):
        xml = disk_xml(target, disk).replace("bus='virtio'", "bus='%s'" % bus_name)
        with pytest.raises(dbus.DBusException) as refused:
            dom.AttachDevice(xml, LIVE | CONFIG)
        assert "Operation not supported: disk bus '%s' cannot be hotplugged." % bus_name in \
            refused.value.get_dbus_message()
        assert qmp.nodes() == nodes and qmp.devices() == devices and dom.GetXMLDesc(0) == live
        assert disk_element(dom.GetXMLDesc(XML_INACTIVE), target) is None
        # Config only: the next boot's definition takes it.
        dom.AttachDevice(xml, CONFIG)
        assert "bus='%s'" % bus_name in disk_element(dom.GetXMLDesc(XML_INACTIVE), target)
        dom.DetachDevice(xml, CONFIG)
        assert disk_element(dom.GetXMLDesc(XML_INACTIVE), target) is None

    # A disk's source is not a medium: UpdateDevice does not swap it (vda, qemu started with it).
    with pytest.raises(dbus.DBusException, match="disk source can be changed only in removable drives"):
        dom.UpdateDevice(disk_xml("vda", disk), LIVE)
    assert block_of(qmp, "/machine/peripheral/virtio-disk0/virtio-backend")["inserted"]["file"] != disk


def test_scsi_disk_on_a_defined_controller_and_a_scsi_cdrom(bus, workdir, guest_files):
    """A guest defined with its virtio-scsi controller and a SCSI CD-ROM without a medium: the
    attach uses that controller, and the CD-ROM takes a medium."""
    kernel, initramfs = guest_files
    qmp_path = os.path.join(workdir, "scsi.qmp")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    extra = "<controller type='scsi' index='0' model='virtio-scsi'/>" + cdrom_xml("sda", bus="scsi")
    serial = os.path.join(workdir, "s.log")
    xml = guest_xml("scsi", kernel, initramfs, serial, qmp_path, extra)
    dom = dbus.Interface(bus.get_object("org.libvirt", conn.DomainDefineXML(xml)), "org.libvirt.Domain")
    dom.Create(0)
    qmp = Qmp(qmp_path)
    try:
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"  # past the firmware
        assert qmp.cmd("qom-get", path="/machine/peripheral/scsi0-0-0-0", property="type") == "scsi-cd"
        assert medium(qmp, "scsi0-0-0-0") is None
        iso = image(workdir, "s.iso")
        dom.UpdateDevice(cdrom_xml("sda", iso, bus="scsi"), LIVE)
        assert medium(qmp, "scsi0-0-0-0") == iso
        disk = image(workdir, "s2.img")
        dom.AttachDevice(scsi_xml("sdc", disk), LIVE)
        assert medium(qmp, "scsi0-0-0-2") == disk
        assert dom.GetXMLDesc(0).count("<controller type='scsi'") == 1
        assert len([d for d in qmp.cmd("query-pci")[0]["devices"] if d.get("qdev_id") == "scsi0"]) == 1
        # A SCSI CD-ROM attached live without a medium, then given one.
        dom.AttachDevice(cdrom_xml("sdd", bus="scsi"), LIVE)
        assert qmp.cmd("qom-get", path="/machine/peripheral/scsi0-0-0-3", property="type") == "scsi-cd"
        assert medium(qmp, "scsi0-0-0-3") is None
        dom.UpdateDevice(cdrom_xml("sdd", iso, bus="scsi"), LIVE)
        assert medium(qmp, "scsi0-0-0-3") == iso
        assert "source file='%s'" % iso in disk_element(dom.GetXMLDesc(0), "sdd")
    finally:
        qmp.close()
        dom.Destroy(0)
        dom.Undefine(0)


def test_save_and_restore_keep_a_hotplugged_scsi_disk_and_a_changed_medium(bus, workdir, cdroms):
    """The live XML records the added controller's PCI slot, the SCSI disk's drive address and the
    CD-ROM's new medium: a restore from the save image builds the same machine and the state loads."""
    dom, qmp, first, serial = cdroms
    disk, second = image(workdir, "saved-scsi.img"), image(workdir, "saved-b.iso")
    dom.AttachDevice(scsi_xml("sda", disk), LIVE)
    dom.UpdateDevice(cdrom_xml("hdc", second), LIVE)
    qmp.close()  # the restored qemu opens the same extra monitor again
    saved = os.path.join(workdir, "media.save")
    dom.Save(saved, "", 0)
    assert tuple(dom.GetState(0)) == (5, 5)  # shutoff/saved
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    conn.DomainRestore(saved, "", 0)
    assert tuple(dom.GetState(0)) == (1, 3)  # running/restored
    restored = Qmp(os.path.join(workdir, "media.qmp"))
    try:
        assert medium(restored, "scsi0-0-0-0") == disk and medium(restored, "ide0-1-0") == second
        assert restored.cmd("qom-get", path="/machine/peripheral/scsi0", property="type") == "virtio-scsi-pci"
        # The restored guest's medium changes again, and its old nodes go.
        dom.UpdateDevice(cdrom_xml("hdc", first), LIVE)
        assert medium(restored, "ide0-1-0") == first
        assert wait_until(lambda: not [n for n in restored.cmd("query-named-block-nodes")
                                       if n.get("file") == second], 5)
    finally:
        restored.close()
