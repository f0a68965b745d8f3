#!/usr/bin/python3
"""The demo's AMQP part: a QMF console and a JSON event subscriber against virtbusd's listener.

    amqp-demo.py URL console     locate the agent, list its domains, read one domain's XML
    amqp-demo.py URL events N    print the next N JSON events as they come"""
import json
import sys
import uuid

from proton import Message
from proton.utils import BlockingConnection


def console(url):
    conn = BlockingConnection(url, timeout=10)
    replies = conn.create_receiver(None, dynamic=True)
    reply_to = replies.link.remote_source.address
    senders = {node: conn.create_sender(node) for node in ("qmf.default.topic", "qmf.default.direct")}

    def ask(node, opcode, body, subject):
        msg = Message(body=body, reply_to=reply_to, correlation_id=str(uuid.uuid4()), subject=subject,
                      properties={"x-amqp-0-10.app-id": "qmf2", "qmf.opcode": opcode, "method": "request"})
        senders[node].send(msg)
        reply = replies.receive(timeout=10)
        replies.accept()
        return reply.properties["qmf.opcode"], reply.body

    _, located = ask("qmf.default.topic", "_agent_locate_request", [], "console.request.agent_locate")
    agent = located["_values"]["_name"]
    print("QMF agent:", agent)
    _, domains = ask("qmf.default.direct", "_query_request",
                     {"_what": "OBJECT", "_schema_id": {"_class_name": "Domain"}}, agent)
    for d in domains:
        v = d["_values"]
        print("  %-8s %-8s vcpus=%d memory=%d KiB  (object %s)" % (v["name"], v["state"], v["numVcpus"],
                                                                    v["memory"], d["_object_id"]["_object_name"]))
    opcode, body = ask("qmf.default.direct", "_method_request",
                       {"_object_id": domains[0]["_object_id"], "_method_name": "suspend"}, agent)
    print("suspend as ANONYMOUS ->", opcode, body["_values"]["error_text"])
    conn.close()


def events(url, count):
    conn = BlockingConnection(url, timeout=30)
    receiver = conn.create_receiver("virtbus.events", credit=100)
    print("subscribed to virtbus.events", flush=True)
    for _ in range(count):
        msg = receiver.receive(timeout=30)
        receiver.accept()
        print("  [amqp event]", json.dumps(json.loads(bytes(msg.body))), flush=True)
    conn.close()


if __name__ == "__main__":
    if sys.argv[2] == "console":
        console(sys.argv[1])
    else:
        events(sys.argv[1], int(sys.argv[3]))
