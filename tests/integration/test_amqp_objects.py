"""Storage pools, volumes and networks on the AMQP front end: QMF classes Pool, Volume and
Network (objects, methods, errors), and their events as QMF indications and JSON on the same
stream as domain events, with the same sequence numbers."""
import pytest

from amqp_env import EventSubscriber, QmfConsole, QmfError, amqp_args, free_port, make_users_file, stop_daemon
from conftest import BUILDDIR, Daemon

POOL_UUID = "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"
NET_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"
VOL_XML = "<volume><name>a.img</name><capacity unit='G'>1</capacity></volume>"


@pytest.fixture
def url(private_bus, workdir):
    port = free_port()
    users = make_users_file(workdir, BUILDDIR, [("admin", "root", "pw")])
    d = Daemon(private_bus, workdir, amqp_args(port, "--hostname", "host-a", "--amqp-users", users)).start()
    yield "amqp://127.0.0.1:%d" % port
    stop_daemon(d)


@pytest.fixture
def admin(url):
    c = QmfConsole(url, user="admin", password="pw")
    c.locate()
    yield c
    c.close()


def test_pool_volume_and_network_objects(admin):
    (pool,) = admin.query("OBJECT", "Pool")
    assert pool["_object_id"]["_object_name"] == "pool:" + POOL_UUID
    values = pool["_values"]
    assert (values["name"], values["state"], values["active"], values["capacity"]) == \
        ("default-pool", "running", True, 107374182400)
    (net,) = admin.query("OBJECT", "Network")
    assert net["_object_id"]["_object_name"] == "network:" + NET_UUID
    assert net["_values"]["name"] == "default" and net["_values"]["persistent"] is True
    assert admin.query("OBJECT", "Volume") == []
    (schema,) = admin.query("SCHEMA", "Pool")
    assert {"create", "destroy", "refresh", "createVolumeXML"} <= set(schema["_methods"])


def test_pool_methods_and_volume_lifecycle(admin):
    out = admin.method("pool:" + POOL_UUID, "createVolumeXML", {"xmlDesc": VOL_XML})
    volume = out["volume"]["_object_name"]
    assert volume == "volume:/default-pool/a.img"
    (vol,) = admin.query("OBJECT", "Volume")
    assert vol["_values"]["capacity"] == 1 << 30 and vol["_values"]["pool"]["_object_name"] == "pool:" + POOL_UUID
    assert "<name>a.img</name>" in admin.method(volume, "getXMLDesc")["description"]
    admin.method(volume, "delete")
    assert admin.query("OBJECT", "Volume") == []
    admin.method("pool:" + POOL_UUID, "refresh")
    admin.method("pool:" + POOL_UUID, "destroy")
    with pytest.raises(QmfError) as e:
        admin.method("pool:" + POOL_UUID, "destroy")
    assert e.value.values["error_code"] == 55
    assert "storage pool 'default-pool' is not active" in e.value.values["error_text"]
    admin.method("pool:" + POOL_UUID, "create")


def test_bad_volume_and_unknown_objects_are_exceptions(admin):
    with pytest.raises(QmfError) as e:
        admin.method("pool:" + POOL_UUID, "createVolumeXML", {"xmlDesc": VOL_XML.replace("1<", "500<")})
    assert "Not enough free space in pool for volume 'a.img'" in e.value.values["error_text"]
    with pytest.raises(QmfError) as e:
        admin.method("volume:/nope", "delete")
    assert e.value.values["error_code"] == 50
    with pytest.raises(QmfError) as e:
        admin.method("network:00000000-0000-0000-0000-000000000001", "create")
    assert e.value.values["error_code"] == 43


def test_network_and_pool_events_share_the_domain_stream(admin, url):
    sub = EventSubscriber(url)
    topic = admin.conn.create_receiver("qmf.default.topic", options=None)
    admin.method("network:" + NET_UUID, "destroy")
    admin.method("domain:6695eb01-f6a4-8304-79aa-97f2502e193f", "suspend")
    admin.method("pool:" + POOL_UUID, "refresh")
    events = [sub.next_event() for _ in range(3)]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[1]["seq"] == events[0]["seq"] + 1 and events[2]["seq"] == events[1]["seq"] + 1
    net, dom, pool = events
    assert (net["object"], net["network"], net["event"]) == \
        ("network", {"name": "default", "uuid": NET_UUID}, "stopped")
    assert "object" not in dom and dom["domain"]["name"] == "test"
    assert (pool["object"], pool["event"]) == ("storage-pool", "refreshed")
    classes = []
    while len(classes) < 3:
        msg = topic.receive(timeout=10)
        topic.accept()
        if msg.properties.get("qmf.content") == "_event":
            (indication,) = msg.body
            classes.append((indication["_schema_id"]["_class_name"], indication["_values"]["event"],
                            indication["_values"]["seq"]))
    assert classes == [("networkLifecycle", "stopped", net["seq"]), ("domainLifecycle", "suspended", dom["seq"]),
                       ("poolLifecycle", "refreshed", pool["seq"])]
    sub.close()
