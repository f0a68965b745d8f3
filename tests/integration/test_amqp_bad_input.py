"""Hostile AMQP peers: garbage bytes, a SASL exchange that never finishes, a 100 MB message, a
map nested 10,000 deep. Each gets a closed link or connection with a condition, or an
_exception; the daemon keeps serving everyone else and never crashes."""
import os
import socket
import struct
import time

import pytest
from proton import Message
from proton.utils import BlockingConnection

from amqp_env import QmfConsole, amqp_args, free_port, stop_daemon
from conftest import Daemon


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def amqp_daemon(private_bus, workdir, port):
    config = os.path.join(workdir, "virtbusd.conf")
    with open(config, "w") as f:
        f.write("amqp_open_timeout_seconds = 1\n")
    d = Daemon(private_bus, workdir, amqp_args(port, "--config", config)).start()
    yield d
    stop_daemon(d)


@pytest.fixture
def url(amqp_daemon, port):
    return "amqp://127.0.0.1:%d" % port


def still_serving(url):
    c = QmfConsole(url)
    try:
        assert c.locate()["_product"] == "virtbusd"
    finally:
        c.close()


def read_until_closed(sock, limit=1 << 20, timeout=5):
    sock.settimeout(timeout)
    data = b""
    while len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def test_garbage_bytes_close_the_connection_with_a_condition(url, port, amqp_daemon):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(os.urandom(4096))
        reply = read_until_closed(s)
    # proton answers a bad protocol header with its own header, then closes.
    assert reply[:4] == b"AMQP" or reply == b""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"AMQP\x00\x01\x00\x00" + b"\x00\x00\x00\x20\x02\x00\x00\x00" + os.urandom(24))
        reply = read_until_closed(s)
    assert b"framing-error" in reply or b"decode-error" in reply or reply[:4] == b"AMQP"
    still_serving(url)
    assert "closed" in amqp_daemon.log()


def test_sasl_that_never_finishes_is_cut_off(url, port, amqp_daemon):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"AMQP\x03\x01\x00\x00")  # SASL header, then nothing
        start = time.monotonic()
        reply = read_until_closed(s, timeout=10)
        elapsed = time.monotonic() - start
    assert elapsed < 5, elapsed  # the configured 1 s, not forever
    assert b"sasl-mechanisms" in reply or b"ANONYMOUS" in reply
    assert "no open within 1 s" in amqp_daemon.log()
    still_serving(url)


def test_hundred_megabyte_message_is_refused_and_others_are_served(url):
    conn = BlockingConnection(url, timeout=30)
    sender = conn.create_sender("qmf.default.direct")
    body = {"_what": "OBJECT", "padding": "x" * (100 * 1024 * 1024)}
    msg = Message(body=body, properties={"qmf.opcode": "_query_request"})
    from proton.utils import LinkDetached, SendException
    with pytest.raises((LinkDetached, SendException)) as refused:
        sender.send(msg, timeout=60)
    assert "message-size-exceeded" in str(refused.value) or "at most" in str(refused.value)
    conn.close()
    still_serving(url)


def deep_map_value(depth):
    """An AMQP map32 nested depth levels: {"k": {"k": ... null}} (too deep for python to build)."""
    value = b"\x40"
    for _ in range(depth):
        inner = b"\xa1\x01k" + value
        value = b"\xd1" + struct.pack(">II", len(inner) + 4, 2) + inner
    return value


def raw_request(sender, opcode, body_value, reply_to):
    probe = Message(body="X", reply_to=reply_to, correlation_id="deep",
                    properties={"x-amqp-0-10.app-id": "qmf2", "qmf.opcode": opcode})
    encoded = probe.encode()
    marker = b"\x00\x53\x77\xa1\x01X"
    assert encoded.endswith(marker)
    data = encoded[:-len(marker)] + b"\x00\x53\x77" + body_value
    link = sender.link
    delivery = link.delivery(str(time.monotonic_ns()))
    link.send(data)
    link.advance()
    return delivery


def test_map_nested_ten_thousand_deep_gets_an_exception(url):
    console = QmfConsole(url)
    console.locate()
    raw_request(console.direct, "_method_request", deep_map_value(10000), console.reply_to)
    reply = console.receive()
    assert reply.properties["qmf.opcode"] == "_exception"
    assert reply.correlation_id == "deep"
    console.close()
    still_serving(url)


def test_empty_transfer_is_refused_not_fatal(url):
    """proton's decoder aborts on an empty buffer (found by fuzz/fuzz-qmf.c)."""
    console = QmfConsole(url)
    link = console.direct.link
    link.delivery("empty")
    link.send(b"")
    link.advance()
    from proton.utils import LinkDetached
    with pytest.raises(LinkDetached, match="decode"):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            console.conn.container.process()
    console.close()
    still_serving(url)


@pytest.mark.parametrize("args, message", [
    (["--amqp-listen", "127.0.0.1:notaport"], "AMQP listen address '127.0.0.1:notaport' is not HOST:PORT"),
    (["--amqp-connect", "http://broker"], "broker URL 'http://broker' is not amqp[s]://"),
    (["--amqp-tls-cert", "/nonexistent.pem"], "AMQP TLS needs both a certificate and a key"),
    (["--amqp-broker-profile", "kafka"], "--amqp-broker-profile must be rabbitmq, qpidd or activemq"),
])
def test_bad_amqp_options_are_refused_before_starting(args, message, tmp_path):
    import subprocess
    from conftest import VIRTBUSD
    proc = subprocess.run([VIRTBUSD, "--session", "--state-dir", str(tmp_path), "--qemu-root",
                           str(tmp_path / "qemu"), *args], capture_output=True,
                          text=True, timeout=10, env={"PATH": os.environ.get("PATH", "")})
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr


@pytest.mark.parametrize("line, message", [
    ("amqp_event_buffer = 0", "amqp_event_buffer must be 1..10000000"),
    ("amqp_broker_profile = kafka", "amqp_broker_profile must be rabbitmq, qpidd or activemq"),
    ("amqp_users = relative/path", "amqp_users must be an absolute path"),
    ("amqp_heartbeat_seconds = 0", "amqp_heartbeat_seconds must be 1..3600"),
])
def test_bad_amqp_settings_name_the_file_and_line(line, message, tmp_path):
    import subprocess
    from conftest import VIRTBUSD
    config = tmp_path / "virtbusd.conf"
    config.write_text("# AMQP\n" + line + "\n")
    proc = subprocess.run([VIRTBUSD, "--session", "--config", str(config)], capture_output=True, text=True,
                          timeout=10, env={"PATH": os.environ.get("PATH", "")})
    assert proc.returncode != 0
    assert "%s:2: %s" % (config, message) in proc.stderr, proc.stderr


def test_listen_address_in_use_stops_the_daemon_with_a_clear_error(private_bus, workdir, port, amqp_daemon):
    other = Daemon(private_bus, workdir, amqp_args(port))
    other.start(wait=False)
    assert other.proc.wait(timeout=10) != 0
    assert "cannot listen for AMQP on 127.0.0.1:%d" % port in other.log()
    other.stderr.close()


def test_client_that_pipelines_requests_and_leaves_at_once(url, amqp_daemon):
    """Found by bench/amqp: a client closing with requests in flight made the daemon re-enter
    the connection's handling from a reply and use a freed link."""
    for _ in range(5):
        console = QmfConsole(url)
        console.locate()
        request = Message(body={"_object_id": {"_object_name": "domain:6695eb01-f6a4-8304-79aa-97f2502e193f"},
                                "_method_name": "getXMLDesc"},
                          reply_to=console.reply_to, properties={"qmf.opcode": "_method_request"}).encode()
        link = console.direct.link
        for i in range(300):
            link.delivery("p%d" % i)
            link.send(request)
            link.advance()
        link.close()  # the requests link goes while its requests are being answered
        console.conn.close()
    still_serving(url)


def test_unknown_target_address_is_refused(url):
    conn = BlockingConnection(url, timeout=10)
    from proton.utils import LinkDetached
    with pytest.raises(LinkDetached, match="qmf.default.direct and qmf.default.topic only"):
        conn.create_sender("somewhere.else")
    conn.close()


def test_message_without_opcode_is_ignored_and_the_link_stays(url):
    console = QmfConsole(url)
    console.direct.send(Message(body={"hello": 1}, reply_to=console.reply_to))
    assert console.locate()["_product"] == "virtbusd"
    console.close()
