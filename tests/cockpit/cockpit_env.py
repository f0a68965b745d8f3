"""cockpit-machines in headless Chromium, for real: Debian's cockpit-ws serving a local session
(cockpit-bridge as this user, no login) whose system bus is the test's private system-like bus,
selenium driving Debian's chromium through chromium-driver, and a record of the D-Bus errors
org.libvirt answers the page with."""
import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import dbus  # noqa: E402

BUILDDIR = os.environ.get("top_builddir", os.getcwd())
SRCDIR = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
VIRTBUSD = os.environ.get("VIRTBUSD", os.path.join(BUILDDIR, "virtbusd"))
QEMU_PATH = "/org/libvirt/QEMU"
ACTIVE = 1  # VIR_CONNECT_LIST_DOMAINS_ACTIVE

COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws"
COCKPIT_BRIDGE = "/usr/bin/cockpit-bridge"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MACHINES_PAGE = "/usr/share/cockpit/machines/index.html"

NEEDED = (COCKPIT_WS, COCKPIT_BRIDGE, CHROMIUM, CHROMEDRIVER, MACHINES_PAGE)

# The bridge runs the page's helpers (virt-host-validate, python3 for the OS list): Debian's own,
# not whatever a developer's PATH puts first.
DEBIAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def missing_parts():
    """What this machine lacks to run the browser test (scripts/install-deps.sh installs it)."""
    missing = [p for p in NEEDED if not os.path.exists(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if shutil.which("qemu-system-x86_64") is None:
        missing.append("qemu-system-x86_64")
    return missing


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, chars):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-chars:]
    except OSError as e:
        return "(%s)" % e


class CockpitWs:
    """cockpit-ws on a loopback port, without TLS, with a local session on the given bus. The
    session's cockpit-bridge writes its stderr to a file of its own (bridge_log_path)."""

    def __init__(self, workdir, system_bus_address):
        self.workdir = workdir
        self.port = free_port()
        self.log_path = os.path.join(workdir, "cockpit-ws.log")
        self.bridge_log_path = os.path.join(workdir, "cockpit-bridge.log")
        self.bridge = self.write_bridge_wrapper()
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=system_bus_address, PATH=DEBIAN_PATH,
                        XDG_CONFIG_DIRS=os.path.join(workdir, "cockpit-config"))
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.proc = None

    def write_bridge_wrapper(self):
        path = os.path.join(self.workdir, "cockpit-bridge-logged")
        with open(path, "w") as f:
            f.write('#!/bin/sh\nexec 2>>"%s"\nexec %s "$@"\n' % (self.bridge_log_path, COCKPIT_BRIDGE))
        os.chmod(path, stat.S_IRWXU)
        return path

    def start(self, timeout=20):
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [COCKPIT_WS, "--no-tls", "--address", "127.0.0.1", "--port", str(self.port),
                 "--local-session=" + self.bridge], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("cockpit-ws exited with %s: %s" % (self.proc.returncode, self.log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("cockpit-ws did not listen within %s s: %s" % (timeout, self.log()))

    def url(self, page="machines"):
        return "http://127.0.0.1:%d/cockpit/@localhost/%s/index.html" % (self.port, page)

    def log(self):
        return tail(self.log_path, 3000)

    def bridge_log(self):
        return tail(self.bridge_log_path, 3000)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class LibvirtErrors:
    """Every org.libvirt.Error reply on the bus (dbus-monitor as a bus monitor), with the call it
    answers: what the page asked virtbusd for and did not get."""

    def __init__(self, workdir, address):
        self.allowed = []  # (method, message) pairs libvirt itself answers the page with
        self.log_path = os.path.join(workdir, "dbus-monitor.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(["dbus-monitor", "--address", address, "--monitor",
                                          "type='method_call',destination='org.libvirt'", "type='error'"],
                                         stdout=log, stderr=subprocess.STDOUT)
        self.wait_until_monitoring()

    def wait_until_monitoring(self, timeout=10):
        # A monitor loses its unique name once it monitors: from then on nothing is missed.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "member=NameLost" in tail(self.log_path, 2000) or self.proc.poll() is not None:
                return
            time.sleep(0.05)
        raise AssertionError("dbus-monitor did not start: " + tail(self.log_path, 2000))

    def errors(self):
        """(method, path, message) of each org.libvirt.Error reply so far, and of any other error
        answering a call to org.libvirt (a method or property virtbusd lacks answers sd-bus's
        org.freedesktop.DBus.Error.UnknownMethod or UnknownProperty: its message gets that name)."""
        calls, found = {}, []
        blocks = tail(self.log_path, 10 ** 8).split("\n")
        for i, line in enumerate(blocks):
            words = dict(w.split("=", 1) for w in line.replace(";", "").split() if "=" in w)
            if line.startswith("method call"):
                calls[(words.get("sender"), words.get("serial"))] = (words.get("member"), words.get("path"))
                continue
            call = (words.get("destination"), words.get("reply_serial"))
            name = words.get("error_name")
            if not line.startswith("error") or (name != "org.libvirt.Error" and call not in calls):
                continue
            message = blocks[i + 1].strip() if i + 1 < len(blocks) else ""
            if message.startswith('string "'):
                message = message[len('string "'):-1]
            if name != "org.libvirt.Error":
                message = "%s: %s" % (name, message)
            method, path = calls.get(call, ("?", "?"))
            if not any(method == m and text in message for m, text in self.allowed):
                found.append((method, path, message))
        return found

    def allow(self, method, message):
        """An error libvirt answers the page with too (the page expects it), not counted."""
        self.allowed.append((method, message))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def chromium(workdir):
    """A headless Chromium under selenium (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: Chromium refuses to run as root with its sandbox.
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--user-data-dir=" + os.path.join(workdir, "chromium")):
        options.add_argument(arg)
    # The page's console messages (cockpit-machines logs its failed D-Bus calls there).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_path=os.path.join(workdir, "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    return driver


def console_log(driver):
    """The browser console since the last call, one line per message."""
    try:
        return "\n".join("%s %s" % (e.get("level"), e.get("message")) for e in driver.get_log("browser"))
    except Exception as e:  # a crashed browser still leaves the other diagnostics
        return "(no console log: %s)" % e


def guest_xml(name, kernel, initramfs, serial, devices=""):
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
            "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
            "<devices>%s<serial type='file'><source path='%s'/><target port='0'/></serial>"
            "<memballoon model='none'/></devices></domain>" % (name, kernel, initramfs, devices, serial))


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
        # The pools a test defines live in its temporary directory (beside the default pool's).
        self.system.start_virtbusd(extra_config="storage_roots = %s\n" % self.tmp)
        self.conn = self.system.connection()
        self.errors = LibvirtErrors(self.tmp, self.system.address)
        self.ws = CockpitWs(self.tmp, self.system.address)
        self.ws.start()
        self.browser = chromium(self.tmp)

    def connect(self):
        return dbus.Interface(self.conn.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")

    def interface(self, path, name):
        return dbus.Interface(self.conn.get_object("org.libvirt", path), name)

    def domain(self, name):
        return self.interface(self.connect().DomainLookupByName(name), "org.libvirt.Domain")

    def state(self, name):
        return tuple(int(x) for x in self.domain(name).GetState(0))

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
                      ("browser console", console_log(self.browser)[-6000:])]
        if self.ws:
            parts += [("cockpit-bridge stderr", self.ws.bridge_log()), ("cockpit-ws", self.ws.log())]
        if "virtbusd" in self.system.logs:
            parts.append(("virtbusd", self.system.daemon_log()[-3000:]))
        return "\n".join("--- %s ---\n%s" % p for p in parts)


@contextlib.contextmanager
def diagnosed(world):
    """On failure, prints what the browser, the bridge and virtbusd saw (pytest shows it)."""
    try:
        yield
    except BaseException:
        print(world.diagnostics())
        raise


def wait_until(what, predicate, timeout=60, interval=0.2, failed=lambda: None):
    """predicate()'s first true value; fails at once when failed() names a failure. An element
    the page re-rendered while predicate() read it (selenium's StaleElementReferenceException)
    is read again on the next round."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as e:
            if type(e).__name__ != "StaleElementReferenceException":
                raise
            value = None
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


def shown(world, element_id, enabled=False):
    """The displayed elements with that id (a wait_until predicate: it may meet a stale one)."""
    from selenium.webdriver.common.by import By
    return [e for e in world.browser.find_elements(By.ID, element_id)
            if e.is_displayed() and (not enabled or e.is_enabled())]


def click(world, element_id, timeout=30):
    """Clicks the element once it is shown and enabled, again if the page re-rendered it meanwhile."""
    def clicked():
        for element in shown(world, element_id, enabled=True):
            element.click()
            return True
        return False
    wait_until("#" + element_id + " clicked", clicked, timeout)


# The fixtures the test files import (a conftest.py here would shadow tests/integration's).
@pytest.fixture(scope="module")
def guest_files():
    """The tiny guest's kernel (vmlinux when there is one) and initramfs, built or reused."""
    out = subprocess.run(["bash", os.path.join(SRCDIR, "tests/guest/build-tiny-guest.sh"),
                          os.path.join(BUILDDIR, "tests/guest-cache")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    kernel = out[2] if len(out) > 2 and out[2] else out[0]
    return kernel, out[1]


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    try:
        yield w
    finally:
        status, log = w.close()
    assert status == 0, "virtbusd exited with %s:\n%s" % (status, log[-3000:])
