"""SNMP peers for the virtbus-snmp tests, all real Debian programs: snmpd as the AgentX master
(socket in a temp dir, unprivileged UDP port), snmptrapd receiving the traps, snmpwalk/snmpget/
snmpset as the managers; and virtbus-snmp itself between snmpd and virtbusd's AMQP listener."""
import os
import shutil
import subprocess
import time

import pytest

from amqp_env import amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, Daemon

VIRTBUS_SNMP = os.environ.get("VIRTBUS_SNMP", os.path.join(BUILDDIR, "virtbus-snmp"))
GUEST_ENTRY = "1.3.6.1.4.1.36957.1.1.1"
VIRTBUS_ENTRY = "1.3.6.1.4.1.36957.100.1.1.1"
VIRTBUS_COLUMNS = {"host": 1, "event": 2, "detail": 3, "seq": 4}
NOTIF_OID = "1.3.6.1.4.1.36957.0.1"
COLUMNS = {"name": 2, "state": 3, "cpus": 4, "memory": 5, "max_memory": 6, "cpu_time": 7, "row_status": 9}
STATES = {"running": 1, "blocked": 2, "paused": 3, "shutdown": 4, "shutoff": 5, "crashed": 6}
TIMEOUT = 10

for tool in ("snmpd", "snmpwalk", "snmptrapd"):
    if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
        pytest.skip("%s is not installed (scripts/install-deps.sh installs it)" % tool, allow_module_level=True)
if not os.path.exists(VIRTBUS_SNMP):
    pytest.skip("virtbus-snmp was not built (configure found no netsnmp-agent)", allow_module_level=True)


def wait_for(condition, timeout=TIMEOUT, interval=0.05, what="condition"):
    """Polls condition() until it returns something true; the value, or AssertionError."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def uuid_index(uuid):
    return ".".join(str(b) for b in bytes.fromhex(uuid.replace("-", "")))


def index_uuid(index):
    raw = bytes(int(x) for x in index.split("."))
    h = raw.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


class Snmpd:
    """snmpd as AgentX master for this test only: its own config, socket and state directory."""

    def __init__(self, workdir, trap_port=None):
        self.dir = os.path.join(workdir, "snmpd")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.socket = os.path.join(self.dir, "agentx.sock")
        self.config = os.path.join(self.dir, "snmpd.conf")
        lines = ["master agentx", "agentXSocket %s" % self.socket, "agentXPerms 0600 0700",
                 "agentaddress udp:127.0.0.1:%d" % self.port,
                 "rocommunity public 127.0.0.1", "rwcommunity private 127.0.0.1",
                 "agentXTimeout 5", "agentXRetries 1"]
        if trap_port:
            lines.append("trap2sink 127.0.0.1:%d public" % trap_port)
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log_path = os.path.join(self.dir, "snmpd.log")
        self.proc = None

    def start(self):
        # snmpd saves state as snmpd.conf in its persistent directory: not where our config is.
        env = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(self.dir, "state"), MIBS="", MIBDIRS="/nonexistent")
        self.log_file = open(self.log_path, "a")
        if os.path.exists(self.socket):
            os.unlink(self.socket)  # so that waiting for it waits for this snmpd
        # No SMUX: it would bind TCP port 199, which another snmpd may hold.
        self.proc = subprocess.Popen(["/usr/sbin/snmpd", "-f", "-C", "-c", self.config, "-I", "-smux",
                                      "-Lf", self.log_path,
                                      "-p", os.path.join(self.dir, "snmpd.pid")],
                                     env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(self.socket), what="snmpd's AgentX socket")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=TIMEOUT)
        if self.proc:
            self.log_file.close()

    def target(self):
        return "127.0.0.1:%d" % self.port


class Snmptrapd:
    """snmptrapd writing every trap it receives to a file, one line per varbind."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "snmptrapd")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.config = os.path.join(self.dir, "snmptrapd.conf")
        with open(self.config, "w") as f:
            f.write("authCommunity log public\ndisableAuthorization yes\n")
        self.out = os.path.join(self.dir, "traps.log")
        self.proc = None

    def start(self):
        env = dict(os.environ, SNMP_PERSISTENT_DIR=self.dir, MIBS="", MIBDIRS="/nonexistent")
        # -On numeric OIDs; -Ln log nothing else; format: one trap per line, varbinds tab separated.
        self.proc = subprocess.Popen(["/usr/sbin/snmptrapd", "-f", "-C", "-c", self.config, "-On",
                                      "-Lf", self.out, "-F", "TRAP %V\\t%v\\n",
                                      "-p", os.path.join(self.dir, "pid"), "udp:127.0.0.1:%d" % self.port],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.out) and "NET-SNMP version" in open(self.out).read(),
                 what="snmptrapd to start")
        return self

    def traps(self):
        """Each trap received so far: {oid: value} of its varbinds."""
        result = []
        if not os.path.exists(self.out):
            return result
        with open(self.out) as f:
            for line in f:
                if not line.startswith("TRAP "):
                    continue
                fields = line[5:].rstrip("\n").split("\t")
                varbinds = {}
                for field in fields:
                    if " = " in field:
                        oid, value = field.split(" = ", 1)
                        varbinds[oid.strip().lstrip(".")] = value.strip()
                result.append(varbinds)
        return result

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=TIMEOUT)


class Bridge:
    """virtbus-snmp between snmpd and virtbusd."""

    def __init__(self, workdir, snmpd, url, extra=()):
        self.log_path = os.path.join(workdir, "virtbus-snmp-%d.log" % time.monotonic_ns())
        self.args = [VIRTBUS_SNMP, "--agentx-socket", snmpd.socket, "--amqp-connect", url, *extra]
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.log_file, stderr=subprocess.STDOUT)
        return self

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        """SIGTERM: it must exit 0 with nothing from ASan or UBSan in its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            status = self.proc.wait(timeout=TIMEOUT)
        else:
            status = self.proc.returncode
        self.log_file.close()
        log = self.log()
        assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
        assert status == 0, "virtbus-snmp exited with %s:\n%s" % (status, log)


def run_snmp(tool, target, *args, community="public", check=True):
    env = dict(os.environ, MIBS="", MIBDIRS="/nonexistent")
    proc = subprocess.run([tool, "-v2c", "-c", community, "-On", "-Oe", "-t", "5", "-r", "1", target, *args],
                          env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def parse_value(text):
    if text == '""':  # an empty string is printed without its type
        return ""
    kind, _, value = text.partition(": ")
    if kind in ("INTEGER", "Gauge32", "Counter64", "Counter32", "Unsigned32"):
        return int(value)
    if kind == "STRING":
        return value.strip('"')
    if kind == "Hex-STRING":
        return bytes.fromhex(value.replace(" ", ""))
    return text


def walk_table(target, tool="snmpwalk", check=True, entry=GUEST_ENTRY, columns=COLUMNS):
    """libvirtGuestTable (or another entry's table) as {uuid: {column name: value}} ({} on an
    error when not check)."""
    proc = run_snmp(tool, target, entry, check=check)
    if proc.returncode != 0:
        return {}
    out = proc.stdout
    names = {v: k for k, v in columns.items()}
    table = {}
    prefix = "." + entry + "."
    for line in out.splitlines():
        if not line.startswith(prefix) or " = " not in line:
            continue
        oid, value = line.split(" = ", 1)
        column, index = oid[len(prefix):].split(".", 1)
        table.setdefault(index_uuid(index), {})[names[int(column)]] = parse_value(value)
    return table


def get_cell(target, uuid, column):
    out = run_snmp("snmpget", target, "%s.%d.%s" % (GUEST_ENTRY, COLUMNS[column], uuid_index(uuid))).stdout
    return parse_value(out.split(" = ", 1)[1].strip())


def set_cell(target, uuid, column, value, community="private"):
    """snmpset of an INTEGER column: (exit status, output and errors)."""
    proc = run_snmp("snmpset", target, "%s.%d.%s" % (GUEST_ENTRY, COLUMNS[column], uuid_index(uuid)), "i",
                    str(value), community=community, check=False)
    return proc.returncode, proc.stdout + proc.stderr


# --- fixtures the test_snmp_* modules import ------------------------------------------------
ADMIN = ("admin", "admin-secret")


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def amqp_daemon(private_bus, workdir, port):
    """virtbusd with its AMQP listener; "admin" (PLAIN) acts as root, ANONYMOUS reads only."""
    users = make_users_file(workdir, BUILDDIR, [(ADMIN[0], "root", ADMIN[1])])
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-a", "--amqp-users", users)).start()
    yield d
    stop_daemon(d)


@pytest.fixture
def trapd(workdir):
    t = Snmptrapd(workdir).start()
    yield t
    t.stop()


@pytest.fixture
def snmpd(workdir, trapd):
    s = Snmpd(workdir, trap_port=trapd.port).start()
    yield s
    s.stop()


def start_bridge(workdir, snmpd, url, extra=()):
    """virtbus-snmp, returned once its table is served."""
    b = Bridge(workdir, snmpd, url, extra).start()
    wait_for(lambda: walk_table(snmpd.target(), check=False), what="the guest table")
    return b


@pytest.fixture
def bridge(workdir, snmpd, amqp_daemon, port):
    """virtbus-snmp connected as ANONYMOUS."""
    b = start_bridge(workdir, snmpd, "amqp://127.0.0.1:%d" % port)
    yield b
    b.stop()


@pytest.fixture
def admin_bridge(workdir, snmpd, amqp_daemon, port):
    """virtbus-snmp connected with PLAIN as admin."""
    b = start_bridge(workdir, snmpd, "amqp://%s:%s@127.0.0.1:%d" % (ADMIN[0], ADMIN[1], port))
    yield b
    b.stop()


@pytest.fixture
def bus(amqp_daemon):
    import dbus
    conn = dbus.bus.BusConnection(amqp_daemon.bus.address)
    yield conn
    conn.close()
