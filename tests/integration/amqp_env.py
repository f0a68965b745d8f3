"""AMQP peers for the tests: a QMF console and event subscribers, real python3-qpid-proton
clients talking to virtbusd's own listener (or a broker)."""
import json
import socket
import uuid

import pytest

proton = pytest.importorskip("proton")
from proton import Message  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

TIMEOUT = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def amqp_args(port, *extra):
    return ["--amqp-listen", "127.0.0.1:%d" % port, *extra]


class QmfError(Exception):
    def __init__(self, values):
        super().__init__(values.get("error_text"))
        self.values = values


class QmfConsole:
    """A console as libqmf2 consoles behave over AMQP 1.0: a dynamic reply receiver, requests to
    qmf.default.direct (subject: the agent) and locates to qmf.default.topic."""

    def __init__(self, url, user=None, password=None, agent=None, **kwargs):
        self.conn = BlockingConnection(url, timeout=TIMEOUT, user=user, password=password,
                                       allow_insecure_mechs=True, **kwargs)
        self.replies = self.conn.create_receiver(None, dynamic=True)
        self.reply_to = self.replies.link.remote_source.address
        self.direct = self.conn.create_sender("qmf.default.direct")
        self.topic = self.conn.create_sender("qmf.default.topic")
        self.agent = agent

    def close(self):
        self.conn.close()

    def send(self, opcode, body, subject=None, topic=False, cid=None):
        cid = cid or str(uuid.uuid4())
        msg = Message(body=body, reply_to=self.reply_to, correlation_id=cid,
                      subject=subject if subject is not None else self.agent,
                      properties={"x-amqp-0-10.app-id": "qmf2", "qmf.opcode": opcode, "method": "request"})
        (self.topic if topic else self.direct).send(msg)
        return cid

    def receive(self, timeout=TIMEOUT):
        msg = self.replies.receive(timeout=timeout)
        self.replies.accept()
        return msg

    def request(self, opcode, body, **kwargs):
        cid = self.send(opcode, body, **kwargs)
        msg = self.receive()
        assert msg.correlation_id == cid, (msg.correlation_id, cid)
        return msg

    def locate(self, predicate=()):
        msg = self.request("_agent_locate_request", list(predicate), topic=True,
                           subject="console.request.agent_locate")
        assert msg.properties["qmf.opcode"] == "_agent_locate_response"
        self.agent = self.agent or msg.body["_values"]["_name"]
        return msg.body["_values"]

    def query(self, what, class_name=None, where=None, object_name=None):
        body = {"_what": what}
        if class_name:
            body["_schema_id"] = {"_class_name": class_name}
        if where is not None:
            body["_where"] = where
        if object_name:
            body["_object_id"] = {"_object_name": object_name}
        return [obj for part in self.query_parts(body) for obj in part.body]

    def query_parts(self, body):
        """Every _query_response answering body, in order: all but the last carry 'partial'."""
        cid = self.send("_query_request", body)
        parts = []
        while not parts or "partial" in parts[-1].properties:
            msg = self.receive()
            assert msg.correlation_id == cid, (msg.correlation_id, cid)
            if msg.properties["qmf.opcode"] == "_exception":
                raise QmfError(msg.body["_values"])
            assert msg.properties["qmf.opcode"] == "_query_response", msg.properties
            parts.append(msg)
        return parts

    def domains(self, where=None):
        return {o["_values"]["name"]: o for o in self.query("OBJECT", "Domain", where=where)}

    def method(self, object_name, method, arguments=None):
        body = {"_object_id": {"_object_name": object_name, "_agent_name": self.agent}, "_method_name": method}
        if arguments is not None:
            body["_arguments"] = arguments
        msg = self.request("_method_request", body)
        if msg.properties["qmf.opcode"] == "_exception":
            raise QmfError(msg.body["_values"])
        assert msg.properties["qmf.opcode"] == "_method_response", msg.properties
        return msg.body.get("_arguments", {})


class EventSubscriber:
    """A plain consumer of virtbus.events (JSON), optionally replaying from a sequence number."""

    def __init__(self, url, address="virtbus.events", conn=None, credit=100):
        # Prefetch: a subscriber that gave no credit while events happen falls behind the
        # daemon's retained window and is detached (as a slow consumer should be).
        self.own = conn is None
        self.conn = conn or BlockingConnection(url, timeout=TIMEOUT)
        self.receiver = self.conn.create_receiver(address, credit=credit)

    def next(self, timeout=TIMEOUT):
        msg = self.receiver.receive(timeout=timeout)
        self.receiver.accept()
        return msg, json.loads(bytes(msg.body))

    def next_event(self, timeout=TIMEOUT):
        return self.next(timeout)[1]

    def close(self):
        if self.own:
            self.conn.close()


def stop_daemon(d):
    """Stops a conftest.Daemon: it must exit 0, with nothing from ASan or UBSan in its log."""
    status = d.stop()
    log = d.log()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
    assert status == 0, log
    return log


def make_users_file(workdir, builddir, entries):
    """entries: (name, unix user, password) through virtbusctl amqp-passwd, as an admin would."""
    import os
    import subprocess
    path = os.path.join(workdir, "amqp-users")
    ctl = os.path.join(builddir, "virtbusctl")
    for name, unix_user, password in entries:
        subprocess.run([ctl, "amqp-passwd", "--users-file", path, name, unix_user], input=password + "\n",
                       text=True, check=True, capture_output=True)
    return path
