"""Lifecycle of a real qemu guest through /org/libvirt/QEMU (drivers/qemu/qemu_domain_ops.c):
create, suspend/resume, destroy, ACPI shutdown, a start qemu refuses, and a qemu killed under us,
each with libvirt's states and DomainEvent signals. Boots tests/guest's tiny guest under TCG."""
import os
import shutil
import signal
import subprocess
import time

import dbus
import pytest

from conftest import SignalRecorder

QEMU_PATH = "/org/libvirt/QEMU"
STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN = 2, 3, 4, 5, 6
RUNNING, PAUSED, SHUTOFF = 1, 3, 5
SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED, SHUTOFF_CRASHED = 1, 2, 3
STOPPED_SHUTDOWN, STOPPED_DESTROYED, STOPPED_CRASHED = 0, 1, 2

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")


@pytest.fixture(scope="module")
def guest_files():
    top_srcdir = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
    top_builddir = os.environ.get("top_builddir", os.getcwd())
    out = subprocess.run(["bash", os.path.join(top_srcdir, "tests/guest/build-tiny-guest.sh"),
                          os.path.join(top_builddir, "tests/guest-cache")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    kernel = out[2] if len(out) > 2 and out[2] else out[0]  # vmlinux boots faster than vmlinuz
    return kernel, out[1]


def guest_xml(name, kernel, initramfs, serial, extra=""):
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
            "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
            "<devices>%s<serial type='file'><source path='%s'/><target port='0'/></serial>"
            "<memballoon model='none'/></devices></domain>" % (name, kernel, initramfs, extra, serial))


def domain(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")


def wait_for_state(dom, state, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = tuple(dom.GetState(0))
        if got[0] == state:
            return got
        time.sleep(0.1)
    return tuple(dom.GetState(0))


def wait_for_file_text(path, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and text in open(path, errors="replace").read():
            return True
        time.sleep(0.1)
    return False


def lifecycle(events, path):
    return [(e, d) for p, e, d in events.items if p == path]


def wait_for_event(events, path, event, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events.wait_for(len(events.items) + 1, timeout=0.1)
        if any(e == event for e, _ in lifecycle(events, path)):
            return True
    return False


def test_create_suspend_resume_destroy_shutdown_crash(bus, workdir, guest_files):
    kernel, initramfs = guest_files
    serial = os.path.join(workdir, "serial.log")
    events = SignalRecorder(bus, "DomainEvent")
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    path = conn.DomainDefineXML(guest_xml("tiny", kernel, initramfs, serial))
    dom = domain(bus, path)
    try:
        # Create: running/booted, Started/Booted.
        dom.Create(0)
        assert tuple(dom.GetState(0)) == (RUNNING, 1)
        assert wait_for_event(events, path, STARTED)
        assert (STARTED, 0) in lifecycle(events, path)

        # Suspend and resume: states follow, Suspended/Paused then Resumed/Unpaused.
        dom.Suspend()
        assert tuple(dom.GetState(0)) == (PAUSED, 1)
        dom.Resume()
        assert tuple(dom.GetState(0))[0] == RUNNING
        assert wait_for_event(events, path, RESUMED)
        got = lifecycle(events, path)
        assert got.index((SUSPENDED, 0)) < got.index((RESUMED, 0))

        # Reset: qemu resets the machine, the domain keeps running.
        dom.Reset(0)
        assert tuple(dom.GetState(0))[0] == RUNNING

        # Destroy: shutoff/destroyed at once, Stopped/Destroyed.
        dom.Destroy(0)
        assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_DESTROYED)
        assert wait_for_event(events, path, STOPPED)
        assert (STOPPED, STOPPED_DESTROYED) in lifecycle(events, path)

        # ACPI shutdown of a booted guest: the guest powers off, shutoff/shutdown.
        del events.items[:]
        if os.path.exists(serial):
            os.unlink(serial)
        dom.Create(0)
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
        dom.Shutdown(0)
        assert wait_for_state(dom, SHUTOFF, 60) == (SHUTOFF, SHUTOFF_SHUTDOWN)
        assert wait_for_event(events, path, STOPPED)
        got = lifecycle(events, path)
        assert (STOPPED, STOPPED_SHUTDOWN) in got
        assert any(e == SHUTDOWN for e, _ in got), got  # Shutdown/Guest|Finished before the stop

        # kill -9 of qemu: shutoff/crashed, Stopped/Crashed.
        del events.items[:]
        dom.Create(0)
        pidfile = os.path.join(workdir, "qemu", "run", "qemu", "tiny.pid")
        pid = int(open(pidfile).read().split()[0])
        # qemu gets libvirt's clean environment, not the daemon's (its bus address, for one)
        environ = open("/proc/%d/environ" % pid, "rb").read().split(b"\0")
        assert b"LC_ALL=C" in environ and not any(e.startswith(b"DBUS_SESSION_BUS_ADDRESS=") for e in environ)
        os.kill(pid, signal.SIGKILL)
        assert wait_for_state(dom, SHUTOFF, 10) == (SHUTOFF, SHUTOFF_CRASHED)
        assert wait_for_event(events, path, STOPPED)
        assert (STOPPED, STOPPED_CRASHED) in lifecycle(events, path)
        assert not os.path.exists(pidfile)
    finally:
        if tuple(dom.GetState(0))[0] != SHUTOFF:
            dom.Destroy(0)


def test_create_that_qemu_refuses_reports_its_words(bus, workdir, guest_files):
    kernel, initramfs = guest_files
    missing = os.path.join(workdir, "missing.img")
    disk = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
            "<target dev='vda' bus='virtio'/></disk>" % missing)
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    path = conn.DomainDefineXML(guest_xml("nodisk", kernel, initramfs, os.path.join(workdir, "s.log"), disk))
    dom = domain(bus, path)
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.Create(0)
    message = excinfo.value.get_dbus_message()
    assert "process exited while connecting to monitor" in message, message
    assert missing in message and "No such file or directory" in message, message
    assert tuple(dom.GetState(0))[0] == SHUTOFF
    assert not os.path.exists(os.path.join(workdir, "qemu", "run", "qemu", "nodisk.pid"))


def test_operations_on_a_shutoff_domain_are_refused(bus, workdir, guest_files):
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    dom = domain(bus, conn.DomainDefineXML(guest_xml("off", kernel, initramfs, os.path.join(workdir, "o.log"))))
    for call in (lambda: dom.Destroy(0), lambda: dom.Suspend(), lambda: dom.Shutdown(0)):
        with pytest.raises(dbus.DBusException) as excinfo:
            call()
        assert "domain is not running" in excinfo.value.get_dbus_message()


def test_daemon_stop_leaves_qemu_running(private_bus, workdir, guest_files):
    from conftest import Daemon
    kernel, initramfs = guest_files
    d = Daemon(private_bus, workdir).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    pid = None
    try:
        conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        dom = domain(bus, conn.DomainDefineXML(guest_xml("keep", kernel, initramfs, os.path.join(workdir, "k.log"))))
        dom.Create(0)
        pid = int(open(os.path.join(workdir, "qemu", "run", "qemu", "keep.pid")).read().split()[0])
    finally:
        bus.close()
        status = d.stop()
    log = d.log()
    try:
        assert status == 0 and "AddressSanitizer" not in log and "runtime error:" not in log, log
        os.kill(pid, 0)  # still there: qemu outlives the daemon
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
