"""The QEMU driver's hook script ($CONFIG/hooks/qemu, libvirt's /etc/libvirt/hooks/qemu), the ACPI
"fake" reboot, and CreateXML (transient, AUTODESTROY) on the tiny guest (drivers/qemu/qemu_hooks.c,
qemu_domain_hooks.c, qemu_domain_reboot.c, qemu_domain_create_xml.c)."""
import os
import shutil
import signal
import time

import dbus
import pytest

from amqp_env import stop_daemon
from conftest import Daemon, SignalRecorder
from test_qemu_lifecycle import QEMU_PATH, SHUTOFF, RUNNING, domain, guest_files, guest_xml  # noqa: F401
from test_qemu_lifecycle import wait_for_file_text

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")

HOOK_TIMEOUT_MS = 2000

# Logs its argv, keeps its stdin, and fails or hangs when a file in the work dir says so.
HOOK = """#!/bin/sh
dir=%(dir)s
cat > "$dir/stdin-$2.xml"
echo "$*" >> "$dir/hooks.log"
if [ -e "$dir/fail-$2" ]; then echo "hook refuses $2 of $1" >&2; exit 3; fi
if [ -e "$dir/hang-$2" ]; then echo $$ > "$dir/pid.tmp"; mv "$dir/pid.tmp" "$dir/pid-$2"; exec sleep 30; fi
exit 0
"""


@pytest.fixture
def hooked_daemon(private_bus, workdir):
    """A daemon whose QEMU connection has a hook script, with a short hook timeout."""
    hooks_dir = os.path.join(workdir, "qemu", "etc", "qemu", "hooks")
    os.makedirs(hooks_dir)
    script = os.path.join(hooks_dir, "qemu")
    with open(script, "w") as f:
        f.write(HOOK % {"dir": workdir})
    os.chmod(script, 0o755)
    d = Daemon(private_bus, workdir, env={"VIRTBUS_QEMU_HOOK_TIMEOUT_MS": str(HOOK_TIMEOUT_MS)}).start()
    yield d
    stop_daemon(d)


@pytest.fixture
def hooked(hooked_daemon, private_bus):
    bus = dbus.bus.BusConnection(private_bus.address)
    yield bus
    bus.close()


def connect(bus):
    return dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")


def hook_lines(workdir, count=0, timeout=5.0):
    path = os.path.join(workdir, "hooks.log")
    deadline = time.monotonic() + timeout
    while True:
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def pidfile(workdir, name):
    return os.path.join(workdir, "qemu", "run", "qemu", name + ".pid")


def define(bus, workdir, name):
    kernel, initramfs = guest_files_cache
    return connect(bus).DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(workdir, name + ".serial")))


@pytest.fixture(autouse=True)
def _guest(guest_files):  # noqa: F811
    global guest_files_cache
    guest_files_cache = guest_files


def test_hooks_see_each_step_of_a_life_with_the_domain_xml(hooked, workdir):
    dom = domain(hooked, define(hooked, workdir, "hooked"))
    dom.Create(0)
    # Create returns once the `started` hook has run, as libvirt's
    assert "hooked started begin -" in open(os.path.join(workdir, "hooks.log")).read().splitlines()
    assert hook_lines(workdir, 3)[:3] == ["hooked prepare begin -", "hooked start begin -",
                                          "hooked started begin -"]
    assert "<name>hooked</name>" in open(os.path.join(workdir, "stdin-prepare.xml")).read()
    dom.Destroy(0)
    assert hook_lines(workdir, 5)[3:] == ["hooked stopped end -", "hooked release end -"]
    assert "<name>hooked</name>" in open(os.path.join(workdir, "stdin-release.xml")).read()


def refused_create(bus, workdir, name):
    """Create fails, the domain stays shut off and no qemu was left; the error message."""
    dom = domain(bus, define(bus, workdir, name))
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.Create(0)
    assert tuple(dom.GetState(0))[0] == SHUTOFF
    assert not os.path.exists(pidfile(workdir, name))
    return excinfo.value.get_dbus_message()


def test_failing_prepare_hook_aborts_the_start_with_its_stderr(hooked, workdir):
    open(os.path.join(workdir, "fail-prepare"), "w").close()
    message = refused_create(hooked, workdir, "refused")
    assert message.startswith("Hook script execution failed: internal error: Child process ("), message
    assert message.endswith("refused prepare begin -) unexpected exit status 3: hook refuses prepare of refused"), \
        message
    # No start, no qemu: libvirt's cleanup still tells the script the domain stopped.
    assert hook_lines(workdir, 3) == ["refused prepare begin -", "refused stopped end -", "refused release end -"]


def test_failing_started_hook_stops_the_domain(hooked, workdir):
    """libvirt's order: qemu runs, `started` fails, the domain is stopped (shutoff/failed) and
    Create fails with the hook's words once qemu is gone."""
    open(os.path.join(workdir, "fail-started"), "w").close()
    message = refused_create(hooked, workdir, "late")
    assert message.endswith("late started begin -) unexpected exit status 3: hook refuses started of late"), message
    dom = domain(hooked, connect(hooked).DomainLookupByName("late"))
    assert tuple(dom.GetState(0)) == (SHUTOFF, 6)  # shutoff/failed
    assert hook_lines(workdir, 5)[-2:] == ["late stopped end -", "late release end -"]


def test_hook_past_the_timeout_is_killed_and_the_start_fails(hooked, workdir):
    open(os.path.join(workdir, "hang-start"), "w").close()
    message = refused_create(hooked, workdir, "slow")
    assert "slow start begin -) killed after %d ms without finishing" % HOOK_TIMEOUT_MS in message, message
    assert hook_lines(workdir, 4)[-2:] == ["slow stopped end -", "slow release end -"]


def test_daemon_stop_during_a_hook_kills_it_and_ends_the_start(hooked_daemon, hooked, workdir):
    from gi.repository import GLib
    open(os.path.join(workdir, "hang-prepare"), "w").close()
    dom = domain(hooked, define(hooked, workdir, "stopping"))
    replies = []
    dom.Create(0, reply_handler=lambda: replies.append("ok"), error_handler=replies.append)
    pid_file = os.path.join(workdir, "pid-prepare")
    deadline = time.monotonic() + 5
    while not os.path.exists(pid_file) and time.monotonic() < deadline:
        GLib.MainContext.default().iteration(False) or time.sleep(0.02)
    hook_pid = int(open(pid_file).read())
    assert hooked_daemon.stop() == 0
    while not replies and time.monotonic() < deadline + 5:
        GLib.MainContext.default().iteration(False) or time.sleep(0.02)
    assert replies and replies[0] != "ok", replies
    assert not os.path.exists("/proc/%d" % hook_pid) or \
        open("/proc/%d/stat" % hook_pid).read().split()[2] == "Z", "the hook script outlived the daemon"


def test_reboot_resets_the_guest_in_the_same_qemu(bus, workdir):
    path = define(bus, workdir, "reboot")
    dom = domain(bus, path)
    serial = os.path.join(workdir, "reboot.serial")
    reboots = SignalRecorder(bus, "Reboot", "org.libvirt.Domain")
    with pytest.raises(dbus.DBusException) as excinfo:
        dom.Reboot(4)  # VIR_DOMAIN_REBOOT_INITCTL: not the QEMU driver's
    assert "unsupported flags (0x4)" in excinfo.value.get_dbus_message()
    dom.Create(0)
    try:
        pid = open(pidfile(workdir, "reboot")).read().split()[0]
        domain_id = dom.Get("org.libvirt.Domain", "Id", dbus_interface="org.freedesktop.DBus.Properties")
        assert wait_for_file_text(serial, "VIRTBUS-GUEST-READY", 40), "guest not ready"
        dom.Reboot(0)
        reboots.wait_for(1, timeout=30)
        assert reboots.items, "no Reboot signal"
        deadline = time.monotonic() + 40
        while open(serial, errors="replace").read().count("VIRTBUS-GUEST-READY") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert open(serial, errors="replace").read().count("VIRTBUS-GUEST-READY") == 2, "guest did not boot again"
        assert tuple(dom.GetState(0))[0] == RUNNING
        assert open(pidfile(workdir, "reboot")).read().split()[0] == pid
        assert dom.Get("org.libvirt.Domain", "Id", dbus_interface="org.freedesktop.DBus.Properties") == domain_id
    finally:
        dom.Destroy(0)


def test_create_xml_domain_is_transient_and_vanishes_after_destroy(bus, workdir):
    kernel, initramfs = guest_files_cache
    conn = connect(bus)
    path = conn.DomainCreateXML(guest_xml("transient", kernel, initramfs, os.path.join(workdir, "t.serial")), 0)
    dom = domain(bus, path)
    assert tuple(dom.GetState(0))[0] == RUNNING
    assert dom.Get("org.libvirt.Domain", "Persistent", dbus_interface="org.freedesktop.DBus.Properties") == 0
    assert os.path.exists(pidfile(workdir, "transient"))
    dom.Destroy(0)
    with pytest.raises(dbus.DBusException) as excinfo:
        conn.DomainLookupByName("transient")
    assert "no domain with matching name" in excinfo.value.get_dbus_message()
    assert not [f for f in os.listdir(os.path.join(workdir, "qemu", "etc", "qemu")) if f.endswith(".xml")]


def test_create_xml_of_a_defined_domain_keeps_it_defined(bus, workdir):
    kernel, initramfs = guest_files_cache
    conn = connect(bus)
    path = conn.DomainDefineXML(guest_xml("kept", kernel, initramfs, os.path.join(workdir, "k.serial")))
    dom = domain(bus, path)
    xml = dom.GetXMLDesc(0)  # with the UUID: the same domain, not another of the same name
    assert conn.DomainCreateXML(xml, 1) == path  # VIR_DOMAIN_START_PAUSED
    assert tuple(dom.GetState(0)) == (3, 1)  # paused/user
    with pytest.raises(dbus.DBusException) as excinfo:
        conn.DomainCreateXML(xml, 0)
    assert "already active" in excinfo.value.get_dbus_message()
    dom.Destroy(0)
    assert tuple(dom.GetState(0))[0] == SHUTOFF
    assert conn.DomainLookupByName("kept") == path


def test_autodestroy_domain_dies_with_the_connection_that_created_it(bus, private_bus, workdir):
    kernel, initramfs = guest_files_cache
    owner = dbus.bus.BusConnection(private_bus.address)
    try:
        connect(owner).DomainCreateXML(guest_xml("owned", kernel, initramfs, os.path.join(workdir, "o.serial")),
                                       2)  # VIR_DOMAIN_START_AUTODESTROY
        pid = int(open(pidfile(workdir, "owned")).read().split()[0])
        connect(bus).DomainLookupByName("owned")  # still there while its owner is connected
    finally:
        owner.close()
    deadline = time.monotonic() + 15
    while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert not os.path.exists("/proc/%d" % pid), "qemu still runs after its owner left"
        with pytest.raises(dbus.DBusException):
            connect(bus).DomainLookupByName("owned")
    finally:
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)
