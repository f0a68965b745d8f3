"""One QMF agent per served connection (amqp_serve = all): a real python3-qpid-proton console
against a daemon serving test:///default and qemu:///session finds two agents, each listing its
own objects, running methods on its own connection (a real qemu guest) and publishing its own
connection's events; an unknown URI in amqp_serve stops the daemon with the reason."""
import os
import time
import uuid

import dbus
import pytest
from proton import Described, Timeout, symbol
from proton.reactor import Filter

from amqp_env import QmfConsole, QmfError, amqp_args, free_port, make_users_file, stop_daemon
from test_amqp_broker import BrokerConsole, Host, broker, wait_for_agents  # noqa: F401 (fixture)
from conftest import BUILDDIR, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, Daemon, domain_iface
from test_qemu_lifecycle import QEMU_PATH, guest_files, guest_xml, pytestmark  # noqa: F401 (fixture)

TEST_AGENT = "virtbus.org:virtbusd:host-m"  # the first connection keeps the single agent's name
QEMU_AGENT = "virtbus.org:virtbusd:host-m@qemu-session"


def base_uri(uri):
    """The URI without the query the deferred test pass adds (test:///default?delay_ms=10)."""
    return uri.split("?")[0]


def write_config(workdir, lines):
    path = os.path.join(workdir, "virtbusd-agents-%s.conf" % uuid.uuid4().hex[:8])
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


class Setup:
    def __init__(self, private_bus, workdir, guest_files):
        kernel, initramfs = guest_files
        self.port = free_port()
        self.url = "amqp://127.0.0.1:%d" % self.port
        users = make_users_file(workdir, BUILDDIR, [("admin", "root", "admin-secret")])
        config = write_config(workdir, ["amqp_serve = all", "amqp_heartbeat_seconds = 1"])
        self.daemon = Daemon(private_bus, workdir, amqp_args(self.port, "--hostname", "host-m", "--amqp-users", users,
                                                              "--config", config)).start()
        self.bus = dbus.bus.BusConnection(private_bus.address)
        qemu = dbus.Interface(self.bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        path = qemu.DomainDefineXML(guest_xml("watched", kernel, initramfs, os.path.join(workdir, "w.log")))
        self.guest = domain_iface(self.bus, path)
        self.guest_uuid = str(self.guest.GetXMLDesc(0)).split("<uuid>")[1].split("</uuid>")[0]
        self.test_domain = domain_iface(self.bus, TEST_DOMAIN_PATH)
        self.consoles = []

    def console(self, agent):
        c = QmfConsole(self.url, user="admin", password="admin-secret", agent=agent)
        self.consoles.append(c)
        return c

    def close(self):
        for c in self.consoles:
            c.close()
        if tuple(self.guest.GetState(0))[0] != 5:
            self.guest.Destroy(0)
        self.bus.close()
        stop_daemon(self.daemon)


@pytest.fixture
def setup(private_bus, workdir, guest_files):
    s = Setup(private_bus, workdir, guest_files)
    yield s
    s.close()


def locate_all(console, predicate=(), want=2, timeout=5):
    """Every agent answering one locate request (each answers in a message of its own)."""
    cid = console.send("_agent_locate_request", list(predicate), topic=True, subject="console.request.agent_locate")
    answers = {}
    deadline = time.monotonic() + timeout
    while len(answers) < want and time.monotonic() < deadline:
        try:
            msg = console.receive(timeout=max(0.1, deadline - time.monotonic()))
        except Timeout:
            break  # no other agent answers
        assert msg.correlation_id == cid, (msg.correlation_id, cid)
        assert msg.properties["qmf.opcode"] == "_agent_locate_response"
        assert msg.properties["qmf.agent"] == msg.body["_values"]["_name"]
        answers[msg.body["_values"]["_name"]] = msg.body["_values"]
    return answers


def topic_receiver(console, binding, credit=None):
    options = Filter({symbol("subject-filter"): Described(symbol("apache.org:legacy-amqp-topic-binding:string"),
                                                          binding)})
    return console.conn.create_receiver("qmf.default.topic", name="topic " + binding, options=options, credit=credit)


def test_two_agents_are_located_each_naming_its_connection(setup):
    console = setup.console(None)
    agents = locate_all(console)
    assert set(agents) == {TEST_AGENT, QEMU_AGENT}, agents
    assert (base_uri(agents[TEST_AGENT]["uri"]), agents[TEST_AGENT]["_instance"]) == ("test:///default", "host-m")
    assert (agents[QEMU_AGENT]["uri"], agents[QEMU_AGENT]["_instance"]) == ("qemu:///session", "host-m@qemu-session")
    assert {a["hostname"] for a in agents.values()} == {"host-m"}
    # A locate predicate picks one agent by its connection; the other stays silent.
    only = locate_all(console, ["eq", "uri", ["quote", "qemu:///session"]], want=2, timeout=2)
    assert set(only) == {QEMU_AGENT}, only


def test_each_agent_lists_its_own_node_and_domains(setup):
    for agent, uri, driver, names in ((TEST_AGENT, "test:///default", "test", {"test"}),
                                      (QEMU_AGENT, "qemu:///session", "qemu", {"watched"})):
        console = setup.console(agent)
        (node,) = console.query("OBJECT", "Node")
        assert (base_uri(node["_values"]["uri"]), node["_values"]["hypervisorType"]) == (uri, driver), node["_values"]
        assert node["_object_id"] == {"_object_name": "node", "_agent_name": agent}
        domains = console.domains()
        assert set(domains) == names, (agent, set(domains))
        for d in domains.values():
            assert d["_object_id"]["_agent_name"] == agent
            assert d["_values"]["node"] == {"_object_name": "node", "_agent_name": agent}
    # A request without a subject goes to the first agent, as it did with one agent.
    assert set(setup.console("").domains()) == {"test"}


def test_a_request_to_an_agent_not_here_names_the_agents(setup):
    console = setup.console(TEST_AGENT + "@qemu-system")
    msg = console.request("_query_request", {"_what": "OBJECT"})
    assert msg.properties["qmf.opcode"] == "_exception"
    assert msg.body["_values"]["error_text"] == "no agent named '%s@qemu-system' here (agents here: %s, %s)" % (
        TEST_AGENT, TEST_AGENT, QEMU_AGENT)


def test_methods_run_on_the_connection_of_the_agent_addressed(setup):
    test_console, qemu_console = setup.console(TEST_AGENT), setup.console(QEMU_AGENT)
    guest_object = "domain:" + setup.guest_uuid
    # The test driver's domain is not the QEMU agent's to act on, nor the guest the test agent's.
    with pytest.raises(QmfError) as denied:
        qemu_console.method("domain:" + TEST_DOMAIN_UUID, "suspend")
    assert denied.value.values["error_code"] == 42, denied.value.values
    with pytest.raises(QmfError) as denied:
        test_console.method(guest_object, "create")
    assert denied.value.values["error_code"] == 42, denied.value.values
    qemu_console.method(guest_object, "create")  # a real qemu, started through the QEMU agent
    assert tuple(setup.guest.GetState(0))[0] == 1
    assert tuple(setup.test_domain.GetState(0))[0] == 1
    test_console.method("domain:" + TEST_DOMAIN_UUID, "suspend")
    assert tuple(setup.test_domain.GetState(0))[0] == 3
    assert tuple(setup.guest.GetState(0))[0] == 1  # the guest runs on
    (guest,) = qemu_console.query("OBJECT", object_name=guest_object)
    assert guest["_values"]["state"] == "running"
    qemu_console.method(guest_object, "destroy")
    assert tuple(setup.guest.GetState(0))[0] == 5
    test_console.method("domain:" + TEST_DOMAIN_UUID, "resume")


def test_events_and_heartbeats_come_under_the_agent_of_their_connection(setup):
    console = setup.console(None)
    events = topic_receiver(console, "agent.ind.event.#")
    beats = topic_receiver(console, "agent.ind.heartbeat.#")  # one message of credit at a time
    setup.test_domain.Suspend()
    setup.guest.Create(0)
    setup.test_domain.Resume()
    setup.guest.Destroy(0)
    seen = []  # (agent, domain, event, seq) of every lifecycle event, in arrival order
    wanted = {("test", "suspended"), ("test", "resumed"), ("watched", "started"), ("watched", "stopped")}
    while not wanted <= {(s[1], s[2]) for s in seen}:
        msg = events.receive(timeout=20)
        events.accept()
        (indication,) = msg.body
        values = indication["_values"]
        if indication["_schema_id"]["_class_name"] == "domainLifecycle":
            seen.append((msg.properties["qmf.agent"], values["name"], values["event"], values["seq"]))
    assert {s[0] for s in seen if s[1] == "test"} == {TEST_AGENT}, seen
    assert {s[0] for s in seen if s[1] == "watched"} == {QEMU_AGENT}, seen
    # One sequence per host: the two agents' events are numbered in one increasing stream.
    seqs = [s[3] for s in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seen
    names = set()
    deadline = time.monotonic() + 10
    while names != {TEST_AGENT, QEMU_AGENT} and time.monotonic() < deadline:
        msg = beats.receive(timeout=5)
        beats.accept()
        assert msg.properties["qmf.opcode"] == "_agent_heartbeat_indication"
        assert msg.properties["qmf.agent"] == msg.body["_values"]["_name"]
        names.add(msg.body["_values"]["_name"])
    assert names == {TEST_AGENT, QEMU_AGENT}


@pytest.mark.parametrize("serve, reason", [
    ("qemu:///session, qemu:///system", "no connection serves 'qemu:///system' (--amqp-serve)"),
    ("qemu:///session, qemu:///session", "'qemu:///session' is named twice (--amqp-serve)"),
    ("all, qemu:///session", "'all' serves every connection: name no URI beside it"),
    ("none", "amqp_serve names connection URIs or 'all', not 'none'"),
])
def test_a_bad_amqp_serve_list_stops_the_daemon_with_the_reason(private_bus, workdir, serve, reason):
    config = write_config(workdir, ["amqp_serve = " + serve])
    d = Daemon(private_bus, workdir, amqp_args(free_port(), "--config", config))
    d.start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    d.stderr.close()
    assert reason in d.log(), d.log()


def test_a_host_name_with_the_agent_separator_stops_the_daemon(private_bus, workdir):
    d = Daemon(private_bus, workdir, amqp_args(free_port(), "--hostname", "host-m@qemu-session", "--amqp-serve", "all"))
    d.start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    d.stderr.close()
    assert "host name 'host-m@qemu-session' is not usable in agent names" in d.log(), d.log()


def test_without_amqp_serve_one_agent_serves_the_first_connection(private_bus, workdir):
    port = free_port()
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-m")).start()
    try:
        console = QmfConsole("amqp://127.0.0.1:%d" % port)
        agents = locate_all(console, want=2, timeout=2)
        assert list(agents) == [TEST_AGENT], agents
        assert base_uri(agents[TEST_AGENT]["uri"]) == "test:///default"
        console.close()
    finally:
        stop_daemon(d)



def test_every_agent_of_every_host_is_distinct_on_one_broker(broker):
    """Two hosts serving both connections through one RabbitMQ: four agents, each name carrying
    its host (and its connection), each answering for its own host and connection."""
    hosts = []
    console = None
    try:
        hosts = [Host(name, broker, extra=("--amqp-serve", "all")) for name in ("host-a", "host-b")]
        console = BrokerConsole(broker)
        want = {"virtbus.org:virtbusd:host-a", "virtbus.org:virtbusd:host-a@qemu-session",
                "virtbus.org:virtbusd:host-b", "virtbus.org:virtbusd:host-b@qemu-session"}
        assert wait_for_agents(console, want) == want
        for agent in sorted(want):
            cid = console.send(console.direct, "_query_request",
                               {"_what": "OBJECT", "_schema_id": {"_class_name": "Node"}}, agent)
            (reply,) = console.replies_for(cid)
            assert reply.properties["qmf.agent"] == agent
            values = reply.body[0]["_values"]
            host, _, connection = agent.split(":")[-1].partition("@")
            assert values["hostname"] == host
            assert base_uri(values["uri"]) == ("qemu:///session" if connection else "test:///default"), (agent, values)
    finally:
        if console:
            console.close()
        for h in hosts:
            h.close()
