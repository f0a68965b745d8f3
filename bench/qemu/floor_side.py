"""bench/qemu's floor: bare qemu-system-x86_64 with virtbusd's own command line, driven over QMP
by this script and nothing else (no daemon, no pidfile, no D-Bus). Start: spawn with -S, connect
to the monitor socket (retried every 1 ms), qmp_capabilities, cont. Shutdown: system_powerdown,
qemu's SHUTDOWN, quit (qemu runs with -no-shutdown, as under virtbusd and libvirt), the exit.
Save: stop, migrate to a file descriptor of the save file, quit. Restore: the same command line
with -incoming defer, migrate-incoming from the file's descriptor, cont."""
import array
import json
import os
import select
import socket
import subprocess
import time

import bench_steps

CONNECT_RETRY = 0.001
TIMEOUT = 60


class QmpError(Exception):
    pass


class Qmp:
    """A minimal blocking QMP client that stamps events as they arrive."""

    def __init__(self, path, proc, on_event):
        self.on_event = on_event
        self.buf = b""
        self.migration = None  # the last MIGRATION event's status
        self.sock = self._connect(path, proc)
        self.greeting_at = None
        self._read_message()  # the greeting
        self.greeting_at = time.monotonic()
        self.command("qmp_capabilities")

    @staticmethod
    def _connect(path, proc):
        deadline = time.monotonic() + TIMEOUT
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise QmpError("qemu's monitor %s never came up (exit status %s)" % (path, proc.returncode))
                time.sleep(CONNECT_RETRY)

    def _read_message(self, timeout=TIMEOUT):
        while b"\n" not in self.buf:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                raise QmpError("no message from qemu within %s s" % timeout)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("end of file from qemu's monitor")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        message = json.loads(line)
        if message.get("event") == "MIGRATION":
            self.migration = message["data"]["status"]
        if "event" in message:
            self.on_event(time.monotonic(), message)
        return message

    def command(self, name, arguments=None, fd=None):
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        data = json.dumps(request).encode() + b"\n"
        if fd is None:
            self.sock.sendall(data)
        else:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
        while True:
            message = self._read_message()
            if "return" in message:
                return message["return"]
            if "error" in message:
                raise QmpError("%s: %s" % (name, message["error"].get("desc")))

    def wait_migration(self, timeout=TIMEOUT):
        """Until the MIGRATION event says completed (events on: see migrate-set-capabilities)."""
        deadline = time.monotonic() + timeout
        while self.migration != "completed":
            if self.migration == "failed":
                raise QmpError("migration failed (see the qemu log)")
            self._read_message(max(0.0, deadline - time.monotonic()))

    def close(self):
        self.sock.close()


class FloorGuest:
    side = "floor"

    def __init__(self, argv, workdir, log_path):
        self.argv = argv
        self.monitor = os.path.join(workdir, "floor.monitor")
        self.save_path = os.path.join(workdir, "floor.save")
        self.log_path = log_path
        self.events = []
        self.proc = self.qmp = self.pidfd = None
        self.greeting = []  # spawn → QMP greeting, per start (information)

    def _on_event(self, t, message):
        if message["event"] == "SHUTDOWN":
            self.events.append((t, bench_steps.POWERED_OFF))

    def _spawn(self, extra=()):
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv + list(extra), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.qmp = Qmp(self.monitor, self.proc, self._on_event)
        self.greeting.append(self.qmp.greeting_at - t0)

    def create(self):
        """A start, or after managed_save the restore (as a daemon's Create of a saved domain)."""
        if os.path.exists(self.save_path):
            self._restore()
            return
        self._spawn()
        self.qmp.command("cont")

    def shutdown(self):
        self.qmp.command("system_powerdown")

    def pump(self, timeout):
        """Reads QMP events and the exit; after the guest's SHUTDOWN, quits qemu as virtbusd does."""
        if self.proc is None:
            time.sleep(timeout)
            return
        watched = [self.pidfd] + ([self.qmp.sock] if self.qmp.sock.fileno() >= 0 else [])
        ready, _, _ = select.select(watched, [], [], timeout)
        if self.pidfd in ready:
            self._reap()
        elif ready:
            self._read_event()

    def _read_event(self):
        before = len(self.events)
        try:
            self.qmp._read_message(0)
            if any(k == bench_steps.POWERED_OFF for _, k in self.events[before:]):
                self.qmp.sock.sendall(b'{"execute": "quit"}\n')
        except (QmpError, OSError):
            self.qmp.close()  # qemu is going: its exit is what we wait for now

    def _reap(self):
        self.proc.wait()
        self.events.append((time.monotonic(), bench_steps.STOPPED))
        os.close(self.pidfd)
        self.qmp.close()
        self.proc = self.qmp = self.pidfd = None

    def _wait_exit(self):
        select.select([self.pidfd], [], [], TIMEOUT)
        self._reap()

    def _pass_migration_file(self, flags):
        """MIGRATION events on, and the save file's descriptor to qemu as "migrate"."""
        self.qmp.command("migrate-set-capabilities", {"capabilities": [{"capability": "events", "state": True}]})
        fd = os.open(self.save_path, flags | os.O_CLOEXEC, 0o600)
        try:
            self.qmp.command("getfd", {"fdname": "migrate"}, fd=fd)
        finally:
            os.close(fd)

    def managed_save(self):
        self.qmp.command("stop")
        # As virtbusd and libvirt do for a save to a file: qemu's default migration bandwidth
        # (128 MiB/s) would otherwise throttle the stream.
        self.qmp.command("migrate-set-parameters", {"max-bandwidth": 1 << 40})
        self._pass_migration_file(os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self.qmp.command("migrate", {"uri": "fd:migrate"})
        self.qmp.wait_migration()
        self.qmp.sock.sendall(b'{"execute": "quit"}\n')  # its reply may be lost as qemu closes
        self._wait_exit()

    def _restore(self):
        self._spawn(["-incoming", "defer"])
        self._pass_migration_file(os.O_RDONLY)
        self.qmp.command("migrate-incoming", {"uri": "fd:migrate"})
        self.qmp.wait_migration()
        self.qmp.command("cont")
        os.unlink(self.save_path)

    def destroy(self):
        """SIGTERM, as virtbusd's and libvirt's destroy (not timed)."""
        self.proc.terminate()
        self._wait_exit()

