"""Events on AMQP: JSON on virtbus.events (live, replay from a sequence number, gaps), QMF
_data_indication and heartbeats on qmf.default.topic, from calls made on D-Bus and on AMQP."""
import json
import os
import time

import dbus
import pytest
from proton import Message  # noqa: F401
from proton.reactor import AtMostOnce
from proton.utils import BlockingConnection

from amqp_env import EventSubscriber, QmfConsole, amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, Daemon, domain_iface


def start_daemon(private_bus, workdir, port, config_lines=(), extra=()):
    args = amqp_args(port, "--hostname", "host-a", *extra)
    if config_lines:
        path = os.path.join(workdir, "virtbusd-%d.conf" % port)
        with open(path, "w") as f:
            f.write("\n".join(config_lines) + "\n")
        args += ["--config", path]
    return Daemon(private_bus, workdir, args).start()


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def amqp_daemon(private_bus, workdir, port):
    d = start_daemon(private_bus, workdir, port, ["amqp_heartbeat_seconds = 1", "event_replay = 64"])
    yield d
    stop_daemon(d)


@pytest.fixture
def url(amqp_daemon, port):
    return "amqp://127.0.0.1:%d" % port


@pytest.fixture
def dom(amqp_daemon):
    conn = dbus.bus.BusConnection(amqp_daemon.bus.address)
    yield domain_iface(conn, TEST_DOMAIN_PATH)
    conn.close()


def cycle(dom, times=1):
    for _ in range(times):
        dom.Suspend()
        dom.Resume()


def test_dbus_call_produces_a_json_event(url, dom):
    sub = EventSubscriber(url)
    dom.Suspend()
    msg, event = sub.next()
    assert event["event"] == "suspended" and event["detail"] == "paused"
    assert event["domain"] == {"name": "test", "uuid": TEST_DOMAIN_UUID}
    assert event["host"] == "host-a" and event["uri"].startswith("test:///default")
    assert isinstance(event["seq"], int) and event["timestamp"].endswith("Z")
    assert msg.properties["seq"] == event["seq"]
    assert msg.properties["event"] == "suspended" and msg.properties["domain"] == "test"
    assert msg.subject == "host-a.test.suspended"
    assert msg.content_type == "application/json"
    dom.Resume()
    event = sub.next_event()
    assert (event["event"], event["detail"]) == ("resumed", "unpaused")
    sub.close()


def test_at_most_once_subscriber_gets_presettled_events(url, dom):
    """A receiver attaching with snd-settle-mode settled gets deliveries already settled (no
    disposition per message); a default receiver's are unsettled until it accepts them."""
    conn = BlockingConnection(url, timeout=10)
    settled = conn.create_receiver("virtbus.events", credit=10, name="settled", options=AtMostOnce())
    unsettled = conn.create_receiver("virtbus.events", credit=10, name="unsettled")
    cycle(dom, 2)
    for _ in range(4):
        assert json.loads(bytes(settled.receive(timeout=10).body))["domain"]["name"] == "test"
        unsettled.receive(timeout=10)
    assert len(settled.fetcher.unsettled) == 0
    assert len(unsettled.fetcher.unsettled) == 4
    unsettled.accept()
    conn.close()


def test_every_subscriber_gets_every_event(url, dom):
    subs = [EventSubscriber(url) for _ in range(3)]
    dom.Destroy(0)
    for sub in subs:
        event = sub.next_event()
        assert (event["event"], event["detail"]) == ("stopped", "destroyed")
        sub.close()


def test_events_from_qmf_methods_reach_qmf_topic_subscribers(private_bus, workdir):
    port = free_port()
    users = make_users_file(workdir, BUILDDIR, [("admin", "root", "pw")])
    d = start_daemon(private_bus, workdir, port, extra=["--amqp-users", users])
    try:
        url = "amqp://127.0.0.1:%d" % port
        admin = QmfConsole(url, user="admin", password="pw")
        admin.locate()
        topic = admin.conn.create_receiver("qmf.default.topic", options=None)
        json_sub = EventSubscriber(url)
        admin.method("domain:" + TEST_DOMAIN_UUID, "suspend")
        msg = topic.receive(timeout=10)
        topic.accept()
        assert msg.properties["qmf.opcode"] == "_data_indication"
        assert msg.properties["qmf.content"] == "_event"
        assert msg.properties["qmf.agent"] == "virtbus.org:virtbusd:host-a"
        assert msg.subject == "agent.ind.event.org_libvirt.domainLifecycle.info.virtbus_org.virtbusd"
        (indication,) = msg.body
        assert indication["_schema_id"]["_class_name"] == "domainLifecycle"
        values = indication["_values"]
        assert (values["name"], values["event"], values["detail"]) == ("test", "suspended", "paused")
        assert values["host"] == "host-a" and indication["_severity"] == 6
        assert json_sub.next_event()["seq"] == values["seq"]
        json_sub.close()
        admin.close()
    finally:
        stop_daemon(d)


def test_topic_binding_filters_and_heartbeats_arrive(url, dom):
    conn = BlockingConnection(url, timeout=10)
    from proton.reactor import Filter
    from proton import Described, symbol
    binding = Filter({symbol("subject-filter"): Described(symbol("apache.org:legacy-amqp-topic-binding:string"),
                                                          "agent.ind.heartbeat.#")})
    beats = conn.create_receiver("qmf.default.topic", options=binding)
    dom.Suspend()  # an event: not for this binding
    msg = beats.receive(timeout=5)  # the interval is 1 s here
    beats.accept()
    assert msg.properties["qmf.opcode"] == "_agent_heartbeat_indication"
    assert msg.subject == "agent.ind.heartbeat.virtbus_org.virtbusd"
    assert msg.body["_values"]["_name"] == "virtbus.org:virtbusd:host-a"
    dom.Resume()
    conn.close()


def test_replay_from_a_sequence_number_has_no_gap_and_no_duplicate(url, dom):
    live = EventSubscriber(url)
    cycle(dom, 3)
    seqs = [live.next_event()["seq"] for _ in range(6)]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    replay = EventSubscriber(url, "virtbus.events?from=%d" % seqs[2])
    got = [replay.next() for _ in range(4)]
    assert [e["seq"] for _, e in got] == seqs[2:]
    assert all("virtbus.gap" not in m.properties for m, _ in got)
    dom.Suspend()  # and then live, continuing the same numbering
    assert replay.next_event()["seq"] == seqs[-1] + 1
    assert live.next_event()["seq"] == seqs[-1] + 1
    dom.Resume()
    replay.close()
    live.close()


def test_replay_older_than_the_window_announces_the_gap(private_bus, workdir):
    port = free_port()
    d = start_daemon(private_bus, workdir, port, ["event_replay = 2"])
    try:
        conn = dbus.bus.BusConnection(private_bus.address)
        dom = domain_iface(conn, TEST_DOMAIN_PATH)
        url = "amqp://127.0.0.1:%d" % port
        live = EventSubscriber(url)
        cycle(dom, 2)
        seqs = [live.next_event()["seq"] for _ in range(4)]
        sub = EventSubscriber(url, "virtbus.events?from=%d" % seqs[0])
        msg, event = sub.next()
        assert msg.properties["virtbus.gap"] == seqs[2]  # the oldest retained
        assert event["seq"] == seqs[2]
        assert sub.next_event()["seq"] == seqs[3]
        sub.close()
        live.close()
        conn.close()
    finally:
        stop_daemon(d)


def test_sequence_numbers_continue_across_restarts(private_bus, workdir):
    last = []
    for _ in range(2):
        port = free_port()
        d = start_daemon(private_bus, workdir, port)
        try:
            conn = dbus.bus.BusConnection(private_bus.address)
            sub = EventSubscriber("amqp://127.0.0.1:%d" % port)
            cycle(domain_iface(conn, TEST_DOMAIN_PATH))
            last.append([sub.next_event()["seq"] for _ in range(2)])
            sub.close()
            conn.close()
        finally:
            stop_daemon(d)
    assert last[1][0] > last[0][1], last


def test_malformed_events_address_is_refused(url):
    conn = BlockingConnection(url, timeout=10)
    from proton.utils import LinkDetached
    with pytest.raises(LinkDetached, match="malformed events address"):
        conn.create_receiver("virtbus.events?from=banana")
    conn.close()


def test_consumer_that_stops_taking_is_detached_and_others_continue(private_bus, workdir):
    port = free_port()
    d = start_daemon(private_bus, workdir, port, ["event_replay = 4"])
    try:
        url = "amqp://127.0.0.1:%d" % port
        conn = dbus.bus.BusConnection(private_bus.address)
        dom = domain_iface(conn, TEST_DOMAIN_PATH)
        slow = BlockingConnection(url, timeout=10)
        stuck = slow.create_receiver("virtbus.events", credit=1)
        good = EventSubscriber(url)
        cycle(dom, 5)
        seqs = [good.next_event()["seq"] for _ in range(10)]
        assert seqs == list(range(seqs[0], seqs[0] + 10))
        from proton.utils import LinkDetached
        with pytest.raises(LinkDetached, match="amqp:resource-limit-exceeded.*slow consumer"):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                slow.container.process()
        assert stuck.link.remote_condition.name == "amqp:resource-limit-exceeded"
        slow.close()
        good.close()
        conn.close()
    finally:
        stop_daemon(d)
