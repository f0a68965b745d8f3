"""Per-vCPU <vcpus> in the QEMU driver (conf/domain_vcpus.c, drivers/qemu/qemu_process_vcpus.c), as
libvirt 9.0: an enabled hotpluggable vCPU is added by device_add before the guest runs, so it can be
unplugged live later; the live XML follows each vCPU's state, also across a kill -9 of the daemon;
bad <vcpus> is refused with libvirt's words. Boots tests/guest's tiny guest under TCG."""
import os

import dbus
import pytest

from test_qemu_hotplug import QEMU_PATH, XML_INACTIVE, Qmp, guest_xml, live_vcpus, wait_until
from test_qemu_lifecycle import guest_files, pytestmark, wait_for_file_text  # noqa: F401 (fixture, marker)
from test_qemu_reattach import Session, clean_up, qemu_pid

LIVE = 1
VCPUS = ("<vcpu current='2'>4</vcpu><vcpus>"
         "<vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>"
         "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>"
         "<vcpu id='2' enabled='no' hotpluggable='yes'/>"
         "<vcpu id='3' enabled='no' hotpluggable='yes'/></vcpus>")


def xml_with(kernel, initramfs, workdir, name, vcpus):
    return guest_xml(name, kernel, initramfs, os.path.join(workdir, name + ".log"),
                     os.path.join(workdir, name + ".qmp")).replace("<vcpu>1</vcpu>", vcpus)


def test_hotpluggable_vcpu_added_at_start_is_unplugged_live(private_bus, workdir, guest_files):
    """vCPU 1, enabled and hotpluggable: qemu starts with -smp 1 and gets vCPU 1 by device_add
    (vcpu1) before the guest runs; the live XML keeps its state across a kill -9 of the daemon;
    SetVcpus 1 live unplugs it (possible only because it was hot-plugged), and the live <vcpus>
    shows it disabled while the definition is untouched."""
    kernel, initramfs = guest_files
    first = Session(private_bus, workdir)
    second = qmp = None
    try:
        first.conn.DomainDefineXML(xml_with(kernel, initramfs, workdir, "pervcpu", VCPUS))
        dom = first.domain("pervcpu")[1]
        dom.Create(0)
        qmp = Qmp(os.path.join(workdir, "pervcpu.qmp"))
        cmdline = open("/proc/%d/cmdline" % qemu_pid(workdir, "pervcpu")).read().split("\0")
        assert cmdline[cmdline.index("-smp") + 1].startswith("1,maxcpus=4,"), cmdline
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0, 1]
        assert "vcpu1" in qmp.devices()
        assert dom.GetStats(0, 0)["vcpu.current"] == 2 and live_vcpus(dom) == (2, 4)
        live = dom.GetXMLDesc(0)
        assert "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>" in live, live
        assert "<vcpu id='2' enabled='no' hotpluggable='yes'/>" in live, live

        first.kill()
        second = Session(private_bus, workdir)
        dom = second.domain("pervcpu")[1]
        assert wait_until(lambda: "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>" in dom.GetXMLDesc(0),
                          10), dom.GetXMLDesc(0)

        assert wait_for_file_text(os.path.join(workdir, "pervcpu.log"), "VIRTBUS-GUEST-READY", 60), "guest not ready"
        dom.SetVcpus(1, LIVE)
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0]
        assert "vcpu1" not in qmp.devices()
        live = dom.GetXMLDesc(0)
        assert "<vcpu id='1' enabled='no' hotpluggable='yes'/>" in live, live
        assert "<vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>" in live, live
        assert live_vcpus(dom) == (1, 4) and dom.GetStats(0, 0)["vcpu.current"] == 1
        inactive = dom.GetXMLDesc(XML_INACTIVE)
        assert "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>" in inactive, inactive
        assert live_vcpus(dom, XML_INACTIVE) == (2, 4)
        dom.Destroy(0)
        dom.Undefine(0)
        second.stop()
        second = None
    finally:
        clean_up(qmp, first, second)


def test_bad_vcpus_are_refused_with_libvirt_words(bus, daemon, workdir, guest_files):
    """libvirt's checks: the parser's (ids, required attributes, offline and not hotpluggable), the
    qemu driver's at define (qemuDomainDefVcpusPostParse) and at start
    (qemuProcessValidateHotpluggableVcpus: a duplicate order, before any vCPU is added)."""
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    head = "<vcpu current='2'>3</vcpu><vcpus>"
    cases = (
        ("<vcpu id='0' enabled='yes'/><vcpu id='3' enabled='yes'/>",
         "XML error: vcpu id '3' is out of range of maximum vcpu count"),
        ("<vcpu id='0'/>", "XML error: Missing required attribute 'enabled' in element 'vcpu'"),
        ("<vcpu id='0' enabled='yes'/><vcpu id='1' enabled='no' hotpluggable='no'/>",
         "unsupported configuration: vcpu '1' is both offline and not hotpluggable"),
        ("<vcpu id='0' enabled='yes' hotpluggable='yes'/>", "unsupported configuration: vcpu0 can't be hotpluggable"),
        ("<vcpu id='0' enabled='no'/><vcpu id='1' enabled='yes'/>", "unsupported configuration: vcpu 0 can't be offline"),
        ("<vcpu id='0' enabled='yes' order='2'/><vcpu id='1' enabled='yes' hotpluggable='yes' order='1'/>",
         "unsupported configuration: vcpu0 must be enabled first"),
        ("<vcpu id='0' enabled='yes' order='1'/><vcpu id='1' enabled='yes' hotpluggable='yes'/>",
         "unsupported configuration: all vcpus must have either set or unset order"),
        ("<vcpu id='0' enabled='yes'/><vcpu id='1' enabled='yes' hotpluggable='yes'/>"
         "<vcpu id='2' enabled='yes' hotpluggable='no'/>",
         "unsupported configuration: online non-hotpluggable vcpus need to be ordered prior to hotplugable vcpus"),
    )
    for vcpus, words in cases:
        with pytest.raises(dbus.DBusException) as refused:
            conn.DomainDefineXML(xml_with(kernel, initramfs, workdir, "badvcpus", head + vcpus + "</vcpus>"))
        assert refused.value.get_dbus_message() == words, vcpus

    # Accepted at define, refused at start: two vCPUs with the same order.
    path = conn.DomainDefineXML(xml_with(kernel, initramfs, workdir, "duporder", head +
                                         "<vcpu id='0' enabled='yes' order='1'/>"
                                         "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>"
                                         "<vcpu id='2' enabled='no' hotpluggable='yes' order='2'/></vcpus>"))
    dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
    try:
        with pytest.raises(dbus.DBusException) as refused:
            dom.Create(0)
        assert "duplicate vcpu order '2'" in refused.value.get_dbus_message()
        assert tuple(dom.GetState(0))[0] == 5  # shutoff
    finally:
        dom.Undefine(0)


def test_save_and_restore_bring_the_hot_plugged_vcpu_back(bus, daemon, workdir, guest_files):
    """A saved guest's live XML carries <vcpus>: the restore starts qemu with -smp 1 and adds vCPU 1
    by device_add again before the incoming state, so the guest carries on with both, and vCPU 1
    can still be unplugged."""
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    path = conn.DomainDefineXML(xml_with(kernel, initramfs, workdir, "savevcpu", VCPUS))
    dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
    image = os.path.join(workdir, "savevcpu.img")
    qmp = None
    try:
        dom.Create(0)
        assert wait_for_file_text(os.path.join(workdir, "savevcpu.log"), "VIRTBUS-GUEST-READY", 60), "guest not ready"
        dom.Save(image, "", 0)
        conn.DomainRestore(image, "", 0)
        qmp = Qmp(os.path.join(workdir, "savevcpu.qmp"))
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0, 1]
        assert "vcpu1" in qmp.devices()
        assert "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>" in dom.GetXMLDesc(0), dom.GetXMLDesc(0)
        dom.SetVcpus(1, LIVE)
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0]
        assert "<vcpu id='1' enabled='no' hotpluggable='yes'/>" in dom.GetXMLDesc(0), dom.GetXMLDesc(0)
    finally:
        print(daemon.log())
        if qmp:
            qmp.close()
        if dom.GetState(0)[0] != 5:
            dom.Destroy(0)
        dom.Undefine(0)
