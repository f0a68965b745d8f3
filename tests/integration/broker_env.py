"""A private RabbitMQ broker (Debian's rabbitmq-server 3.10 with rabbitmq_amqp1_0) for integration
tests: its own temp dir (mnesia, logs, config, cookie), node name, AMQP port on 127.0.0.1, Erlang
distribution port and epmd, so it neither uses nor disturbs a system instance.

    broker = RabbitBroker().start()     # waits until an AMQP 1.0 attach works
    try:
        ... connect to broker.url (amqp://guest:guest@127.0.0.1:PORT) ...
        broker.restart()                # same port, same data dir
    finally:
        broker.close()                  # stop + remove the temp dir

Definitions loaded at every boot: vhost "/", user guest/guest (all permissions), exchanges
qmf.default.direct (direct), qmf.default.topic (topic) and virtbus.events (topic).
Every broker still running when the interpreter exits is stopped by an atexit hook. Should the
test process itself be killed, the node and epmd still die with it: both are our direct children
with PR_SET_PDEATHSIG=SIGKILL, and the node (run with RABBITMQ_ALLOW_INPUT so the start script
execs erl) also halts when its stdin, a pipe only we hold, reaches EOF."""
import atexit
import base64
import ctypes
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref

RABBITMQ_BIN = os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin")
RABBITMQ_SERVER = os.path.join(RABBITMQ_BIN, "rabbitmq-server")
RABBITMQCTL = os.path.join(RABBITMQ_BIN, "rabbitmqctl")
EPMD = shutil.which("epmd") or "/usr/bin/epmd"

EXCHANGES = (("qmf.default.direct", "direct"), ("qmf.default.topic", "topic"), ("virtbus.events", "topic"))
PROBE_ADDRESS = "/exchange/virtbus.events/probe"

_live = weakref.WeakSet()
_PR_SET_PDEATHSIG = 1


def available():
    """None when a broker can be started here, else the reason why not (for pytest.skip)."""
    if not os.access(RABBITMQ_SERVER, os.X_OK):
        return "rabbitmq-server is not installed (%s)" % RABBITMQ_SERVER
    if not os.access(EPMD, os.X_OK):
        return "epmd is not installed"
    if importlib.util.find_spec("proton") is None:
        return "python3-qpid-proton is not installed"
    return None


def _die_with_parent():
    """preexec_fn: SIGKILL this child when the thread that started it dies (survives exec)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _password_hash(password):
    """rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), 4-byte salt."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


class BrokerError(RuntimeError):
    pass


class RabbitBroker:
    """One private rabbitmq-server node. Not started by the constructor: call start()."""

    def __init__(self, user="guest", password="guest", start_timeout=60.0, workdir=None, queues=()):
        """queues: (name, exchange, binding key) of durable queues declared at boot, which keep
        what is routed to them while no consumer is attached (and across restarts)."""
        self.queues = list(queues)
        self.user = user
        self.password = password
        self.start_timeout = start_timeout
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="virtbus-rabbit-")
        self.nodename = "virtbus-test-%d-%s@localhost" % (os.getpid(), os.path.basename(self.workdir)[-6:])
        self.port = _free_port()
        self.dist_port = _free_port()
        self.epmd_port = _free_port()
        self.proc = None
        self.epmd = None
        self.start_seconds = None  # how long the last start() took
        self._console = None
        self._lock = threading.Lock()
        self._write_files()
        _live.add(self)

    # ---- public properties ------------------------------------------------------------------
    @property
    def host(self):
        return "127.0.0.1"

    @property
    def address(self):
        """host:port of the AMQP listener (AMQP 0-9-1 and 1.0 share it)."""
        return "%s:%d" % (self.host, self.port)

    @property
    def url(self):
        return "amqp://%s:%s@%s:%d" % (self.user, self.password, self.host, self.port)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def log_path(self):
        return os.path.join(self.workdir, "log", self.nodename + ".log")

    # ---- files --------------------------------------------------------------------------------
    def _write_files(self):
        w = self.workdir
        for d in ("mnesia", "log", "home", "conf.d"):
            os.makedirs(os.path.join(w, d), exist_ok=True)
        definitions = {
            "rabbit_version": "3.10.8",
            "users": [{"name": self.user, "password_hash": _password_hash(self.password),
                       "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}],
            "vhosts": [{"name": "/"}],
            "permissions": [{"user": self.user, "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
            "exchanges": [{"name": name, "vhost": "/", "type": kind, "durable": True, "auto_delete": False,
                           "internal": False, "arguments": {}} for name, kind in EXCHANGES],
            "queues": [{"name": q, "vhost": "/", "durable": True, "auto_delete": False, "arguments": {}}
                       for q, _, _ in self.queues],
            "bindings": [{"source": x, "vhost": "/", "destination": q, "destination_type": "queue",
                          "routing_key": key, "arguments": {}} for q, x, key in self.queues],
            "policies": [], "parameters": [], "global_parameters": [],
        }
        with open(os.path.join(w, "definitions.json"), "w") as f:
            json.dump(definitions, f, indent=1)
        conf = [
            "listeners.tcp.default = 127.0.0.1:%d" % self.port,
            "listeners.ssl = none",
            "loopback_users = none",
            "load_definitions = %s" % os.path.join(w, "definitions.json"),
            "default_user = %s" % self.user,
            "default_pass = %s" % self.password,
            # A full test disk or a busy CI box must not block publishers.
            "disk_free_limit.absolute = 1MB",
            "vm_memory_high_watermark.relative = 0.9",
            "log.file.level = info",
            "log.console = false",
        ]
        with open(os.path.join(w, "rabbitmq.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        with open(os.path.join(w, "enabled_plugins"), "w") as f:
            f.write("[rabbitmq_amqp1_0].\n")
        open(os.path.join(w, "rabbitmq-env.conf"), "w").close()

    def env(self):
        """The environment of the broker and of rabbitmqctl for it: nothing from /etc/rabbitmq."""
        w = self.workdir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            HOME=os.path.join(w, "home"),  # .erlang.cookie
            RABBITMQ_NODENAME=self.nodename,
            RABBITMQ_USE_LONGNAME="false",
            RABBITMQ_DIST_PORT=str(self.dist_port),
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS="127.0.0.1",
            RABBITMQ_CONF_ENV_FILE=os.path.join(w, "rabbitmq-env.conf"),
            RABBITMQ_CONFIG_FILE=os.path.join(w, "rabbitmq.conf"),
            RABBITMQ_CONFIG_FILES=os.path.join(w, "conf.d", "*.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=os.path.join(w, "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(w, "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=os.path.join(w, "mnesia"),
            RABBITMQ_LOG_BASE=os.path.join(w, "log"),
            RABBITMQ_PID_FILE=os.path.join(w, "rabbitmq.pid"),
            RABBITMQ_MOTD_FILE=os.path.join(w, "motd"),
            RABBITMQ_ALLOW_INPUT="true",  # the script execs erl: the node is our child (PDEATHSIG)
        )
        return env

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self):
        with self._lock:
            if self.running:
                return self
            t0 = time.monotonic()
            env = self.env()
            try:
                self._start_epmd(env)
                self._console = open(os.path.join(self.workdir, "log", "console.log"), "ab")
                self.proc = subprocess.Popen(
                    [RABBITMQ_SERVER], env=env, cwd=self.workdir, stdin=subprocess.PIPE,
                    stdout=self._console, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_die_with_parent)
                self._wait_ready(t0 + self.start_timeout)
            except BaseException:
                self._stop_locked()
                raise
            self.start_seconds = time.monotonic() - t0
            return self

    def _start_epmd(self, env):
        """Our own epmd in the foreground, as our child: erl finds it on ERL_EPMD_PORT and does not
        daemonize one of its own that nobody would stop."""
        self.epmd = subprocess.Popen(
            [EPMD, "-port", str(self.epmd_port), "-address", "127.0.0.1"], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while not _port_open(self.epmd_port):
            if self.epmd.poll() is not None:
                raise BrokerError("epmd on port %d exited with %s" % (self.epmd_port, self.epmd.returncode))
            if time.monotonic() > deadline:
                raise BrokerError("epmd did not listen on port %d within 10 s" % self.epmd_port)
            time.sleep(0.05)

    def _wait_ready(self, deadline):
        """Until the port accepts and an AMQP 1.0 round trip through PROBE_ADDRESS works."""
        last = "port %d never accepted a connection" % self.port
        while True:
            if self.proc.poll() is not None:
                raise BrokerError("rabbitmq-server exited with %s before it was ready\n%s"
                                  % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise BrokerError("rabbitmq-server not ready within %.0f s (%s)\n%s"
                                  % (self.start_timeout, last, self.log_tail()))
            if _port_open(self.port):
                try:
                    self.probe(timeout=min(5.0, max(0.5, deadline - time.monotonic())))
                    return
                except Exception as e:  # noqa: BLE001 - anything means "not yet"
                    last = "AMQP 1.0 probe failed: %r" % (e,)
            time.sleep(0.2)

    def probe(self, timeout=5.0):
        """One AMQP 1.0 message sent to and received from PROBE_ADDRESS; raises if that fails."""
        from proton import Message
        from proton.utils import BlockingConnection

        conn = BlockingConnection(self.url, timeout=timeout)
        try:
            receiver = conn.create_receiver(PROBE_ADDRESS)
            sender = conn.create_sender(PROBE_ADDRESS)
            token = "probe-%d" % time.monotonic_ns()
            sender.send(Message(body=token), timeout=timeout)
            deadline = time.monotonic() + timeout
            while True:
                msg = receiver.receive(timeout=max(0.1, deadline - time.monotonic()))
                receiver.accept()
                if msg.body == token:
                    return
        finally:
            conn.close()

    def stop(self, timeout=30.0):
        with self._lock:
            self._stop_locked(timeout)

    def _stop_locked(self, timeout=30.0):
        try:
            if self.proc is not None and self.proc.poll() is None:
                try:
                    rc = subprocess.run([RABBITMQCTL, "-n", self.nodename, "-q", "stop"], env=self.env(),
                                        cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, timeout=timeout,
                                        preexec_fn=_die_with_parent).returncode
                except (subprocess.TimeoutExpired, OSError):
                    rc = -1
                if rc != 0:  # rabbitmqctl could not reach the node: SIGTERM also stops it cleanly
                    self._killpg(self.proc.pid, signal.SIGTERM)
            if self.proc is not None:
                self._reap(self.proc, timeout=timeout)
        finally:
            self.proc = None
            if self.epmd is not None:
                self._reap(self.epmd, timeout=5, term_first=True)
                self.epmd = None
            if self._console is not None:
                self._console.close()
                self._console = None
            # Whatever else carries our node name in its environment (port programs such as
            # inet_gethost run in sessions of their own, a hung rabbitmqctl, ...) goes too.
            for pid in self.leftover_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def leftover_pids(self):
        """Live processes (not zombies) whose environment names this broker's node."""
        marker = ("RABBITMQ_NODENAME=%s" % self.nodename).encode()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open("/proc/%s/stat" % entry, "rb") as f:
                    if f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                        continue
                with open("/proc/%s/environ" % entry, "rb") as f:
                    if marker in f.read().split(b"\0"):
                        pids.append(int(entry))
            except (OSError, IndexError):
                continue
        return pids

    @classmethod
    def _reap(cls, proc, timeout, term_first=False):
        """Waits for proc; then SIGTERM and SIGKILL to its process group. The group is killed
        even after a clean exit so no helper survives."""
        if term_first and proc.poll() is None:
            cls._killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            cls._killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        cls._killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()

    @staticmethod
    def _killpg(pgid, sig):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def restart(self):
        """stop() then start(): same node name, AMQP port and data dir."""
        self.stop()
        return self.start()

    def close(self):
        """stop() and remove the temp dir (if we made it)."""
        try:
            self.stop()
        finally:
            _live.discard(self)
            if self._own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def rabbitmqctl(self, *args, timeout=30.0):
        """Runs rabbitmqctl against this node; returns the CompletedProcess (text)."""
        return subprocess.run([RABBITMQCTL, "-n", self.nodename, *args], env=self.env(), cwd=self.workdir,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)

    def log_tail(self, lines=40):
        out = []
        for path in (self.log_path, os.path.join(self.workdir, "log", "console.log")):
            try:
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
            except OSError:
                continue
            out.append("--- %s (last %d lines)\n%s" % (path, len(tail), "".join(tail)))
        return "\n".join(out) or "(no broker log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<RabbitBroker %s %s %s>" % (self.nodename, self.address, "running" if self.running else "stopped")


@atexit.register
def _stop_all():
    for broker in list(_live):
        try:
            broker.close()
        except Exception:
            pass
