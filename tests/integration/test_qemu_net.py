"""Ethernet interfaces on real qemu through /org/libvirt/QEMU (drivers/qemu/qemu_tap.c,
qemu_domain_net.c): the daemon opens the tap and hands qemu its fd, as libvirt does; the live XML
names it; GetStats reads its counters from /proc/net/dev, swapped to the guest's view; the tap goes
with qemu. Needs root (creating a tap needs CAP_NET_ADMIN) and /dev/net/tun. Boots the tiny guest."""
import json
import os
import shutil
import subprocess
import uuid

import dbus
import pytest

from test_qemu_hotplug import Qmp, guest_xml, wait_until
from test_qemu_lifecycle import guest_files  # noqa: F401 (a fixture)

QEMU_PATH = "/org/libvirt/QEMU"
XML_INACTIVE = 2
STATS_INTERFACE = 1 << 4

pytestmark = [
    pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None, reason="qemu-system-x86_64 is not installed"),
    pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/dev/net/tun"),
                       reason="creating a tap needs root and /dev/net/tun"),
]


def link(name):
    """The host's view of a network device (ip -j), None when it does not exist."""
    out = subprocess.run(["ip", "-j", "link", "show", "dev", name], capture_output=True, text=True)
    return json.loads(out.stdout)[0] if out.returncode == 0 else None


def ethernet(mac, target=""):
    return ("<interface type='ethernet'><mac address='%s'/>%s<model type='rtl8139'/></interface>"
            % (mac, target))


def unique_tap():
    return "vbt" + uuid.uuid4().hex[:8]  # within IFNAMSIZ, unlikely to clash with a parallel test


def start(bus, workdir, guest_files, name, extra):  # noqa: F811 (guest_files is the fixture's value)
    kernel, initramfs = guest_files
    qmp_path = os.path.join(workdir, name + ".qmp")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    path = conn.DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(workdir, name + ".serial"),
                                          qmp_path, extra))
    dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
    dom.Create(0)
    return conn, dom, qmp_path


def interface_stats(conn, dom):
    records = conn.GetAllDomainStats(STATS_INTERFACE, 0)
    name = dom.GetXMLDesc(XML_INACTIVE).split("<name>")[1].split("</name>")[0]
    for record_name, stats in records:
        if record_name == name:
            return {str(k): v for k, v in stats.items()}
    raise AssertionError("no stats record for %s" % name)


def test_managed_tap_is_named_in_the_live_xml_counts_the_guests_traffic_and_goes_with_qemu(
        bus, daemon, workdir, guest_files):  # noqa: F811
    conn, dom, qmp_path = start(bus, workdir, guest_files, "tap1", ethernet("52:54:00:aa:00:01") +
                                "<interface type='user'><mac address='52:54:00:aa:00:02'/></interface>")
    try:
        live = dom.GetXMLDesc(0)
        assert "<target dev='vnet" in live, live
        tap = live.split("<target dev='")[1].split("'")[0]
        assert "<target dev=" not in dom.GetXMLDesc(XML_INACTIVE)  # a runtime name, as libvirt

        # The daemon created it, gave it the guest's MAC with fe: in front, and brought it up.
        info = link(tap)
        assert info is not None and info["address"] == "fe:54:00:aa:00:01" and "UP" in info["flags"], info

        # Two interfaces; the user-mode one has no host device, so no name and no counters (libvirt).
        stats = interface_stats(conn, dom)
        assert stats["net.count"] == 2 and stats["net.0.name"] == tap and "net.1.name" not in stats, stats
        assert {"net.0.rx.bytes", "net.0.tx.pkts", "net.0.tx.drop"} <= set(stats), stats

        # qemu's NIC announces itself (3 RARP frames of 60 bytes) through the tap: the guest
        # transmitted, which the host counts as the tap receiving. The guest has no NIC driver, so
        # nothing else leaves it; the host's own packets (IPv6 neighbour discovery) go the other
        # way. The counters come from the kernel, not from a cache.
        before = (stats["net.0.tx.pkts"], stats["net.0.tx.bytes"])
        qmp = Qmp(qmp_path)
        qmp.cmd("announce-self", initial=10, max=20, rounds=3, step=5)
        assert wait_until(lambda: interface_stats(conn, dom)["net.0.tx.pkts"] >= before[0] + 3, 10), \
            interface_stats(conn, dom)
        after = interface_stats(conn, dom)
        assert (after["net.0.tx.pkts"], after["net.0.tx.bytes"]) == (before[0] + 3, before[1] + 3 * 60), after
        qmp.close()
    finally:
        dom.Destroy(0)
    assert wait_until(lambda: link(tap) is None, 5), "the tap outlived qemu"
    assert "net.count" not in interface_stats(conn, dom)  # nothing for a shut-off domain, as libvirt
    dom.Undefine(0)


def test_unmanaged_tap_is_used_as_it_is_and_left_behind(bus, daemon, workdir, guest_files):  # noqa: F811
    tap = unique_tap()
    subprocess.run(["ip", "tuntap", "add", "dev", tap, "mode", "tap"], check=True)
    try:
        conn, dom, _ = start(bus, workdir, guest_files, "tap2",
                             ethernet("52:54:00:aa:00:03", "<target dev='%s' managed='no'/>" % tap))
        assert "<target dev='%s' managed='no'/>" % tap in dom.GetXMLDesc(0)
        assert interface_stats(conn, dom)["net.0.name"] == tap
        assert "UP" not in link(tap)["flags"]  # not ours to bring up
        dom.Destroy(0)
        assert link(tap) is not None  # still there: it was not ours
        dom.Undefine(0)
    finally:
        subprocess.run(["ip", "tuntap", "del", "dev", tap, "mode", "tap"], check=False)


def test_bad_ethernet_targets_fail_the_start_and_leave_nothing_behind(bus, daemon, workdir, guest_files):  # noqa: F811
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    missing = unique_tap()
    cases = [
        ("<target dev='%s' managed='no'/>" % missing, "target managed='no' but specified dev doesn't exist"),
        ("<target managed='no'/>", "target dev must be supplied when managed='no'"),
        ("<target dev='%s' managed='maybe'/>" % missing, "invalid value for attribute 'managed'"),
        ("<target dev='%s'/>" % ("x" * 20), "longer than 15 characters"),
    ]
    for n, (target, words) in enumerate(cases):
        name = "badtap%d" % n
        path = conn.DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(workdir, "s.log"),
                                              os.path.join(workdir, name + ".qmp"),
                                              ethernet("52:54:00:aa:01:%02x" % n, target)))
        dom = dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")
        with pytest.raises(dbus.DBusException, match=words):
            dom.Create(0)
        assert dom.GetState(0)[0] == 5  # shutoff
        assert not os.path.exists(os.path.join(workdir, "qemu", "run", "qemu", name + ".pid"))
        dom.Undefine(0)
    assert link(missing) is None  # a failed start created nothing


def test_link_state_starts_down_and_follows_update_device(bus, daemon, workdir, guest_files):  # noqa: F811
    # The guest's NIC sends qemu's announce frames only while its link is up: a down link drops
    # them in qemu before the tap (the guest has no driver, so nothing else is sent).
    mac = "52:54:00:aa:00:09"
    nic = "<interface type='ethernet'><mac address='%s'/><model type='rtl8139'/>%s</interface>"
    conn, dom, qmp_path = start(bus, workdir, guest_files, "link1", nic % (mac, "<link state='down'/>"))
    qmp = Qmp(qmp_path)

    def tx():
        return interface_stats(conn, dom)["net.0.tx.pkts"]

    def announce_and_count():
        """Frames that left: 3 once all three came, or what left within half a second (qemu
        sends them within milliseconds when the link is up, so a down link shows 0)."""
        before = tx()
        qmp.cmd("announce-self", initial=1, max=2, rounds=3, step=1)
        wait_until(lambda: tx() >= before + 3, 0.5)
        return tx() - before

    try:
        assert "<link state='down'/>" in dom.GetXMLDesc(0)
        assert announce_and_count() == 0  # set down before the guest ran

        dom.UpdateDevice(nic % (mac, "<link state='up'/>"), 1)  # LIVE
        assert "<link" not in dom.GetXMLDesc(0)
        assert "<link state='down'/>" in dom.GetXMLDesc(XML_INACTIVE)  # LIVE only
        assert announce_and_count() == 3

        dom.UpdateDevice(nic % (mac, "<link state='down'/>"), 1 | 2)  # LIVE and CONFIG
        assert "<link state='down'/>" in dom.GetXMLDesc(0)
        assert announce_and_count() == 0
        assert "<link state='down'/>" in dom.GetXMLDesc(XML_INACTIVE)

        # What qemu cannot change on a running NIC is refused, and nothing changes.
        with pytest.raises(dbus.DBusException, match="cannot modify network device model from rtl8139 to e1000"):
            dom.UpdateDevice((nic % (mac, "")).replace("rtl8139", "e1000"), 1)
        with pytest.raises(dbus.DBusException, match="no device matching MAC address 52:54:00:aa:00:0a found"):
            dom.UpdateDevice(nic % ("52:54:00:aa:00:0a", ""), 1)
        with pytest.raises(dbus.DBusException, match="unable to change config on 'ethernet' network type"):
            dom.UpdateDevice(nic % (mac, "<filterref filter='clean-traffic'/>"), 1)
        assert "<link state='down'/>" in dom.GetXMLDesc(0)
    finally:
        qmp.close()
        dom.Destroy(0)
    dom.Undefine(0)


def test_ethernet_nic_attached_live_gets_its_tap_through_getfd_and_detach_removes_it(
        bus, daemon, workdir, guest_files):  # noqa: F811
    from conftest import SignalRecorder
    from test_qemu_lifecycle import wait_for_file_text
    conn, dom, qmp_path = start(bus, workdir, guest_files, "hot1", "")
    qmp = Qmp(qmp_path)
    removed = SignalRecorder(bus, "DeviceRemoved", "org.libvirt.Domain")
    try:
        # A tap that must exist but does not: refused, nothing in qemu, no tap made.
        missing = unique_tap()
        with pytest.raises(dbus.DBusException, match="target managed='no' but specified dev doesn't exist"):
            dom.AttachDevice(ethernet("52:54:00:aa:02:01", "<target dev='%s' managed='no'/>" % missing), 1)
        assert not any(d.startswith("net") for d in qmp.devices()) and link(missing) is None

        dom.AttachDevice(ethernet("52:54:00:aa:02:02"), 1)  # LIVE
        live = dom.GetXMLDesc(0)
        tap = live.split("<target dev='")[1].split("'")[0]
        info = link(tap)
        assert info is not None and "UP" in info["flags"] and info["address"] == "fe:54:00:aa:02:02", info
        alias = live.split("<alias name='")[1].split("'")[0]
        assert alias in qmp.devices()
        stats = interface_stats(conn, dom)
        assert stats["net.count"] == 1 and stats["net.0.name"] == tap
        qmp.cmd("announce-self", initial=1, max=2, rounds=3, step=1)
        assert wait_until(lambda: interface_stats(conn, dom)["net.0.tx.pkts"] >= stats["net.0.tx.pkts"] + 3, 10)

        # Detach: the guest ejects the card, qemu drops the netdev and with it the last fd.
        assert wait_for_file_text(os.path.join(workdir, "hot1.serial"), "VIRTBUS-GUEST-READY", 40)
        dom.DetachDevice(ethernet("52:54:00:aa:02:02"), 1)
        assert removed.wait_for(1, timeout=10) == [(alias,)]
        assert wait_until(lambda: link(tap) is None, 5), "the tap outlived its netdev"
        assert "<interface" not in dom.GetXMLDesc(0)
    finally:
        qmp.close()
        dom.Destroy(0)
    dom.Undefine(0)


def test_a_generated_tap_name_in_a_definition_gets_a_fresh_tap(bus, daemon, workdir, guest_files):  # noqa: F811
    # vnetN names are the kernel's picks for managed taps: libvirt blanks them when it reads a
    # definition. One copied from another domain's live XML (or a save image's) must not reach for
    # the tap that domain holds.
    _, first, _ = start(bus, workdir, guest_files, "gen1", ethernet("52:54:00:aa:03:01"))
    try:
        taken = first.GetXMLDesc(0).split("<target dev='")[1].split("'")[0]
        _, second, _ = start(bus, workdir, guest_files, "gen2",
                             ethernet("52:54:00:aa:03:02", "<target dev='%s'/>" % taken))
        try:
            fresh = second.GetXMLDesc(0).split("<target dev='")[1].split("'")[0]
            assert fresh.startswith("vnet") and fresh != taken and link(fresh) is not None
        finally:
            second.Destroy(0)
            second.Undefine(0)
    finally:
        first.Destroy(0)
        first.Undefine(0)
