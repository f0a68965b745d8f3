"""virtbusd as a process: bus name, readiness, shutdown, configuration and command line."""
import os
import socket
import subprocess
import time

import dbus
import pytest

from conftest import VIRTBUSD, Daemon, connect_iface


def test_owns_org_libvirt_within_one_second(private_bus, workdir):
    d = Daemon(private_bus, workdir).start(wait=False)
    try:
        d.wait_for_name(attempts=10, interval=0.1)
    finally:
        assert d.stop() == 0


def test_sigterm_stops_cleanly_well_inside_ten_seconds(private_bus, workdir):
    d = Daemon(private_bus, workdir).start()
    started = time.monotonic()
    assert d.stop(timeout=10) == 0
    assert time.monotonic() - started < 2.0
    assert "shutting down" in d.log()


def test_notifies_readiness_after_owning_the_name(private_bus, workdir):
    sock_path = os.path.join(workdir, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(5)
    d = Daemon(private_bus, workdir, env={"NOTIFY_SOCKET": sock_path}).start(wait=False)
    try:
        message = sock.recv(4096).decode()
        assert "READY=1" in message
        conn = dbus.bus.BusConnection(private_bus.address)
        assert conn.name_has_owner("org.libvirt")  # READY comes only once the name is ours
        conn.close()
    finally:
        assert d.stop() == 0
        assert "STOPPING=1" in sock.recv(4096).decode()
        sock.close()


def test_second_daemon_refuses_to_start_when_name_is_taken(daemon, workdir):
    second = Daemon(daemon.bus, workdir).start(wait=False)
    assert second.proc.wait(timeout=10) != 0
    assert "could not own org.libvirt" in second.log()


def test_config_file_sets_log_level_and_unknown_keys_fail(private_bus, workdir):
    good = os.path.join(workdir, "good.conf")
    with open(good, "w") as f:
        f.write("# comment\n\nlog_level = debug\nevent_replay = 10\n")
    d = Daemon(private_bus, workdir, extra_args=["--config", good]).start()
    assert d.stop() == 0
    assert "debug:" in d.log()

    bad = os.path.join(workdir, "bad.conf")
    with open(bad, "w") as f:
        f.write("log_level = info\nfrobnicate = yes\n")
    result = subprocess.run([VIRTBUSD, "--session", "--config", bad], capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    assert "bad.conf:2: unknown setting 'frobnicate'" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--config", "/nonexistent/virtbusd.conf"], "/nonexistent/virtbusd.conf"),
    (["--log-level", "loud"], "unknown log level 'loud'"),
    (["--test-uri", "bogus:///x"], "cannot open bogus:///x"),
    (["stray"], "unexpected argument 'stray'"),
])
def test_bad_command_line_is_one_clear_error(args, message, private_bus):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=private_bus.address)
    result = subprocess.run([VIRTBUSD, "--session", *args], capture_output=True, text=True, timeout=10, env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_help_and_version(private_bus):
    out = subprocess.run([VIRTBUSD, "--help"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and "--session" in out.stdout
    out = subprocess.run([VIRTBUSD, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and out.stdout.startswith("virtbusd ")


def test_default_state_is_fresh_on_every_start(private_bus, workdir):
    d = Daemon(private_bus, workdir).start()
    conn = dbus.bus.BusConnection(private_bus.address)
    connect_iface(conn).DomainDefineXML(
        "<domain type='test'><name>gone</name><memory>1024</memory><os><type>hvm</type></os></domain>")
    conn.close()
    assert d.stop() == 0
    d = Daemon(private_bus, workdir).start()
    conn = dbus.bus.BusConnection(private_bus.address)
    assert len(connect_iface(conn).ListDomains(0)) == 1
    conn.close()
    assert d.stop() == 0
    assert not os.path.exists(os.path.join(workdir, "state", "test"))
