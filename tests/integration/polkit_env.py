"""A system-like bus with a real polkitd for the authorization tests: a dbus-daemon of our own
(no service directories; user polkitd may own org.freedesktop.PolicyKit1, root org.libvirt),
/usr/lib/polkit-1/polkitd on it, test rules in /etc/polkit-1/rules.d, unprivileged test users,
and virtbusd --system. Everything installed on the machine is recorded and removed afterwards;
nothing that was there before is touched."""
import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import dbus

from conftest import with_delay

POLKITD = "/usr/lib/polkit-1/polkitd"
RULES_DIR = "/etc/polkit-1/rules.d"
ACTIONS_DIR = "/usr/share/polkit-1/actions"
SRCDIR = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
POLICY_FILE = os.path.join(SRCDIR, "data", "org.libvirt.api.virtbus.policy")
CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "polkit_client.py")

USERS = ("vbtest-admin", "vbtest-viewer", "vbtest-none", "vbtest-limited")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
  <policy user="polkitd">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <policy user="root">
    <allow own="org.libvirt"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""

# Grants by unix user and by domain_name, as an administrator would write them.
RULES = """// virtbus integration tests (removed when the tests end)
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.libvirt.api.") != 0)
        return polkit.Result.NOT_HANDLED;
    var domain = action.lookup("domain_name");
    if (subject.user == "vbtest-admin")
        return polkit.Result.YES;
    if (subject.user == "vbtest-none")
        return polkit.Result.NO;
    if (subject.user == "vbtest-limited") {
        if (domain == "secret")
            return polkit.Result.NO;
        if (action.id == "org.libvirt.api.domain.save" || action.id == "org.libvirt.api.domain.read-secure")
            return polkit.Result.NO;
        if (domain == "slow" && action.id == "org.libvirt.api.domain.suspend") {
            var start = Date.now();
            while (Date.now() - start < 1500) { }
            return polkit.Result.YES;
        }
        if (domain == "test")
            return polkit.Result.YES;
        return polkit.Result.NOT_HANDLED;
    }
    if (subject.user == "vbtest-viewer" && action.id == "org.libvirt.api.domain.reset")
        return polkit.Result.AUTH_ADMIN;
    return polkit.Result.NOT_HANDLED;
});
"""

RULES_FILE = os.path.join(RULES_DIR, "49-virtbus-test.rules")
TOGGLE_RULES_FILE = os.path.join(RULES_DIR, "48-virtbus-test-toggle.rules")


class MachineSetup:
    """Test users, rules and actions installed for the session; undo() removes exactly those."""

    # The rules file and test users are machine-wide: test runs in parallel (make -j check runs
    # the suite twice at once) take turns, one module at a time.
    LOCK_PATH = "/run/lock/virtbus-polkit-tests.lock"

    def __init__(self):
        self.added_files = []
        self.added_users = []
        self.added_group = False
        self.lock = None

    def install(self):
        if os.geteuid() != 0:
            raise AssertionError("the polkit tests run as root (they add users and polkit rules)")
        import fcntl
        os.makedirs(os.path.dirname(self.LOCK_PATH), exist_ok=True)
        self.lock = open(self.LOCK_PATH, "w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        for path in (POLKITD, "/usr/bin/setpriv"):
            if not os.access(path, os.X_OK):
                raise AssertionError("%s is missing: install polkitd (scripts/install-deps.sh)" % path)
        try:
            grp.getgrnam("libvirt")
        except KeyError:
            subprocess.run(["groupadd", "--system", "libvirt"], check=True)
            self.added_group = True
        for user in USERS:
            try:
                pwd.getpwnam(user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                                "-G", "libvirt", user], check=True)
                self.added_users.append(user)
        self.write(RULES_FILE, RULES)
        # libvirt's own org.libvirt.api.policy declares the same actions; ours makes the test
        # independent of it. Never replace a file that is already there.
        target = os.path.join(ACTIONS_DIR, "org.libvirt.api.virtbus.policy")
        if not os.path.exists(target):
            with open(POLICY_FILE) as f:
                self.write(target, f.read())

    def write(self, path, text):
        if path not in self.added_files:
            if os.path.exists(path):
                raise AssertionError("%s exists already; not overwriting it" % path)
            self.added_files.append(path)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.chmod(path + ".tmp", 0o644)
        os.rename(path + ".tmp", path)

    def remove(self, path):
        if path in self.added_files and os.path.exists(path):
            os.unlink(path)
        if path in self.added_files:
            self.added_files.remove(path)

    def undo(self):
        for path in list(self.added_files):
            self.remove(path)
        for user in self.added_users:
            subprocess.run(["userdel", user], check=False)
        if self.added_group:
            subprocess.run(["groupdel", "libvirt"], check=False)
        if self.lock:
            self.lock.close()  # releases the flock
            self.lock = None


def machine_setup():
    """The module fixture both authorization test modules use: installed once, always undone."""
    setup = MachineSetup()
    try:
        setup.install()
        yield setup
    finally:
        setup.undo()


class SystemBus:
    """dbus-daemon, polkitd and (optionally) virtbusd in one world."""

    def __init__(self, virtbusd):
        self.virtbusd = virtbusd
        self.workdir = tempfile.mkdtemp(prefix="virtbus-pk-")
        os.chmod(self.workdir, 0o755)  # unprivileged clients reach the socket through it
        self.socket = os.path.join(self.workdir, "system_bus_socket")
        # The source tree may not be readable by the test users; the client travels along.
        self.client = os.path.join(self.workdir, "polkit_client.py")
        shutil.copy(CLIENT, self.client)
        os.chmod(self.client, 0o644)
        self.procs = {}
        self.logs = {}

    def start_bus(self):
        config = os.path.join(self.workdir, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG.format(socket=self.socket))
        self.procs["bus"] = subprocess.Popen(
            [os.environ.get("DBUS_DAEMON", "dbus-daemon"), "--config-file=" + config, "--nofork",
             "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.procs["bus"].stdout.readline().strip()
        assert self.address, "dbus-daemon printed no address"
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    def connection(self):
        return dbus.bus.BusConnection(self.address)

    def wait_for_name(self, name, proc, timeout=10.0):
        conn = self.connection()
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if conn.name_has_owner(name):
                    return
                if proc.poll() is not None:
                    raise AssertionError("%s exited with %s before owning %s" % (proc.args[0], proc.returncode,
                                                                                  name))
                time.sleep(0.05)
            raise AssertionError("%s not owned within %s s" % (name, timeout))
        finally:
            conn.close()

    def start_polkitd(self):
        log = open(os.path.join(self.workdir, "polkitd.log"), "w")
        self.logs["polkitd"] = log
        self.procs["polkitd"] = subprocess.Popen([POLKITD, "--no-debug"], env=self.env, stdout=log, stderr=log)
        self.wait_for_name("org.freedesktop.PolicyKit1", self.procs["polkitd"])

    def kill_polkitd(self):
        proc = self.procs.pop("polkitd")
        proc.kill()
        proc.wait()

    def start_virtbusd(self, cache_seconds=5, extra_config=""):
        config = os.path.join(self.workdir, "virtbusd.conf")
        with open(config, "w") as f:
            f.write("polkit_cache_seconds = %d\n%s" % (cache_seconds, extra_config))
        self.virtbusd_log = os.path.join(self.workdir, "virtbusd.log")
        log = open(self.virtbusd_log, "w")
        self.logs["virtbusd"] = log
        self.procs["virtbusd"] = subprocess.Popen(
            [self.virtbusd, "--system", "--config", config, "--state-dir", os.path.join(self.workdir, "state"),
             "--qemu-root", os.path.join(self.workdir, "qemu"), "--log-level", "info", *with_delay([])], env=self.env, stderr=log)
        self.wait_for_name("org.libvirt", self.procs["virtbusd"])

    def stop_virtbusd(self):
        proc = self.procs.pop("virtbusd", None)
        if proc is None:
            return None
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(timeout=10)
        self.logs.pop("virtbusd").close()
        return status

    def daemon_log(self):
        self.logs["virtbusd"].flush() if "virtbusd" in self.logs else None
        with open(self.virtbusd_log) as f:
            return f.read()

    def run_as(self, user, calls, timeout=60):
        """Runs the calls (dicts, see polkit_client.py) as user ("root" or a test user) in one
        client process; returns one result dict per call."""
        argv = ["/usr/bin/python3", self.client]
        if user != "root":
            argv = ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"] + argv
        proc = subprocess.run(argv, input=json.dumps(calls), capture_output=True, text=True, env=self.env,
                              timeout=timeout, cwd="/")
        assert proc.returncode == 0, "client as %s failed: %s" % (user, proc.stderr)
        return json.loads(proc.stdout)

    def listen_as(self, user, seconds):
        """Starts a client subscribed, as user, to every signal org.libvirt sends; returns once
        its match rule is on the bus. finish_listening() gives what it received."""
        argv = ["/usr/bin/python3", self.client, "listen", str(seconds)]
        if user != "root":
            argv = ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"] + argv
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                cwd="/")
        ready = proc.stdout.readline()
        assert ready == "ready\n", "listener as %s did not start: %s" % (user, proc.stderr.read())
        return proc

    @staticmethod
    def finish_listening(proc):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        return json.loads(out)

    def stop(self):
        status = self.stop_virtbusd()
        for name in ("polkitd", "bus"):
            proc = self.procs.pop(name, None)
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for log in self.logs.values():
            log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return status
