"""A pty serial console on real qemu (drivers/qemu/qemu_process_devices.c): before the guest runs the
daemon asks qemu which pty it opened (query-chardev) and the live XML says so, as libvirt's:
<source path='/dev/pts/N'/> on the serial port and the console showing it, tty= on the console.
The test reads the guest's boot from that pty, so the path is the guest's own. Boots the tiny guest."""
import os
import select
import shutil
import time

import dbus
import pytest

from test_qemu_lifecycle import guest_files  # noqa: F401 (a fixture)

QEMU_PATH = "/org/libvirt/QEMU"
XML_INACTIVE = 2

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")

XML = ("<domain type='qemu'><name>ptyguest</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
       "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
       "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
       "<devices><serial type='pty'><target port='0'/></serial>"
       "<console type='pty'><target type='serial' port='0'/></console>"
       "<memballoon model='none'/></devices></domain>")


def read_until(fd, text, timeout):
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
            if text in seen:
                return True
    return False


def test_the_live_xml_names_the_pty_the_guest_talks_on(bus, daemon, workdir, guest_files):  # noqa: F811
    kernel, initramfs = guest_files
    conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
    dom = dbus.Interface(bus.get_object("org.libvirt", conn.DomainDefineXML(XML % (kernel, initramfs))),
                         "org.libvirt.Domain")
    dom.Create(0)
    try:
        live = dom.GetXMLDesc(0)
        assert "<source path='/dev/pts/" in live, live
        pty = live.split("<source path='")[1].split("'")[0]
        console = live[live.index("<console"):live.index("</console>")]
        assert "tty='%s'" % pty in console and "<source path='%s'/>" % pty in console, console
        assert "/dev/pts/" not in dom.GetXMLDesc(XML_INACTIVE)  # a runtime name, as libvirt
        # The live XML the daemon keeps for a reattach says it too.
        assert pty in open(os.path.join(workdir, "qemu", "run", "qemu", "ptyguest.xml")).read()

        fd = os.open(pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            assert read_until(fd, b"VIRTBUS-GUEST-READY", 60), "the guest's console is not on " + pty
        finally:
            os.close(fd)
    finally:
        dom.Destroy(0)
    assert "/dev/pts/" not in dom.GetXMLDesc(0)
    dom.Undefine(0)
