"""Fixtures that run virtbusd for real: a private dbus-daemon with no service directories (so
nothing installed is auto-started), the daemon under test, and python-dbus clients."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import dbus
import dbus.mainloop.glib
import pytest
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

BUILDDIR = os.environ.get("top_builddir", os.path.join(os.path.dirname(__file__), "..", ".."))
VIRTBUSD = os.environ.get("VIRTBUSD", os.path.join(BUILDDIR, "virtbusd"))
DBUS_DAEMON = os.environ.get("DBUS_DAEMON", "dbus-daemon")

# VIRTBUS_TEST_DELAY_MS=N runs every daemon with the test driver's deferred mode: each operation
# answers N ms after it is made (run-pytest-deferred.sh runs the suite once that way too).
DELAY_MS = int(os.environ.get("VIRTBUS_TEST_DELAY_MS", "0") or 0)
# The QEMU tests never touch the test driver, so the deferred pass would only run them twice.
collect_ignore_glob = ["test_qemu_*.py"] if DELAY_MS else []

TEST_PATH = "/org/libvirt/Test"
TEST_DOMAIN_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
TEST_DOMAIN_PATH = TEST_PATH + "/domain/_" + TEST_DOMAIN_UUID.replace("-", "_")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """A dbus-daemon of our own: its config has no <servicedir>, so no activation."""

    def __init__(self, workdir):
        config = os.path.join(workdir, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG.format(dir=workdir))
        self.proc = subprocess.Popen(
            [DBUS_DAEMON, "--config-file=" + config, "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, text=True)
        self.address = self.proc.stdout.readline().strip()
        assert self.address, "dbus-daemon printed no address"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def with_delay(args, delay_ms=None):
    """The daemon's arguments with the test URI in deferred mode when the suite runs that way."""
    delay_ms = DELAY_MS if delay_ms is None else delay_ms
    if not delay_ms:
        return args
    if "--test-uri" in args:
        i = args.index("--test-uri") + 1
        if "delay_ms=" not in args[i]:  # a test that chose its own delay keeps it
            args[i] += ("&" if "?" in args[i] else "?") + "delay_ms=%d" % delay_ms
    else:
        args += ["--test-uri", "test:///default?delay_ms=%d" % delay_ms]
    return args


class Daemon:
    """One virtbusd process on the private bus."""

    def __init__(self, bus, workdir, extra_args=(), env=None):
        self.bus = bus
        self.workdir = workdir
        self.stderr_path = os.path.join(workdir, "virtbusd-%d.log" % time.monotonic_ns())
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address, **(env or {}))
        # Each daemon keeps its QEMU connection's files (qemu:///session) in its own directory.
        self.args = [VIRTBUSD, "--session", "--state-dir", os.path.join(workdir, "state"),
                     "--qemu-root", os.path.join(workdir, "qemu"), *with_delay(list(extra_args))]
        self.proc = None

    def start(self, wait=True):
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(self.args, env=self.env, stderr=self.stderr)
        if wait:
            self.wait_for_name()
        return self

    def wait_for_name(self, attempts=10, interval=0.1):
        """libvirt-dbus's suite polls NameHasOwner ten times at 0.1 s: the name must be owned in 1 s."""
        conn = dbus.bus.BusConnection(self.bus.address)
        try:
            for _ in range(attempts):
                if conn.name_has_owner("org.libvirt"):
                    return
                if self.proc.poll() is not None:
                    raise AssertionError("virtbusd exited with %s: %s" % (self.proc.returncode, self.log()))
                time.sleep(interval)
            raise AssertionError("virtbusd did not own org.libvirt within 1 s: " + self.log())
        finally:
            conn.close()

    def stop(self, timeout=10):
        """SIGTERM, then the exit status; virtbusd must stop cleanly well inside 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.stderr.close()

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.stderr.close()

    def log(self):
        if not self.stderr.closed:
            self.stderr.flush()
        with open(self.stderr_path) as f:
            return f.read()


def qemus_under(path):
    """Live qemu processes whose command line names something under path (zombies have none)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if argv and os.path.basename(argv[0]) == b"qemu-system-x86_64" and \
                any(path.encode() in arg for arg in argv[1:]):
            found.append(int(entry))
    return found


@pytest.fixture
def workdir():
    """A temporary directory, gone after the test; a qemu the test started there and left running
    (guests outlive the daemon by design) fails the test, and is killed."""
    path = tempfile.mkdtemp(prefix="virtbus-it-")
    yield path
    deadline = time.monotonic() + 10  # a guest being destroyed may take a moment to exit
    while qemus_under(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = qemus_under(path)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(path, ignore_errors=True)
    assert not left, "the test left qemu running (pids %s, now killed)" % left


@pytest.fixture
def private_bus(workdir):
    bus = PrivateBus(workdir)
    yield bus
    bus.stop()


@pytest.fixture
def daemon(private_bus, workdir):
    d = Daemon(private_bus, workdir).start()
    yield d
    status = d.stop()
    log = d.log()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
    assert status == 0, "virtbusd exited with %s:\n%s" % (status, log)


@pytest.fixture
def bus(daemon):
    conn = dbus.bus.BusConnection(daemon.bus.address)
    yield conn
    conn.close()


def connect_iface(bus):
    return dbus.Interface(bus.get_object("org.libvirt", TEST_PATH), "org.libvirt.Connect")


def domain_iface(bus, path=TEST_DOMAIN_PATH):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.libvirt.Domain")


def properties(bus, path):
    return dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties")


class SignalRecorder:
    """Collects signals through the GLib main loop, as real clients receive them."""

    def __init__(self, bus, member, interface="org.libvirt.Connect"):
        self.items = []
        self.match = bus.add_signal_receiver(self._on_signal, signal_name=member, dbus_interface=interface,
                                             path_keyword="sender_path")

    def _on_signal(self, *args, sender_path=None):
        self.items.append(tuple(args))

    def wait_for(self, count, timeout=5.0):
        context = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while len(self.items) < count and time.monotonic() < deadline:
            context.iteration(False) or time.sleep(0.005)
        return self.items

    def settle(self, quiet=0.3):
        """Pumps the loop for a while so late (unexpected) signals show up too."""
        context = GLib.MainContext.default()
        deadline = time.monotonic() + quiet
        while time.monotonic() < deadline:
            context.iteration(False) or time.sleep(0.005)
        return self.items
