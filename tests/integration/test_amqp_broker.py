"""virtbusd connected out to a real broker (RabbitMQ 3.10 with its AMQP 1.0 plugin, started by
the test on loopback): two hosts on one broker, one console sees both agents, subscribers get
every event of both hosts, and a broker restart loses no event produced while it was down."""
import json
import shutil
import tempfile
import time
import uuid

import dbus
import pytest
from proton import Message
from proton.utils import BlockingConnection

from broker_env import RabbitBroker, available
from conftest import TEST_DOMAIN_PATH, Daemon, PrivateBus, domain_iface

DURABLE_QUEUE = "virtbus-test-all-events"


@pytest.fixture(scope="module")
def broker():
    reason = available()
    if reason:
        pytest.skip(reason)
    b = RabbitBroker(queues=[(DURABLE_QUEUE, "virtbus.events", "#")])
    try:
        yield b.start()
    finally:
        b.close()


class Host:
    """One virtbusd with its own private D-Bus, connected to the broker."""

    def __init__(self, name, broker, extra=()):
        self.workdir = tempfile.mkdtemp(prefix="virtbus-host-")
        self.bus = PrivateBus(self.workdir)
        self.daemon = Daemon(self.bus, self.workdir, ["--hostname", name, "--amqp-listen", "none",
                                                      "--amqp-connect", broker.url,
                                                      "--amqp-broker-profile", "rabbitmq", *extra]).start()
        self.dbus = dbus.bus.BusConnection(self.bus.address)

    def domain(self):
        return domain_iface(self.dbus, TEST_DOMAIN_PATH)

    def close(self):
        self.dbus.close()
        status = self.daemon.stop()
        log = self.daemon.log()
        self.bus.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
        assert status == 0, log
        return log


@pytest.fixture
def hosts(broker):
    made = []
    try:
        made = [Host("host-a", broker), Host("host-b", broker)]
        yield made
    finally:
        for h in made:
            h.close()


class BrokerConsole:
    """A QMF console through RabbitMQ: a named reply address (no dynamic receivers there)."""

    def __init__(self, broker):
        self.name = "console-%s" % uuid.uuid4().hex[:8]
        self.conn = BlockingConnection(broker.url, timeout=15)
        self.reply_to = "/exchange/qmf.default.direct/" + self.name
        self.replies = self.conn.create_receiver(self.reply_to, credit=100)
        self.topic = self.conn.create_sender("/exchange/qmf.default.topic")
        self.direct = self.conn.create_sender("/exchange/qmf.default.direct")

    def send(self, sender, opcode, body, subject, user_id=None):
        cid = str(uuid.uuid4())
        msg = Message(body=body, reply_to=self.reply_to, correlation_id=cid, subject=subject,
                      properties={"x-amqp-0-10.app-id": "qmf2", "qmf.opcode": opcode, "method": "request"})
        if user_id:
            msg.user_id = user_id
        sender.send(msg)
        return cid

    def replies_for(self, cid, count=None, timeout=15):
        """Messages answering cid: count of them, or until the last (no 'partial')."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.replies.receive(timeout=max(0.1, deadline - time.monotonic()))
            self.replies.accept()
            if msg.correlation_id != cid:
                continue
            got.append(msg)
            if (count and len(got) == count) or (count is None and "partial" not in msg.properties):
                return got
        raise AssertionError("only %d replies for %s" % (len(got), cid))

    def close(self):
        self.conn.close()


def wait_for_agents(console, want, timeout=30):
    """Locate until every wanted agent answers (the hosts connect to the broker on their own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cid = console.send(console.topic, "_agent_locate_request", [], "console.request.agent_locate")
        names = set()
        try:
            for msg in console.replies_for(cid, count=len(want), timeout=2):
                names.add(msg.body["_values"]["_name"])
        except (AssertionError, Exception):
            pass
        if names >= want:
            return names
    raise AssertionError("agents never all answered: %s" % want)


def test_one_console_sees_both_agents_and_their_domains(hosts, broker):
    console = BrokerConsole(broker)
    agents = {"virtbus.org:virtbusd:host-a", "virtbus.org:virtbusd:host-b"}
    assert wait_for_agents(console, agents) == agents
    for agent in sorted(agents):
        cid = console.send(console.direct, "_query_request", {"_what": "OBJECT", "_schema_id": {"_class_name": "Node"}},
                           agent)
        (reply,) = console.replies_for(cid)
        assert reply.properties["qmf.agent"] == agent
        assert reply.body[0]["_values"]["hostname"] == agent.split(":")[-1]
        # Node, domain test, network default, pool default-pool: RabbitMQ drops a top-level list
        # of two or more, so each comes alone, all but the last marked partial.
        cid = console.send(console.direct, "_query_request", {"_what": "OBJECT_ID"}, agent)
        parts = console.replies_for(cid)
        names = sorted(p.body[0]["_object_name"].split(":")[0] for p in parts)
        assert names == ["domain", "network", "node", "pool"] and all(len(p.body) == 1 for p in parts)
        assert all("partial" in p.properties for p in parts[:-1]) and "partial" not in parts[-1].properties
    console.close()


def subscribe(broker, pattern="#"):
    conn = BlockingConnection(broker.url, timeout=15)
    return conn, conn.create_receiver("/exchange/virtbus.events/" + pattern, credit=100)


def next_json(receiver, timeout=15, host=None):
    """The next virtbus domain event (of host, if given): the fixture's readiness probes pass
    through the exchange too, the durable queue also holds what earlier tests' hosts published,
    and each host's QEMU connection announces its default storage pool when it starts."""
    while True:
        msg = receiver.receive(timeout=timeout)
        receiver.accept()
        props = msg.properties or {}
        if "seq" in props and "domain" in props and host in (None, props.get("host")):
            break
    body = msg.body if isinstance(msg.body, str) else bytes(msg.body)
    try:
        return msg, json.loads(body)
    except ValueError:
        raise AssertionError("not JSON: %r (%r, %r)" % (msg.body, msg.subject, msg.properties))


def test_two_subscribers_get_every_event_from_both_hosts(hosts, broker):
    console = BrokerConsole(broker)
    wait_for_agents(console, {"virtbus.org:virtbusd:host-a", "virtbus.org:virtbusd:host-b"})
    console.close()
    subs = [subscribe(broker) for _ in range(2)]
    only_b = subscribe(broker, "host-b.#")
    hosts[0].domain().Suspend()
    hosts[1].domain().Suspend()
    hosts[0].domain().Resume()
    for conn, receiver in subs:
        got = [next_json(receiver)[1] for _ in range(3)]
        assert sorted((e["host"], e["event"]) for e in got) == [
            ("host-a", "resumed"), ("host-a", "suspended"), ("host-b", "suspended")]
        host_a = [e["seq"] for e in got if e["host"] == "host-a"]
        assert host_a == sorted(host_a)  # per host, in order
        conn.close()
    msg, event = next_json(only_b[1])
    assert (event["host"], event["event"]) == ("host-b", "suspended")
    assert msg.subject == "host-b.test.suspended"
    only_b[0].close()


def test_broker_restart_loses_no_event_produced_while_it_was_down(broker):
    host = Host("host-r", broker)
    try:
        drain = BlockingConnection(broker.url, timeout=15)
        queue = drain.create_receiver("/amq/queue/" + DURABLE_QUEUE, credit=100)
        host.domain().Suspend()
        host.domain().Resume()
        before = [next_json(queue, host="host-r")[1] for _ in range(2)]
        assert [e["event"] for e in before] == ["suspended", "resumed"]
        drain.close()
        broker.stop()
        dom = host.domain()
        for _ in range(5):
            dom.Suspend()
            dom.Resume()
        broker.start()
        drain = BlockingConnection(broker.url, timeout=15)
        queue = drain.create_receiver("/amq/queue/" + DURABLE_QUEUE, credit=100)
        after = [next_json(queue, timeout=60, host="host-r")[1] for _ in range(10)]
        assert [e["event"] for e in after] == ["suspended", "resumed"] * 5
        seqs = [e["seq"] for e in after]
        assert seqs == list(range(before[-1]["seq"] + 1, before[-1]["seq"] + 11))
        drain.close()
    finally:
        log = host.close()
    assert "connection lost; reconnecting" in log and "event(s) waiting to be sent" in log


def test_outbox_overflow_while_the_broker_is_away_is_counted_and_logged(tmp_path):
    """No broker at all (a closed port): events wait in the outbox, the oldest go first."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    workdir = str(tmp_path)
    bus = PrivateBus(workdir)
    config = tmp_path / "virtbusd.conf"
    config.write_text("amqp_event_buffer = 4\n")
    d = Daemon(bus, workdir, ["--amqp-listen", "none", "--config", str(config),
                              "--amqp-connect", "amqp://127.0.0.1:%d" % dead_port]).start()
    try:
        conn = dbus.bus.BusConnection(bus.address)
        dom = domain_iface(conn, TEST_DOMAIN_PATH)
        for _ in range(3):
            dom.Suspend()
            dom.Resume()
        conn.close()
        deadline = time.monotonic() + 5
        while "outbox full" not in d.log() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        status = d.stop()
        log = d.log()
        bus.stop()
    assert status == 0, log
    assert "outbox full (4): dropped the oldest event" in log
    assert "cannot connect" in log and "reconnecting" in log
    assert "4 event(s) never reached it" in log


def test_broker_validated_user_id_acts_as_that_principal(broker, tmp_path):
    """RabbitMQ refuses a user-id other than the sender's login, so virtbusd may trust it: the
    users file entry of that name (here the broker's guest, EXTERNAL-style, no password) acts."""
    import os
    import subprocess
    from conftest import BUILDDIR
    users = str(tmp_path / "users")
    subprocess.run([os.path.join(BUILDDIR, "virtbusctl"), "amqp-passwd", "--no-password", "--users-file", users,
                    broker.user, "root"], check=True, capture_output=True)
    host = Host("host-u", broker, ["--amqp-users", users])
    try:
        console = BrokerConsole(broker)
        agent = "virtbus.org:virtbusd:host-u"
        wait_for_agents(console, {agent})
        target = {"_object_id": {"_object_name": "domain:6695eb01-f6a4-8304-79aa-97f2502e193f"},
                  "_method_name": "suspend"}
        (refused,) = console.replies_for(console.send(console.direct, "_method_request", target, agent))
        assert refused.properties["qmf.opcode"] == "_exception"  # no user-id: anonymous, read-only
        assert "read-only" in refused.body["_values"]["error_text"]
        (done,) = console.replies_for(console.send(console.direct, "_method_request", target, agent,
                                                   user_id=broker.user.encode()))
        assert done.properties["qmf.opcode"] == "_method_response", done.body
        assert host.domain().GetState(0)[0] == 3  # paused
        console.close()
    finally:
        host.close()
