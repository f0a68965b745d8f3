"""The QMFv2 agent on virtbusd's own AMQP listener: locate, schema, objects, methods, as a
python3-qpid-proton console sees them."""
import os

import dbus
import pytest

from amqp_env import QmfConsole, QmfError, amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, DELAY_MS, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, Daemon, connect_iface, domain_iface

DOMAIN_XML = """<domain type='test'><name>{name}</name><memory>65536</memory><vcpu>1</vcpu>
<os><type>hvm</type></os></domain>"""


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def users_file(workdir):
    # The session daemon runs as root: "admin" acts as root; "other" as nobody (not the owner).
    return make_users_file(workdir, BUILDDIR, [("admin", "root", "admin-secret"),
                                               ("other", "nobody", "other-secret")])


@pytest.fixture
def amqp_daemon(private_bus, workdir, port, users_file):
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-a", "--amqp-users", users_file)).start()
    yield d
    stop_daemon(d)


@pytest.fixture
def bus(amqp_daemon):
    conn = dbus.bus.BusConnection(amqp_daemon.bus.address)
    yield conn
    conn.close()


@pytest.fixture
def url(amqp_daemon, port):
    return "amqp://127.0.0.1:%d" % port


@pytest.fixture
def console(url):
    c = QmfConsole(url)
    c.locate()
    yield c
    c.close()


@pytest.fixture
def admin(url):
    c = QmfConsole(url, user="admin", password="admin-secret")
    c.locate()
    yield c
    c.close()


def test_locate_names_the_agent_after_the_host(console):
    values = console.locate()
    assert values["_name"] == "virtbus.org:virtbusd:host-a"
    assert (values["_vendor"], values["_product"], values["_instance"]) == ("virtbus.org", "virtbusd", "host-a")
    assert values["_heartbeat_interval"] > 0 and values["_epoch"] > 0


def test_locate_predicate_selects_agents(console):
    values = console.locate(["eq", "_instance", ["quote", "host-a"]])
    assert values["_instance"] == "host-a"
    console.send("_agent_locate_request", ["eq", "_instance", ["quote", "host-b"]], topic=True,
                 subject="console.request.agent_locate")
    with pytest.raises(Exception):
        console.receive(timeout=1)  # an agent that does not match stays silent


def test_schema_ids_and_schemas(console):
    ids = console.query("SCHEMA_ID")
    assert sorted(i["_class_name"] for i in ids) == ["Domain", "Network", "Node", "Pool", "Volume", "domainEvent",
                                                     "domainLifecycle", "networkLifecycle", "nodeDeviceLifecycle",
                                                     "poolLifecycle"]
    assert all(i["_package_name"] == "org.libvirt" for i in ids)
    (domain,) = console.query("SCHEMA", "Domain")
    assert {"create", "destroy", "suspend", "resume", "getXMLDesc", "setMemory"} <= set(domain["_methods"])
    assert domain["_methods"]["getXMLDesc"]["_arguments"]["description"]["_dir"] == "O"
    assert "numVcpus" in domain["_properties"]
    (event,) = console.query("SCHEMA", "domainLifecycle")
    assert event["_schema_id"]["_type"] == "_event"
    assert {"uuid", "name", "event", "detail", "seq", "host", "timestamp"} <= set(event["_properties"])


def test_objects_node_and_domain(console):
    (node,) = console.query("OBJECT", "Node")
    assert node["_object_id"] == {"_object_name": "node", "_agent_name": "virtbus.org:virtbusd:host-a"}
    assert node["_values"]["hostname"] == "host-a" and node["_values"]["uri"].startswith("test:///default")
    assert node["_values"]["cpus"] == 16 and node["_values"]["hypervisorType"] == "test"
    domains = console.domains()
    test = domains["test"]
    assert test["_object_id"]["_object_name"] == "domain:" + TEST_DOMAIN_UUID
    assert test["_values"]["uuid"] == TEST_DOMAIN_UUID
    assert test["_values"]["state"] == "running" and test["_values"]["active"] is True
    assert test["_values"]["node"]["_object_name"] == "node"
    ids = console.query("OBJECT_ID")
    assert {"_object_name": "node", "_agent_name": console.agent} in ids


def test_where_predicates_and_object_ids(console):
    assert list(console.domains(["eq", "name", ["quote", "test"]])) == ["test"]
    assert console.domains(["eq", "name", ["quote", "nope"]]) == {}
    assert list(console.domains(["and", ["gt", "numVcpus", 0], ["re_match", "name", ["quote", "^te"]]])) == ["test"]
    assert list(console.domains(["not", ["exists", "nothing"]])) == ["test"]
    objs = console.query("OBJECT", object_name="domain:" + TEST_DOMAIN_UUID)
    assert [o["_values"]["name"] for o in objs] == ["test"]
    with pytest.raises(QmfError, match="unknown predicate operator"):
        console.query("OBJECT", "Domain", where=["like", "name", "x"])
    with pytest.raises(QmfError, match="back-references"):
        console.query("OBJECT", "Domain", where=["re_match", "name", ["quote", "(a)\\1"]])


def test_object_id_query_answers_just_that_object(console):
    (obj,) = console.query("OBJECT", object_name="domain:" + TEST_DOMAIN_UUID)
    listed = console.domains()["test"]
    del obj["_update_ts"], listed["_update_ts"]  # the time of the answer
    assert obj == listed
    (oid,) = console.query("OBJECT_ID", object_name="domain:" + TEST_DOMAIN_UUID)
    assert oid == obj["_object_id"]
    assert console.query("OBJECT", object_name="domain:00000000-0000-0000-0000-000000000001") == []
    assert console.query("OBJECT", object_name="domain:not-a-uuid") == []
    assert console.query("OBJECT", object_name="nothing") == []


@pytest.mark.skipif(DELAY_MS > 0, reason="3,000 domains in deferred mode take 12 minutes: the deferred "
                    "query path is covered by the small queries; this test is about size")
def test_large_query_answer_comes_in_partial_parts(console, bus):
    # One pn_data holds at most 65535 values (about 1200 Domain objects): the answer must be split.
    connect = connect_iface(bus)
    names = {"big%04d" % i for i in range(3000)}
    for name in names:
        connect.DomainDefineXML(DOMAIN_XML.format(name=name))
    parts = console.query_parts({"_what": "OBJECT", "_schema_id": {"_class_name": "Domain"}})
    assert len(parts) > 1
    assert all("partial" in p.properties for p in parts[:-1]) and "partial" not in parts[-1].properties
    got = [o["_values"]["name"] for p in parts for o in p.body]
    assert sorted(got) == sorted(names | {"test"})  # each exactly once
    ids = console.query("OBJECT_ID", "Domain")
    assert len(ids) == len(names) + 1


def test_anonymous_is_read_only_and_told_the_action(console):
    assert "<name>test</name>" in console.method("domain:" + TEST_DOMAIN_UUID, "getXMLDesc")["description"]
    with pytest.raises(QmfError) as denied:
        console.method("domain:" + TEST_DOMAIN_UUID, "suspend")
    assert denied.value.values["action"] == "org.libvirt.api.domain.suspend"
    assert denied.value.values["error_code"] == 88  # VIR_ERR_ACCESS_DENIED


def test_admin_runs_every_lifecycle_method(admin, bus):
    out = admin.method("node", "domainDefineXML", {"xmlDesc": DOMAIN_XML.format(name="qmf1")})
    name = out["domain"]["_object_name"]
    assert name.startswith("domain:") and out["domain"]["_agent_name"] == admin.agent

    def state():
        return admin.query("OBJECT", object_name=name)[0]["_values"]["state"]

    assert state() == "shutoff"
    admin.method(name, "create")
    assert state() == "running"
    admin.method(name, "suspend")
    assert state() == "paused"
    admin.method(name, "resume")
    admin.method(name, "setMemory", {"memory": 32768})
    assert admin.query("OBJECT", object_name=name)[0]["_values"]["memory"] == 32768
    admin.method(name, "setVcpus", {"nvcpus": 1, "flags": 0})
    admin.method(name, "reboot")
    admin.method(name, "reset")
    admin.method(name, "attachDevice", {"xmlDesc": "<disk type='file' device='disk'><source file='/tmp/x.img'/>"
                                                   "<target dev='vdb' bus='virtio'/></disk>"})
    assert "vdb" in admin.method(name, "getXMLDesc")["description"]
    admin.method(name, "detachDevice", {"xmlDesc": "<disk type='file' device='disk'><source file='/tmp/x.img'/>"
                                                   "<target dev='vdb' bus='virtio'/></disk>"})
    admin.method(name, "shutdown")
    assert state() == "shutoff"
    admin.method(name, "create")
    admin.method(name, "managedSave")
    assert state() == "shutoff"
    admin.method(name, "create")
    admin.method(name, "destroy")
    admin.method(name, "undefine", {"flags": 1})  # VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
    assert admin.query("OBJECT", object_name=name) == []
    # The same core: D-Bus sees what AMQP did.
    out = admin.method("node", "domainCreateXML", {"xmlDesc": DOMAIN_XML.format(name="qmf2")})
    path = bus.get_object("org.libvirt", "/org/libvirt/Test").DomainLookupByName(
        "qmf2", dbus_interface="org.libvirt.Connect")
    assert dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Properties").Get(
        "org.libvirt.Domain", "Active")
    admin.method(out["domain"]["_object_name"], "destroy")


def test_save_writes_the_image(admin, workdir):
    image = os.path.join(workdir, "test.save")
    admin.method("domain:" + TEST_DOMAIN_UUID, "save", {"filename": image})
    assert os.path.exists(image)
    assert admin.query("OBJECT", object_name="domain:" + TEST_DOMAIN_UUID)[0]["_values"]["state"] == "shutoff"


def test_core_errors_are_exceptions_with_libvirt_codes(admin):
    with pytest.raises(QmfError) as e:
        admin.method("domain:" + TEST_DOMAIN_UUID, "create")
    assert e.value.values["error_code"] == 55  # VIR_ERR_OPERATION_INVALID: already running
    with pytest.raises(QmfError) as e:
        admin.method("domain:11111111-2222-3333-4444-555555555555", "destroy")
    assert e.value.values["error_code"] == 42  # VIR_ERR_NO_DOMAIN
    with pytest.raises(QmfError) as e:
        admin.method("node", "domainDefineXML", {"xmlDesc": "<domain"})
    assert e.value.values["error_code"] == 35  # VIR_ERR_XML_DETAIL, as libvirt reports malformed XML


def test_bad_requests_get_exceptions_naming_the_problem(admin):
    cases = [
        ({"_object_id": {"_object_name": "node"}, "_method_name": "domainDefineXML"}, "needs argument 'xmlDesc'"),
        ({"_object_id": {"_object_name": "node"}, "_method_name": "domainDefineXML",
          "_arguments": {"xmlDesc": 5}}, "must be a string"),
        ({"_object_id": {"_object_name": "node"}, "_method_name": "domainDefineXML",
          "_arguments": {"xmlDesc": "<x/>", "bogus": 1}}, "no input argument 'bogus'"),
        ({"_object_id": {"_object_name": "domain:" + TEST_DOMAIN_UUID}, "_method_name": "setVcpus",
          "_arguments": {"nvcpus": -1}}, "unsigned"),
        ({"_object_id": {"_object_name": "node"}, "_method_name": "explode"}, "no method 'explode'"),
        ({"_object_id": {"_object_name": "gadget:1"}, "_method_name": "create"}, "no object named 'gadget:1'"),
        ({"_method_name": "create"}, "needs _object_id"),
        ([1, 2, 3], "body must be a map"),
    ]
    for body, text in cases:
        msg = admin.request("_method_request", body)
        assert msg.properties["qmf.opcode"] == "_exception", body
        assert text in msg.body["_values"]["error_text"], (body, msg.body)
    msg = admin.request("_nonsense_request", {})
    assert "unsupported qmf.opcode '_nonsense_request'" in msg.body["_values"]["error_text"]
    msg = admin.request("_query_request", {"_what": "EVERYTHING"})
    assert "_what must be" in msg.body["_values"]["error_text"]
    msg = admin.request("_query_request", {"_what": "OBJECT"}, subject="virtbus.org:virtbusd:elsewhere")
    assert "no agent named" in msg.body["_values"]["error_text"]


def test_principal_of_another_user_is_refused_on_a_session_daemon(url):
    other = QmfConsole(url, user="other", password="other-secret")
    try:
        other.locate()
        with pytest.raises(QmfError, match="not this session daemon's user"):
            other.method("domain:" + TEST_DOMAIN_UUID, "suspend")
    finally:
        other.close()


def test_wrong_password_is_refused_at_sasl(url):
    from proton import ConnectionException
    with pytest.raises(ConnectionException):
        QmfConsole(url, user="admin", password="wrong")


def test_object_names_survive_a_restart(private_bus, workdir):
    """Object names come from what the domain is (its UUID), not from the run."""
    names = []
    for _ in range(2):
        port = free_port()
        d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-a")).start()
        try:
            console = QmfConsole("amqp://127.0.0.1:%d" % port)
            console.locate()
            names.append(console.domains()["test"]["_object_id"])
            console.close()
        finally:
            assert d.stop() == 0
    assert names[0] == names[1] == {"_object_name": "domain:" + TEST_DOMAIN_UUID,
                                    "_agent_name": "virtbus.org:virtbusd:host-a"}


def test_dbus_still_works_beside_amqp(console, bus):
    assert domain_iface(bus, TEST_DOMAIN_PATH).GetXMLDesc(0).startswith("<domain")
