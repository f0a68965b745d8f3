"""virtbusd restarts, kill -9 included, while qemu guests run (drivers/qemu/qemu_domain_reattach.c):
running and paused guests are found again with their ids and states, and answer afterwards; a
guest that died meanwhile is shutoff/crashed; a pidfile whose pid now names another process is not
mistaken for the guest; autostart domains start with the daemon. Boots tests/guest's tiny guest."""
import os
import re
import signal
import subprocess
import time

import dbus
import pytest

from conftest import Daemon, SignalRecorder
from test_qemu_lifecycle import (PAUSED, QEMU_PATH, RUNNING, SHUTOFF, SHUTOFF_CRASHED, SHUTOFF_DESTROYED,
                                 SHUTOFF_SHUTDOWN, STOPPED, STOPPED_SHUTDOWN, guest_files, guest_xml,
                                 lifecycle, pytestmark, wait_for_event, wait_for_file_text, wait_for_state)

__all__ = ["guest_files", "pytestmark"]  # the fixture and the skip marker, shared with the lifecycle test
RESUMED = 4
START_PAUSED = 1


class Session:
    """One virtbusd on the private bus, and a client connection to it."""

    def __init__(self, private_bus, workdir):
        self.daemon = Daemon(private_bus, workdir).start()
        self.bus = dbus.bus.BusConnection(private_bus.address)
        self.conn = dbus.Interface(self.bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")

    def domain(self, name):
        path = self.conn.DomainLookupByName(name)
        return path, dbus.Interface(self.bus.get_object("org.libvirt", path), "org.libvirt.Domain")

    def kill(self):
        self.bus.close()
        self.daemon.kill()

    def stop(self):
        self.bus.close()
        status = self.daemon.stop()
        log = self.daemon.log()
        assert status == 0 and "AddressSanitizer" not in log and "runtime error:" not in log, log


def run_dir(workdir):
    return os.path.join(workdir, "qemu", "run", "qemu")


def qemu_pid(workdir, name):
    return int(open(os.path.join(run_dir(workdir), name + ".pid")).read().split()[0])


def domain_id(bus, path):
    props = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
    return int(props.Get("org.libvirt.Domain", "Id"))


def wait_until_gone(pid, timeout=10):
    """The pid no longer runs (gone, or a zombie no init reaps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    raise AssertionError("pid %d still runs" % pid)


def test_kill9_of_the_daemon_leaves_guests_running_and_found_again(private_bus, workdir, guest_files):
    kernel, initramfs = guest_files
    serial = os.path.join(workdir, "up.log")
    hooks = os.path.join(workdir, "qemu", "etc", "qemu", "hooks")
    os.makedirs(hooks)
    with open(os.path.join(hooks, "qemu"), "w") as f:  # logs each call: name, operation, sub-operation
        f.write("#!/bin/sh\necho \"$1 $2 $3\" >> %s/hook.log\ncat > /dev/null\n" % workdir)
    os.chmod(os.path.join(hooks, "qemu"), 0o755)
    first = Session(private_bus, workdir)
    pids = []
    try:
        up_path = first.conn.DomainDefineXML(guest_xml("up", kernel, initramfs, serial))
        first.conn.DomainDefineXML(guest_xml("held", kernel, initramfs, os.path.join(workdir, "held.log")))
        first.domain("held")[1].Create(START_PAUSED)
        first.domain("up")[1].Create(0)
        ids = {name: domain_id(first.bus, first.domain(name)[0]) for name in ("up", "held")}
        pids = [qemu_pid(workdir, "up"), qemu_pid(workdir, "held")]
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
        first.kill()

        second = Session(private_bus, workdir)
        events = SignalRecorder(second.bus, "DomainEvent")
        path, up = second.domain("up")
        assert path == up_path
        held_path, held = second.domain("held")
        for pid in pids:
            os.kill(pid, 0)  # the same qemu processes still run
        assert tuple(up.GetState(0)) == (RUNNING, 1)  # running/booted, as before the restart
        assert tuple(held.GetState(0)) == (PAUSED, 1)  # paused/user
        assert {name: domain_id(second.bus, second.domain(name)[0]) for name in ("up", "held")} == ids
        assert "id='%d'" % ids["up"] in up.GetXMLDesc(0)
        # libvirt's hook on reattach: "reconnect begin" for each guest found again
        hook_log = os.path.join(workdir, "hook.log")
        assert wait_for_file_text(hook_log, "held reconnect begin", 10), open(hook_log).read()
        assert "up reconnect begin" in open(hook_log).read()

        # The monitors answer and events flow: resume, then the guest's own ACPI power-off.
        held.Resume()
        assert tuple(held.GetState(0))[0] == RUNNING
        assert wait_for_event(events, held_path, RESUMED)
        up.Shutdown(0)
        assert wait_for_state(up, SHUTOFF, 60) == (SHUTOFF, SHUTOFF_SHUTDOWN)
        assert wait_for_event(events, path, STOPPED)
        assert (STOPPED, STOPPED_SHUTDOWN) in lifecycle(events, path)
        held.Destroy(0)
        assert tuple(held.GetState(0)) == (SHUTOFF, SHUTOFF_DESTROYED)
        assert sorted(os.listdir(run_dir(workdir))) == ["log"]  # nothing left behind
        second.stop()
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_guest_that_died_while_the_daemon_was_down_is_crashed(private_bus, workdir, guest_files):
    kernel, initramfs = guest_files
    first = Session(private_bus, workdir)
    first.conn.DomainDefineXML(guest_xml("gone", kernel, initramfs, os.path.join(workdir, "g.log")))
    first.domain("gone")[1].Create(0)
    pid = qemu_pid(workdir, "gone")
    first.kill()
    os.kill(pid, signal.SIGKILL)
    wait_until_gone(pid)

    second = Session(private_bus, workdir)
    try:
        _, dom = second.domain("gone")
        assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_CRASHED)
        assert sorted(os.listdir(run_dir(workdir))) == ["log"]
        dom.Create(0)  # and it starts again
        assert tuple(dom.GetState(0))[0] == RUNNING
        dom.Destroy(0)
    finally:
        second.stop()


def test_a_reused_pid_is_not_mistaken_for_the_guest(private_bus, workdir, guest_files):
    """The pidfile names a live process that is not our qemu (its start time differs): the domain is
    shutoff/crashed and that process is left alone."""
    kernel, initramfs = guest_files
    first = Session(private_bus, workdir)
    first.conn.DomainDefineXML(guest_xml("reused", kernel, initramfs, os.path.join(workdir, "r.log")))
    first.stop()
    other = subprocess.Popen(["sleep", "60"])
    try:
        os.makedirs(run_dir(workdir), exist_ok=True)
        with open(os.path.join(run_dir(workdir), "reused.pid"), "w") as f:
            f.write("%d 1\n" % other.pid)  # start time 1: not when `sleep` started
        second = Session(private_bus, workdir)
        try:
            assert tuple(second.domain("reused")[1].GetState(0)) == (SHUTOFF, SHUTOFF_CRASHED)
            assert other.poll() is None  # not killed
            assert not os.path.exists(os.path.join(run_dir(workdir), "reused.pid"))
        finally:
            second.stop()
    finally:
        other.kill()
        other.wait()


def test_autostart_domain_starts_with_the_daemon(private_bus, workdir, guest_files):
    kernel, initramfs = guest_files
    first = Session(private_bus, workdir)
    path = first.conn.DomainDefineXML(guest_xml("auto", kernel, initramfs, os.path.join(workdir, "a.log")))
    props = dbus.Interface(first.bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")
    props.Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True))
    first.stop()

    second = Session(private_bus, workdir)
    try:
        _, dom = second.domain("auto")
        assert wait_for_state(dom, RUNNING, 30) == (RUNNING, 1)
        dom.Destroy(0)
    finally:
        second.stop()


def test_guest_that_powered_off_while_the_daemon_was_stopped_is_shut_down(private_bus, workdir, guest_files):
    """qemu runs with -no-shutdown: a guest that powered off while nobody read the monitor leaves
    qemu waiting. The restarted daemon sees it in query-status, ends qemu: shutoff/shutdown."""
    kernel, initramfs = guest_files
    serial = os.path.join(workdir, "bye.log")
    # /bin/poweroff -f as the guest's init: it powers off on its own, about a second after boot.
    xml = guest_xml("bye", kernel, initramfs, serial).replace(
        "panic=-1</cmdline>", "panic=-1 rdinit=/bin/poweroff -- -f</cmdline>")
    first = Session(private_bus, workdir)
    first.conn.DomainDefineXML(xml)
    first.domain("bye")[1].Create(0)
    pid = qemu_pid(workdir, "bye")
    first.daemon.proc.send_signal(signal.SIGSTOP)  # before the guest's kernel is even up
    try:
        assert wait_for_file_text(serial, "Power down", 40), "the guest did not power off"
        time.sleep(0.5)  # qemu reports SHUTDOWN as the guest writes the power-off register
        os.kill(pid, 0)  # qemu still there, waiting
    finally:
        first.kill()

    second = Session(private_bus, workdir)
    try:
        _, dom = second.domain("bye")
        assert wait_for_state(dom, SHUTOFF, 10) == (SHUTOFF, SHUTOFF_SHUTDOWN)
        wait_until_gone(pid)
        assert sorted(os.listdir(run_dir(workdir))) == ["log"]
    finally:
        second.stop()


def clean_up(qmp, first, second):
    """After a test that killed the first daemon: the extra monitor, and a second daemon that did
    not stop cleanly (its log shown)."""
    if qmp:
        qmp.close()
    if second:
        print(second.daemon.log())
        second.kill()
    try:
        first.kill()  # already killed by the test, unless it failed before
    except Exception:
        pass


def test_hotplug_names_after_a_kill9_of_the_daemon(private_bus, workdir, guest_files):
    """Devices hot-plugged or unplugged before a kill -9 of virtbusd are named right by the next
    daemon (qemu_hotplug_names.c reads the live XML): a hot-plugged disk and NIC detach (qemu drops
    the device and its blockdev pair / netdev), so does the second NIC qemu started with though the
    first is gone, new attaches get fresh names, and a detach the guest finished while no daemon
    listened (its DEVICE_DELETED lost) is found at reattach, as libvirt's reconnect does."""
    from test_qemu_hotplug import BOOT_NIC, NIC, Qmp, disk_xml, wait_until
    from test_qemu_hotplug import guest_xml as hotplug_xml
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "names.log"), os.path.join(workdir, "names.qmp")
    images = {}
    for name in ("boot", "b", "c", "d", "e"):
        images[name] = os.path.join(workdir, name + ".img")
        with open(images[name], "wb") as f:
            f.truncate(1 << 20)
    second_nic = BOOT_NIC.replace("00:00:01", "00:00:02")
    first = Session(private_bus, workdir)
    second = qmp = None
    try:
        first.conn.DomainDefineXML(hotplug_xml("names", kernel, initramfs, serial, qmp_path,
                                               disk_xml("vda", images["boot"]) + BOOT_NIC + second_nic))
        dom = first.domain("names")[1]
        dom.Create(0)
        qmp = Qmp(qmp_path)
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        assert {"virtio-disk0", "net0", "net1"} <= qmp.devices()
        dom.AttachDevice(disk_xml("vdb", images["b"]), 1)  # virtio-disk1, libvirt-2-*
        dom.AttachDevice(NIC, 1)  # net2, hostnet2
        dom.DetachDevice(BOOT_NIC, 1)  # net0 goes before the restart
        assert wait_until(lambda: "net0" not in qmp.devices(), 10)
        # A detach the paused guest cannot finish yet: pending when the daemon dies.
        dom.AttachDevice(disk_xml("vdc", images["c"]), 1)  # virtio-disk2, libvirt-3-*
        assert {"virtio-disk1", "virtio-disk2", "net2"} <= qmp.devices()
        assert {"libvirt-2-format", "libvirt-3-format"} <= qmp.nodes()
        dom.Suspend()
        dom.DetachDevice(disk_xml("vdc", images["c"]), 1)
        assert "virtio-disk2" in qmp.devices()
        first.kill()
        qmp.cmd("cont")  # the guest ejects vdc while no daemon listens
        assert wait_until(lambda: "virtio-disk2" not in qmp.devices(), 10)

        second = Session(private_bus, workdir)
        removed = SignalRecorder(second.bus, "DeviceRemoved", "org.libvirt.Domain")
        dom = second.domain("names")[1]
        # The lost DEVICE_DELETED: vdc left the live XML, its blockdev pair is deleted.
        assert wait_until(lambda: "dev='vdc'" not in dom.GetXMLDesc(0), 10), dom.GetXMLDesc(0)
        assert wait_until(lambda: not {"libvirt-3-format", "libvirt-3-storage"} & qmp.nodes(), 5), qmp.nodes()

        # DeviceRemoved for it too, unless it went before this client listened.
        assert [r for r in removed.settle() if r != ("virtio-disk2",)] == []
        seen = len(removed.items)

        dom.DetachDevice(disk_xml("vdb", images["b"]), 1)
        assert removed.wait_for(seen + 1, timeout=10)[seen:] == [("virtio-disk1",)]
        assert "virtio-disk1" not in qmp.devices()
        assert wait_until(lambda: not {"libvirt-2-format", "libvirt-2-storage"} & qmp.nodes(), 5), qmp.nodes()
        dom.DetachDevice(second_nic, 1)  # net1, though net0 went before the restart
        assert removed.wait_for(seen + 2, timeout=10)[seen + 1] == ("net1",)
        dom.DetachDevice(NIC, 1)
        assert removed.wait_for(seen + 3, timeout=10)[seen + 2] == ("net2",)
        assert not {"net0", "net1", "net2"} & qmp.devices()
        def network():
            return qmp.cmd("human-monitor-command", **{"command-line": "info network"})
        assert wait_until(lambda: not {"hostnet0", "hostnet1", "hostnet2"} & set(re.findall(r"hostnet\d+", network())),
                          5), network()

        # New attaches: fresh names, nothing clashes with what qemu holds.
        nodes_before = qmp.nodes()
        dom.AttachDevice(disk_xml("vdd", images["d"]), 1)
        new_nodes = qmp.nodes() - nodes_before
        assert len(new_nodes) == 2 and "virtio-disk3" in qmp.devices(), new_nodes
        dom.AttachDevice(disk_xml("vdc", images["e"]), 1)  # the target the lost detach freed
        assert "virtio-disk2" in qmp.devices()
        dom.AttachDevice(NIC, 1)
        alias = re.search(r"<mac address='52:54:00:12:34:56'/>.*?<alias name='(net\d+)'/>", dom.GetXMLDesc(0), re.S)
        assert alias and alias.group(1) in qmp.devices(), dom.GetXMLDesc(0)
        block = {b["qdev"]: b["inserted"]["file"] for b in qmp.cmd("query-block") if b.get("inserted")}
        assert block["/machine/peripheral/virtio-disk3/virtio-backend"] == images["d"]
        assert block["/machine/peripheral/virtio-disk2/virtio-backend"] == images["e"]
        dom.Destroy(0)
        second.stop()
        second = None
    finally:
        clean_up(qmp, first, second)


def test_vcpus_after_a_kill9_of_the_daemon(private_bus, workdir, guest_files):
    """vCPUs hot-plugged before a kill -9 of virtbusd are unplugged by the next daemon (qemu is asked
    which vCPUs were hot-plugged), and one the guest ejected while no daemon listened is counted
    out at reattach (query-cpus-fast), as libvirt's reconnect."""
    from test_qemu_hotplug import Qmp, live_vcpus, wait_until
    from test_qemu_hotplug import guest_xml as hotplug_xml
    kernel, initramfs = guest_files
    serial, qmp_path = os.path.join(workdir, "cpus.log"), os.path.join(workdir, "cpus.qmp")
    first = Session(private_bus, workdir)
    second = qmp = None
    try:
        first.conn.DomainDefineXML(hotplug_xml("cpus", kernel, initramfs, serial, qmp_path).replace(
            "<vcpu>1</vcpu>", "<vcpu current='1'>3</vcpu>"))
        dom = first.domain("cpus")[1]
        dom.Create(0)
        qmp = Qmp(qmp_path)
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 60), "guest not ready"
        dom.SetVcpus(3, 1)
        assert len(qmp.cmd("query-cpus-fast")) == 3
        first.kill()
        qmp.cmd("device_del", id="vcpu2")  # the guest ejects it while no daemon listens
        assert wait_until(lambda: len(qmp.cmd("query-cpus-fast")) == 2, 10)

        second = Session(private_bus, workdir)
        dom = second.domain("cpus")[1]
        assert wait_until(lambda: live_vcpus(dom) == (2, 3), 10), dom.GetXMLDesc(0)
        dom.SetVcpus(1, 1)
        assert [c["props"]["socket-id"] for c in qmp.cmd("query-cpus-fast")] == [0]
        assert live_vcpus(dom) == (1, 3)
        dom.Destroy(0)
        second.stop()
        second = None
    finally:
        clean_up(qmp, first, second)
