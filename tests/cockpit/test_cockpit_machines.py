"""cockpit-machines (Debian's package) against virtbusd's qemu:///system, in headless Chromium:
the page lists a real tiny guest and runs, shuts down, forces off and deletes it through its
buttons. Each action is checked on D-Bus too (state and reason), so the page's word is not taken
for it, and every org.libvirt error the page got while doing so fails the test."""
import contextlib
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import dbus  # noqa: E402

import cockpit_env  # noqa: E402

BUILDDIR = os.environ.get("top_builddir", os.getcwd())
SRCDIR = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
VIRTBUSD = os.environ.get("VIRTBUSD", os.path.join(BUILDDIR, "virtbusd"))
QEMU_PATH = "/org/libvirt/QEMU"
RUNNING, SHUTOFF = 1, 5
ACTIVE = 1  # VIR_CONNECT_LIST_DOMAINS_ACTIVE
RUNNING_BOOTED, SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED = 1, 1, 2

pytestmark = pytest.mark.skipif(bool(cockpit_env.missing_parts()),
                                reason="not installed: %s (scripts/install-deps.sh installs them)"
                                % ", ".join(cockpit_env.missing_parts()))


@pytest.fixture(scope="module")
def guest_files():
    """The tiny guest's kernel (vmlinux when there is one) and initramfs, built or reused."""
    out = subprocess.run(["bash", os.path.join(SRCDIR, "tests/guest/build-tiny-guest.sh"),
                          os.path.join(BUILDDIR, "tests/guest-cache")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    kernel = out[2] if len(out) > 2 and out[2] else out[0]
    return kernel, out[1]


def guest_xml(name, kernel, initramfs, serial):
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
            "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
            "<devices><serial type='file'><source path='%s'/><target port='0'/></serial>"
            "<memballoon model='none'/></devices></domain>" % (name, kernel, initramfs, serial))


class World:
    """A system-like private bus with virtbusd (qemu:///system under its own --qemu-root) as root,
    a monitor of org.libvirt's errors, cockpit-ws whose bridge is on that bus, and Chromium."""

    def __init__(self, tmp):
        from polkit_env import SystemBus
        self.tmp = str(tmp)
        self.system = SystemBus(VIRTBUSD)
        self.ws = self.browser = self.errors = self.conn = None
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    def start(self):
        self.system.start_bus()
        self.system.start_virtbusd()
        self.conn = self.system.connection()
        self.errors = cockpit_env.LibvirtErrors(self.tmp, self.system.address)
        self.ws = cockpit_env.CockpitWs(self.tmp, self.system.address)
        self.ws.start()
        self.browser = cockpit_env.chromium(self.tmp)

    def connect(self):
        return dbus.Interface(self.conn.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")

    def state(self, name):
        path = self.connect().DomainLookupByName(name)
        dom = dbus.Interface(self.conn.get_object("org.libvirt", path), "org.libvirt.Domain")
        return tuple(int(x) for x in dom.GetState(0))

    def defined(self, name):
        try:
            self.connect().DomainLookupByName(name)
            return True
        except dbus.DBusException:
            return False

    def destroy_running(self):
        """A failed test may leave the guest running, and qemu outlives virtbusd as it outlives libvirtd."""
        for path in self.connect().ListDomains(ACTIVE):
            dbus.Interface(self.conn.get_object("org.libvirt", path), "org.libvirt.Domain").Destroy(0)

    def close(self):
        """Stops everything; returns virtbusd's exit status (sanitizer reports make it non-zero)."""
        for part in (self.browser and self.browser.quit, self.ws and self.ws.stop, self.errors and self.errors.stop,
                     self.conn and self.destroy_running, self.conn and self.conn.close):
            if part:
                part()
        log = self.system.daemon_log() if "virtbusd" in self.system.logs else ""
        return self.system.stop(), log

    def diagnostics(self):
        parts = [("libvirt errors", "\n".join(map(str, self.errors.errors())) if self.errors else "")]
        if self.browser:
            shot = os.path.join(self.tmp, "failure.png")
            self.browser.save_screenshot(shot)
            parts += [("screenshot", shot), ("page", page_text(self)[:3000]),
                      ("browser console", cockpit_env.console_log(self.browser)[-6000:])]
        if self.ws:
            parts += [("cockpit-bridge stderr", self.ws.bridge_log()), ("cockpit-ws", self.ws.log())]
        if "virtbusd" in self.system.logs:
            parts.append(("virtbusd", self.system.daemon_log()[-3000:]))
        return "\n".join("--- %s ---\n%s" % p for p in parts)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    try:
        yield w
    finally:
        status, log = w.close()
    assert status == 0, "virtbusd exited with %s:\n%s" % (status, log[-3000:])


@contextlib.contextmanager
def diagnosed(world):
    """On failure, prints what the browser, the bridge and virtbusd saw (pytest shows it)."""
    try:
        yield
    except BaseException:
        print(world.diagnostics())
        raise


def wait_until(what, predicate, timeout=60, interval=0.2, failed=lambda: None):
    """predicate()'s first true value; fails at once when failed() names a failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        failure = failed()
        if failure:
            raise AssertionError("while waiting for %s: %s" % (what, failure))
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


def open_machines_page(world):
    from selenium.webdriver.common.by import By

    browser = world.browser
    browser.get(world.ws.url())

    # Without /dev/kvm, virt-host-validate fails and the page offers to go on anyway, as a user on
    # such a machine would.
    def page_ready():
        for button in browser.find_elements(By.ID, "ignore-hw-virtualization-disabled-btn"):
            button.click()
            return False
        return browser.find_elements(By.ID, "virtual-machines-listing")
    wait_until("the machines listing", page_ready, timeout=90)


def page_text(world):
    from selenium.webdriver.common.by import By
    return world.browser.find_element(By.TAG_NAME, "body").text


def click(world, element_id, timeout=30):
    from selenium.webdriver.common.by import By
    element = wait_until("#" + element_id, lambda: [e for e in world.browser.find_elements(By.ID, element_id)
                                                    if e.is_displayed() and e.is_enabled()], timeout)[0]
    element.click()


def vm_state_text(world, name):
    from selenium.webdriver.common.by import By
    found = world.browser.find_elements(By.ID, "vm-%s-system-state" % name)
    return found[0].text.strip().lower() if found else ""


def wait_for_states(world, name, state, page_text_state, what):
    """Waits for the state on D-Bus, then on the page; an org.libvirt error the page got ends the
    wait at once (the action it asked for failed)."""
    wait_until(what + " on D-Bus", lambda: world.state(name)[0] == state, failed=world.errors.errors)
    wait_until(what + " on the page", lambda: page_text_state in vm_state_text(world, name),
               failed=world.errors.errors)
    return world.state(name)


def delete_on_page(world, name):
    from selenium.webdriver.common.by import By

    click(world, "vm-%s-system-action-kebab" % name)
    click(world, "vm-%s-system-delete" % name)
    dialog = wait_until("the delete dialog", lambda: world.browser.find_elements(
        By.ID, "vm-%s-delete-modal-dialog" % name))[0]
    wait_until("the dialog's Delete button", lambda: [
        b for b in dialog.find_elements(By.TAG_NAME, "button") if b.text.strip() == "Delete"])[0].click()


def test_machines_page_lists_runs_shuts_down_forces_off_and_deletes_a_guest(world, guest_files):
    kernel, initramfs = guest_files
    name = "cockpit-guest"
    serial = os.path.join(world.tmp, "serial.log")
    world.connect().DomainDefineXML(guest_xml(name, kernel, initramfs, serial))

    with diagnosed(world):
        open_machines_page(world)
        wait_until("the guest in the listing", lambda: name in page_text(world))
        assert "shut off" in vm_state_text(world, name)

        click(world, "vm-%s-system-run" % name)
        assert wait_for_states(world, name, RUNNING, "running", "running") == (RUNNING, RUNNING_BOOTED)
        # The guest honours the power button once its userspace (acpid) is up: a marker on the serial.
        wait_until("the guest's userspace", lambda: os.path.exists(serial) and
                   "VIRTBUS-GUEST-READY" in open(serial, errors="replace").read(), timeout=120)

        click(world, "vm-%s-system-shutdown-button" % name)
        assert wait_for_states(world, name, SHUTOFF, "shut off", "shut off after the guest powered off") == \
            (SHUTOFF, SHUTOFF_SHUTDOWN)

        click(world, "vm-%s-system-run" % name)
        wait_for_states(world, name, RUNNING, "running", "running again")
        click(world, "vm-%s-system-action-kebab" % name)
        click(world, "vm-%s-system-forceOff" % name)
        assert wait_for_states(world, name, SHUTOFF, "shut off", "shut off after Force off") == \
            (SHUTOFF, SHUTOFF_DESTROYED)

        assert "Failed to fetch some resources" not in page_text(world)
        assert world.errors.errors() == [], "org.libvirt answered the page with errors"

        delete_on_page(world, name)
        wait_until("the guest undefined", lambda: not world.defined(name))
        wait_until("the guest gone from the page", lambda: name not in page_text(world))
        # Reads of the domain that crossed its deletion get libvirt's "not found", nothing else.
        assert [e for e in world.errors.errors() if not e[2].startswith("Domain not found")] == []
