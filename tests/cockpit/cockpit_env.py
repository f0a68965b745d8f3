"""cockpit-machines in headless Chromium, for real: Debian's cockpit-ws serving a local session
(cockpit-bridge as this user, no login) whose system bus is the test's private system-like bus,
selenium driving Debian's chromium through chromium-driver, and a record of the D-Bus errors
org.libvirt answers the page with."""
import os
import shutil
import socket
import stat
import subprocess
import time

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
        """(method, path, message) of each org.libvirt.Error reply so far."""
        calls, found = {}, []
        blocks = tail(self.log_path, 10 ** 8).split("\n")
        for i, line in enumerate(blocks):
            words = dict(w.split("=", 1) for w in line.replace(";", "").split() if "=" in w)
            if line.startswith("method call"):
                calls[(words.get("sender"), words.get("serial"))] = (words.get("member"), words.get("path"))
            elif line.startswith("error") and words.get("error_name") == "org.libvirt.Error":
                message = blocks[i + 1].strip() if i + 1 < len(blocks) else ""
                if message.startswith('string "'):
                    message = message[len('string "'):-1]
                method, path = calls.get((words.get("destination"), words.get("reply_serial")), ("?", "?"))
                found.append((method, path, message))
        return found

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
