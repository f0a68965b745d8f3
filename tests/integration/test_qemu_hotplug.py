"""Device hotplug on a real qemu through /org/libvirt/QEMU (drivers/qemu/qemu_hotplug*.c): disks and
NICs attached and detached live and in the persistent definition, a refused attach leaving nothing
behind, and what qemu itself reports, read over a second QMP monitor the test adds with
<qemu:commandline> (the daemon owns the first). Boots tests/guest's tiny guest under TCG."""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import time

import dbus
import pytest

from conftest import SignalRecorder
from test_qemu_lifecycle import guest_files, wait_for_file_text  # noqa: F401 (a fixture)

QEMU_PATH = "/org/libvirt/QEMU"
LIVE, CONFIG = 1, 2
XML_INACTIVE = 2

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")


def guest_xml(name, kernel, initramfs, serial, qmp, extra=""):
    # No <memballoon>: DefineXML adds the virtio one, as libvirt.
    return ("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
            "<name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
            "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
            "<devices>%s<serial type='file'><source path='%s'/><target port='0'/></serial></devices>"
            "<qemu:commandline><qemu:arg value='-qmp'/><qemu:arg value='unix:%s,server=on,wait=off'/>"
            "</qemu:commandline></domain>" % (name, kernel, initramfs, extra, serial, qmp))


class Qmp:
    """A second QMP monitor on the guest's qemu, to see what qemu itself holds."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rw")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            msg = json.loads(self.file.readline())
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        self.file.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.file.flush()
        reply = self._read()
        assert "return" in reply, reply
        return reply["return"]

    def devices(self):
        return {p["name"] for p in self.cmd("qom-list", path="/machine/peripheral")}

    def nodes(self):
        return {n["node-name"] for n in self.cmd("query-named-block-nodes")}

    def close(self):
        self.sock.close()


def wait_until(check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def disk_xml(target, source):
    return ("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
            "<target dev='%s' bus='virtio'/></disk>" % (source, target))


STAT_UNUSED, STAT_AVAILABLE, STAT_ACTUAL_BALLOON, STAT_RSS, STAT_LAST_UPDATE = 4, 5, 6, 7, 9  # virDomainMemoryStatTags
NIC = "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
BOOT_NIC = "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>"


@pytest.fixture
def running(bus, daemon, workdir, guest_files):
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "serial.log"), os.path.join(workdir, "test.qmp")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    boot_image = os.path.join(workdir, "boot.img")
    with open(boot_image, "wb") as f:
        f.truncate(1 << 20)
    # A disk and a NIC qemu starts with (named by the command line: virtio-disk0, libvirt-1-*, net0).
    extra = disk_xml("vda", boot_image) + BOOT_NIC
    path = conn.DomainDefineXML(guest_xml("hot", kernel, initramfs, serial, qmp_path, extra))
    dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
    dom.Create(0)
    qmp = Qmp(qmp_path)
    yield dom, qmp, serial
    print(daemon.log())  # shown when the test failed
    qmp.close()
    dom.Destroy(0)
    dom.Undefine(0)


def test_disk_attach_live_config_bad_source_and_detach(bus, workdir, running):
    dom, qmp, serial = running
    added = SignalRecorder(bus, "DeviceAdded", "org.libvirt.Domain")
    removed = SignalRecorder(bus, "DeviceRemoved", "org.libvirt.Domain")
    image = os.path.join(workdir, "extra.img")
    with open(image, "wb") as f:
        f.truncate(1 << 20)
    boot_nodes = qmp.nodes()

    # Live: qemu has the device and its blockdev pair; the live XML names it with its alias, the
    # persistent definition does not have it.
    dom.AttachDevice(disk_xml("vdb", image), LIVE)
    assert "virtio-disk1" in qmp.devices()
    block = {b["qdev"]: b for b in qmp.cmd("query-block")}
    assert block["/machine/peripheral/virtio-disk1/virtio-backend"]["inserted"]["file"] == image
    live = dom.GetXMLDesc(0)
    assert "<alias name='virtio-disk1'/>" in live and "dev='vdb'" in live
    assert "vdb" not in dom.GetXMLDesc(XML_INACTIVE)
    assert "<alias name='virtio-disk1'/>" in open(os.path.join(workdir, "qemu", "run", "qemu", "hot.xml")).read()
    assert added.wait_for(1) == [("virtio-disk1",)]
    capacity, allocation, physical = dom.GetBlockInfo("vdb", 0)
    assert (capacity, physical) == (1 << 20, 1 << 20) and allocation == os.stat(image).st_blocks * 512
    with pytest.raises(dbus.DBusException, match="invalid path vdz not assigned to domain"):
        dom.GetBlockInfo("vdz", 0)

    # The same target again: refused before qemu is asked.
    with pytest.raises(dbus.DBusException, match="vdb"):
        dom.AttachDevice(disk_xml("vdb", image), LIVE)

    # A source that does not exist: qemu's error, and nothing left in qemu or in either XML.
    nodes_before = qmp.nodes()
    with pytest.raises(dbus.DBusException, match="/nonexistent/disk.img"):
        dom.AttachDevice(disk_xml("vdc", "/nonexistent/disk.img"), LIVE | CONFIG)
    assert wait_until(lambda: qmp.nodes() == nodes_before, 5), qmp.nodes()
    assert "virtio-disk2" not in qmp.devices()
    assert "vdc" not in dom.GetXMLDesc(0) and "vdc" not in dom.GetXMLDesc(XML_INACTIVE)

    # What is not hotplugged yet is refused with the reason, and nothing changes.
    with pytest.raises(dbus.DBusException, match="disk bus 'sata' cannot be hotplugged."):
        dom.AttachDevice(disk_xml("sda", image).replace("bus='virtio'", "bus='sata'"), LIVE)
    with pytest.raises(dbus.DBusException, match="live attach of device 'sound' is not supported"):
        dom.AttachDevice("<sound model='ich6'/>", LIVE)
    assert qmp.nodes() == nodes_before and "sda" not in dom.GetXMLDesc(0) and "sound" not in dom.GetXMLDesc(0)

    # Config only, on the running domain: the next boot's definition, not qemu.
    dom.AttachDevice(disk_xml("vdd", image), CONFIG)
    assert "vdd" in dom.GetXMLDesc(XML_INACTIVE) and "vdd" not in dom.GetXMLDesc(0)
    assert "virtio-disk3" not in qmp.devices()
    stored = glob.glob(os.path.join(workdir, "qemu", "etc", "qemu", "*.xml"))
    assert len(stored) == 1 and "vdd" in open(stored[0]).read()  # saved through the store
    dom.DetachDevice(disk_xml("vdd", image), CONFIG)
    assert "vdd" not in dom.GetXMLDesc(XML_INACTIVE) and "vdd" not in open(stored[0]).read()

    # Detach: device_del; the guest (ACPI PCI hotplug) ejects, qemu says DEVICE_DELETED, the
    # device leaves the live XML and its blockdev pair is deleted.
    assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
    dom.DetachDevice(disk_xml("vdb", image), LIVE)
    assert removed.wait_for(1, timeout=10) == [("virtio-disk1",)]
    assert "virtio-disk1" not in qmp.devices()
    assert wait_until(lambda: qmp.nodes() == boot_nodes, 5), qmp.nodes()
    assert "vdb" not in dom.GetXMLDesc(0)

    # A disk qemu started with: its command-line names (virtio-disk0, libvirt-1-*) go too.
    assert {"libvirt-1-format", "libvirt-1-storage"} <= boot_nodes
    dom.DetachDevice(disk_xml("vda", "/unused"), LIVE)
    assert removed.wait_for(2, timeout=10)[1] == ("virtio-disk0",)
    assert "virtio-disk0" not in qmp.devices()
    assert wait_until(lambda: not {"libvirt-1-format", "libvirt-1-storage"} & qmp.nodes(), 5), qmp.nodes()
    assert "vda" not in dom.GetXMLDesc(0) and "vda" in dom.GetXMLDesc(XML_INACTIVE)

    # A qcow2 image: qemu opens it through the qcow2 driver, GetBlockInfo reads its virtual size.
    if shutil.which("qemu-img"):
        qcow2 = os.path.join(workdir, "extra.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qcow2, "4M"], check=True)
        dom.AttachDevice(disk_xml("vde", qcow2).replace("type='raw'", "type='qcow2'"), LIVE)
        assert dom.GetBlockInfo("vde", 0)[0] == 4 << 20
        block = {b["qdev"]: b for b in qmp.cmd("query-block")}
        assert block["/machine/peripheral/virtio-disk4/virtio-backend"]["inserted"]["drv"] == "qcow2"

    # Detaching what is not there: libvirt's words.
    with pytest.raises(dbus.DBusException, match="no target device vdb"):
        dom.DetachDevice(disk_xml("vdb", image), LIVE)


def test_pool_volume_disk_attach_live_opens_the_volume_file(bus, workdir, running):
    """cockpit-machines' "Add disk" on a running guest: qemu opens the volume's file, as at start;
    both the live XML and the persistent definition keep the pool volume."""
    dom, qmp, serial = running
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    target = os.path.join(workdir, "hotpool")
    pool = dbus.Interface(bus.get_object("org.libvirt", conn.StoragePoolDefineXML(
        "<pool type='dir'><name>hotpool</name><target><path>%s</path></target></pool>" % target, 0)),
        "org.libvirt.StoragePool")
    pool.Build(0)
    pool.Create(0)
    pool.StorageVolCreateXML("<volume><name>hot.qcow2</name><capacity unit='MiB'>4</capacity>"
                             "<target><format type='qcow2'/></target></volume>", 0)

    def volume_disk(target_dev, volume, cache="default"):
        # as the page writes it, cache and discard included
        return ("<disk type='volume' device='disk'><driver name='qemu' type='qcow2' cache='%s' "
                "discard='unmap'/><source pool='hotpool' volume='%s'/><target dev='%s' bus='virtio'/></disk>"
                % (cache, volume, target_dev))

    nodes_before = qmp.nodes()
    with pytest.raises(dbus.DBusException, match="no storage vol with matching name 'missing'"):
        dom.AttachDevice(volume_disk("vdg", "missing"), LIVE | CONFIG)
    assert qmp.nodes() == nodes_before
    assert "vdg" not in dom.GetXMLDesc(0) and "vdg" not in dom.GetXMLDesc(XML_INACTIVE)

    dom.AttachDevice(volume_disk("vdf", "hot.qcow2", cache="unsafe"), LIVE | CONFIG)
    block = {b["qdev"]: b for b in qmp.cmd("query-block")}
    inserted = block["/machine/peripheral/virtio-disk5/virtio-backend"]["inserted"]
    assert (inserted["file"], inserted["drv"]) == (os.path.join(target, "hot.qcow2"), "qcow2")
    assert inserted["cache"] == {"writeback": True, "direct": False, "no-flush": True}  # libvirt's 'unsafe'
    with pytest.raises(dbus.DBusException, match="disk 'vdg': unknown disk cache mode 'bogus'"):
        dom.AttachDevice(volume_disk("vdg", "hot.qcow2", cache="bogus"), LIVE)
    assert "<source pool='hotpool' volume='hot.qcow2' index='" in dom.GetXMLDesc(0)
    assert "<source file='%s'" % os.path.join(target, "hot.qcow2") not in dom.GetXMLDesc(0)
    assert "<source pool='hotpool' volume='hot.qcow2'/>" in dom.GetXMLDesc(XML_INACTIVE)
    assert dom.GetBlockInfo("vdf", 0)[0] == 4 << 20


def test_interface_addresses_from_each_source(bus, running):
    """What cockpit-machines asks of a running guest's page, answered as libvirt's QEMU driver does
    for a user-mode NIC: no leases (no virtual network), nothing in the host's ARP table, no agent."""
    dom, qmp, serial = running
    assert dom.InterfaceAddresses(0, 0) == []  # VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE
    assert dom.InterfaceAddresses(2, 0) == []  # _ARP: the guest's MAC is not on the host's table
    with pytest.raises(dbus.DBusException, match="QEMU guest agent is not configured"):
        dom.InterfaceAddresses(1, 0)
    with pytest.raises(dbus.DBusException, match="Unknown IP address data source 3"):
        dom.InterfaceAddresses(3, 0)
    dom.Destroy(0)
    with pytest.raises(dbus.DBusException, match="domain is not running"):
        dom.InterfaceAddresses(0, 0)
    dom.Create(0)  # the fixture destroys it


def test_nic_attach_and_detach_waiting_for_a_paused_guest(bus, running):
    dom, qmp, serial = running
    removed = SignalRecorder(bus, "DeviceRemoved", "org.libvirt.Domain")
    dom.AttachDevice(NIC, LIVE | CONFIG)
    assert "net1" in qmp.devices()
    live = dom.GetXMLDesc(0)
    assert "<alias name='net1'/>" in live and "52:54:00:12:34:56" in live
    assert "52:54:00:12:34:56" in dom.GetXMLDesc(XML_INACTIVE)

    # A paused guest cannot eject: as libvirt, the detach returns after its wait (5 s) with the
    # removal pending, and the device stays in qemu and in the live XML until the guest lets go.
    assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
    dom.Suspend()
    dom.DetachDevice(NIC, LIVE)
    assert "net1" in qmp.devices() and "52:54:00:12:34:56" in dom.GetXMLDesc(0)
    assert removed.settle() == []
    dom.Resume()
    assert removed.wait_for(1, timeout=10) == [("net1",)]
    assert "net1" not in qmp.devices()
    assert "52:54:00:12:34:56" not in dom.GetXMLDesc(0)

    # The NIC qemu started with is net0 / hostnet0.
    dom.DetachDevice(BOOT_NIC, LIVE)
    assert removed.wait_for(2, timeout=10)[1] == ("net0",)
    assert "net0" not in qmp.devices() and "52:54:00:00:00:01" not in dom.GetXMLDesc(0)

    # The persistent definition is changed only when asked.
    assert "52:54:00:12:34:56" in dom.GetXMLDesc(XML_INACTIVE)
    dom.DetachDevice(NIC, CONFIG)
    assert "52:54:00:12:34:56" not in dom.GetXMLDesc(XML_INACTIVE)


def test_stats_info_and_set_memory_the_guest_balloon_follows(bus, workdir, running):
    dom, qmp, serial = running
    # GetInfo (state, max KiB, KiB, vcpus, cpu ns): qemu's own cpu time, growing while it runs.
    first = dom.GetInfo()
    assert first[0] == 1 and first[1] == 131072 and first[3] == 1 and first[4] > 0
    assert wait_until(lambda: dom.GetInfo()[4] > first[4], 5)
    stats = dom.GetStats(0, 0)
    assert stats["state.state"] == 1 and stats["cpu.time"] >= first[4]
    assert stats["cpu.time"] == stats["cpu.user"] + stats["cpu.system"]
    assert stats["balloon.maximum"] == 131072 and stats["vcpu.current"] == 1
    # Block counters from qemu's query-blockstats, for the disk qemu started with (block.0 is vda).
    assert stats["block.count"] == 1 and stats["block.0.name"] == "vda"
    counters = {k: v for k, v in stats.items() if k.startswith("block.0.") and k.split(".", 2)[2] in
                ("rd.reqs", "rd.bytes", "rd.times", "wr.reqs", "wr.bytes", "wr.times", "fl.reqs", "fl.times")}
    assert len(counters) == 8 and all(v >= 0 for v in counters.values()), stats
    assert not any(k.startswith("block.0.") for k in dom.GetStats(2, 0))  # cpu only: no query

    # SetMemory: the virtio balloon DefineXML added gets qemu's `balloon`; above the maximum is refused.
    with pytest.raises(dbus.DBusException, match="cannot set memory higher than max memory"):
        dom.SetMemory(dbus.UInt64(262144), LIVE)
    with pytest.raises(dbus.DBusException, match="cannot resize the maximum memory on an active domain"):
        dom.SetMemory(dbus.UInt64(65536), LIVE | 4)

    # The guest's virtio_balloon driver (loaded before its ready marker) gives the memory back: qemu
    # reports the new size (query-balloon on the second monitor) and BALLOON_CHANGE, which the live
    # XML, GetInfo, GetStats and the BalloonChange signal follow, as libvirt's.
    assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
    changes = SignalRecorder(bus, "BalloonChange", "org.libvirt.Domain")
    dom.SetMemory(dbus.UInt64(98304), LIVE | CONFIG)
    assert "<currentMemory unit='KiB'>98304</currentMemory>" in dom.GetXMLDesc(XML_INACTIVE)
    assert wait_until(lambda: qmp.cmd("query-balloon")["actual"] == 96 << 20, 20), qmp.cmd("query-balloon")
    assert wait_until(lambda: "<currentMemory unit='KiB'>98304</currentMemory>" in dom.GetXMLDesc(0), 5)
    assert dom.GetInfo()[2] == 98304 and dom.GetStats(0, 0)["balloon.current"] == 98304
    assert dom.GetStats(0, 0)["balloon.maximum"] == 131072
    # qemu reports the way down too (e.g. 130048 first): the last one is the new size.
    assert wait_until(lambda: changes.wait_for(len(changes.items) + 1, 0.2)[-1:] == [(98304,)], 5), changes.items
    live = open(os.path.join(workdir, "qemu", "run", "qemu", "hot.xml")).read()
    assert "<currentMemory unit='KiB'>98304</currentMemory>" in live  # a reattach reads it

    # And back up, live only: the balloon deflates, the definition keeps 96 MiB.
    dom.SetMemory(dbus.UInt64(131072), LIVE)
    assert wait_until(lambda: qmp.cmd("query-balloon")["actual"] == 128 << 20, 20), qmp.cmd("query-balloon")
    assert wait_until(lambda: dom.GetInfo()[2] == 131072, 5)
    assert "<currentMemory unit='KiB'>98304</currentMemory>" in dom.GetXMLDesc(XML_INACTIVE)

    # MemoryStats: the balloon size and qemu's RSS; the guest's own figures once a collection
    # period is set (SetMemoryStatsPeriod: the balloon's guest-stats-polling-interval in qemu).
    stats = dom.MemoryStats(0)
    assert stats[STAT_ACTUAL_BALLOON] == 131072 and stats[STAT_RSS] > 0, stats
    first = stats.get(STAT_LAST_UPDATE, 0)  # the driver's one report at load
    dom.SetMemoryStatsPeriod(1, LIVE | CONFIG)
    assert qmp.cmd("qom-get", path="/machine/peripheral/balloon0", property="guest-stats-polling-interval") == 1
    assert "<stats period='1'/>" in dom.GetXMLDesc(0) and "<stats period='1'/>" in dom.GetXMLDesc(XML_INACTIVE)
    assert wait_until(lambda: dom.MemoryStats(0).get(STAT_LAST_UPDATE, 0) > first, 10), dom.MemoryStats(0)
    stats = dom.MemoryStats(0)
    guest = qmp.cmd("qom-get", path="/machine/peripheral/balloon0", property="guest-stats")
    assert stats[STAT_AVAILABLE] == guest["stats"]["stat-total-memory"] // 1024
    assert 0 < stats[STAT_UNUSED] < stats[STAT_AVAILABLE] < 131072 and stats[STAT_LAST_UPDATE] > 0, stats


def test_save_and_restore_after_a_hotplug(bus, workdir, running):
    """The live XML records where qemu put a hot-plugged device (query-pci), and the save image
    keeps that XML: the restore starts qemu with the disk in the same slot and the state loads."""
    dom, qmp, serial = running
    image = os.path.join(workdir, "saved-extra.img")
    with open(image, "wb") as f:
        f.truncate(1 << 20)
    dom.AttachDevice(disk_xml("vdb", image), LIVE)
    placed = [d for d in qmp.cmd("query-pci")[0]["devices"] if d.get("qdev_id") == "virtio-disk1"]
    assert len(placed) == 1
    assert "slot='0x%02x'" % placed[0]["slot"] in dom.GetXMLDesc(0)
    qmp.close()  # the restored qemu opens the same extra monitor again
    saved = os.path.join(workdir, "hot.save")
    dom.Save(saved, "", 0)
    assert tuple(dom.GetState(0)) == (5, 5)  # shutoff/saved
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    conn.DomainRestore(saved, "", 0)
    assert tuple(dom.GetState(0)) == (1, 3)  # running/restored
    assert "dev='vdb'" in dom.GetXMLDesc(0)


def vcpu_domain(bus, workdir, guest_files, name, vcpu):
    kernel, initramfs = guest_files
    qmp_path = os.path.join(workdir, name + ".qmp")
    serial = os.path.join(workdir, name + ".log")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    xml = guest_xml(name, kernel, initramfs, serial, qmp_path).replace("<vcpu>1</vcpu>", vcpu)
    dom = dbus.Interface(bus.get_object("org.libvirt", conn.DomainDefineXML(xml)), "org.libvirt.Domain")
    dom.Create(0)
    return dom, Qmp(qmp_path), serial


def live_vcpus(dom, flags=0):
    m = re.search(r"<vcpu([^>]*)>(\d+)</vcpu>", dom.GetXMLDesc(flags))
    current = re.search(r"current='(\d+)'", m.group(1))
    return int(current.group(1) if current else m.group(2)), int(m.group(2))


def test_set_vcpus_live_plugs_and_unplugs_vcpus_the_guest_ejects(bus, workdir, guest_files, daemon):
    """SetVcpus on a guest started with 1 of 3 vCPUs: LIVE|CONFIG 1 -> 3 plugs two (qemu's
    query-cpus-fast, seen on a second monitor), LIVE 3 -> 1 unplugs them again, highest first: the
    guest ejects each CPU through ACPI and qemu drops it. Over the maximum, or the maximum live, is
    refused and nothing changes. (No plug after an unplug: qemu 7.2 under TCG segfaults there.)"""
    removed = SignalRecorder(bus, "DeviceRemoved", "org.libvirt.Domain")
    dom, qmp, serial = vcpu_domain(bus, workdir, guest_files, "vcpus", "<vcpu current='1'>3</vcpu>")
    try:
        assert len(qmp.cmd("query-cpus-fast")) == 1
        # Once the guest is up: it must answer the ejects later, and a vCPU added while the kernel
        # brings up its CPUs can stall its boot.
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        dom.SetVcpus(3, LIVE | CONFIG)
        assert len(qmp.cmd("query-cpus-fast")) == 3
        assert live_vcpus(dom) == (3, 3) and live_vcpus(dom, XML_INACTIVE) == (3, 3)
        # As libvirt after a hot-add: the live XML gets <vcpus>, each vCPU in qemu's order.
        assert "<vcpu id='2' enabled='yes' hotpluggable='yes' order='3'/>" in dom.GetXMLDesc(0), dom.GetXMLDesc(0)
        assert "<vcpus>" not in dom.GetXMLDesc(XML_INACTIVE)
        for count, flags, words in ((4, LIVE, "greater than max allowable vcpus"),
                                    (2, LIVE | 4, "cannot hotplug vcpus for an active domain")):
            with pytest.raises(dbus.DBusException) as refused:
                dom.SetVcpus(count, flags)
            assert words in refused.value.get_dbus_message()
        assert len(qmp.cmd("query-cpus-fast")) == 3

        # Unplug: the guest answers the ACPI eject request.
        dom.SetVcpus(1, LIVE)
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0]
        slots = qmp.cmd("query-hotpluggable-cpus")
        assert sorted(s["props"]["socket-id"] for s in slots if "qom-path" not in s) == [1, 2]
        assert {"vcpu1", "vcpu2"}.isdisjoint(qmp.devices())
        assert live_vcpus(dom) == (1, 3) and dom.GetStats(0, 0)["vcpu.current"] == 1
        assert "<vcpu id='2' enabled='no' hotpluggable='yes'/>" in dom.GetXMLDesc(0), dom.GetXMLDesc(0)
        assert dom.GetInfo()[3] == 1
        assert live_vcpus(dom, XML_INACTIVE) == (3, 3)  # LIVE only: the definition keeps 3
        assert "current='1'" in open(os.path.join(workdir, "qemu", "run", "qemu", "vcpus.xml")).read()
        assert removed.settle() == []  # libvirt announces no device removal for a vCPU
    finally:
        print(daemon.log())
        qmp.close()
        dom.Destroy(0)
        dom.Undefine(0)


def test_set_vcpus_live_refuses_boot_vcpus_and_times_out_on_a_paused_guest(bus, workdir, guest_files, daemon):
    """vCPUs qemu started with (-smp 2) are not hot-pluggable: going below them is refused with
    libvirt's words before qemu is asked, even when a hot-plugged vCPU above them could go. A
    paused guest cannot eject: libvirt's timeout error after its 5 s wait, and the live count
    follows when the guest lets go after Resume."""
    dom, qmp, serial = vcpu_domain(bus, workdir, guest_files, "bootvcpus", "<vcpu current='2'>3</vcpu>")
    try:
        # Plugged once the guest is up: a vCPU added while the kernel brings up its CPUs can stall
        # its boot (seen under load, once in a full suite run).
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        dom.SetVcpus(3, LIVE)
        with pytest.raises(dbus.DBusException) as refused:
            dom.SetVcpus(1, LIVE)
        assert refused.value.get_dbus_message() == "unsupported configuration: failed to find appropriate " \
            "hotpluggable vcpus to reach the desired target vcpu count"
        assert len(qmp.cmd("query-cpus-fast")) == 3 and "vcpu2" in qmp.devices()
        assert live_vcpus(dom) == (3, 3)

        dom.Suspend()
        with pytest.raises(dbus.DBusException) as timed_out:
            dom.SetVcpus(2, LIVE)
        assert timed_out.value.get_dbus_message() == ("Timed out during operation: vcpu unplug request timed out. "
                                                      "Unplug result must be manually inspected in the domain")
        assert len(qmp.cmd("query-cpus-fast")) == 3 and live_vcpus(dom) == (3, 3)
        dom.Resume()
        assert wait_until(lambda: live_vcpus(dom) == (2, 3), 15), dom.GetXMLDesc(0)
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0, 1]
    finally:
        print(daemon.log())
        qmp.close()
        dom.Destroy(0)
        dom.Undefine(0)


def test_memory_stats_period_from_the_definition_and_without_a_balloon(bus, workdir, guest_files):
    """<memballoon><stats period> becomes qemu's polling interval when the domain starts (libvirt's
    qemuProcessSetupBalloon); without a virtio balloon the period is refused with libvirt's words
    and MemoryStats gives qemu's RSS alone."""
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    qmp_path = os.path.join(workdir, "period.qmp")
    xml = guest_xml("period", kernel, initramfs, os.path.join(workdir, "p.log"), qmp_path,
                    "<memballoon model='virtio'><stats period='2'/></memballoon>")
    dom = dbus.Interface(bus.get_object("org.libvirt", conn.DomainDefineXML(xml)), "org.libvirt.Domain")
    none_xml = guest_xml("noballoon", kernel, initramfs, os.path.join(workdir, "n.log"),
                         os.path.join(workdir, "n.qmp"), "<memballoon model='none'/>")
    bare = dbus.Interface(bus.get_object("org.libvirt", conn.DomainDefineXML(none_xml)), "org.libvirt.Domain")
    with pytest.raises(dbus.DBusException, match="No memory balloon device configured, can not set the collection"):
        bare.SetMemoryStatsPeriod(1, CONFIG)
    dom.Create(0)
    bare.Create(0)
    qmp = Qmp(qmp_path)
    try:
        assert qmp.cmd("qom-get", path="/machine/peripheral/balloon0", property="guest-stats-polling-interval") == 2
        with pytest.raises(dbus.DBusException, match="No memory balloon device configured"):
            bare.SetMemoryStatsPeriod(1, LIVE)
        assert list(bare.MemoryStats(0).keys()) == [STAT_RSS]
    finally:
        qmp.close()
        for d in (dom, bare):
            d.Destroy(0)
            d.Undefine(0)
