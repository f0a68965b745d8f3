#!/usr/bin/python3
"""bench/amqp: a private RabbitMQ for one run, the integration tests' fixture
(tests/integration/broker_env.py). Prints "port=N pid=P seconds=S" (P: the Erlang node) once an
AMQP 1.0 round trip works, or "unavailable=REASON"; then keeps the broker up until stdin closes
or SIGTERM/SIGINT, and stops it (the node and epmd also die with this process should it be
killed).

A line "purge" on stdin deletes every left-over subscriber queue (amq.gen-*, no consumer) and
prints "purged N":
RabbitMQ 3.10's AMQP 1.0 plugin declares the queue behind a `/exchange/X/<key>` source neither
exclusive nor auto-delete, so it outlives its subscriber and goes on filling; left alone, each
measurement would also feed the queues of all the earlier ones."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))

from broker_env import RabbitBroker, available  # noqa: E402

# Only queues nobody consumes from: virtbusd's own request queues (amq.gen-* too) stay.
PURGE = ('[rabbit_amqqueue:delete(Q, false, false, <<"bench">>) || Q <- rabbit_amqqueue:list(<<"/">>), '
         'binary:match(element(4, amqqueue:get_name(Q)), <<"amq.gen-">>) =/= nomatch, '
         'rabbit_amqqueue:info(Q, [consumers]) =:= [{consumers, 0}]].')


def purge(broker):
    done = broker.rabbitmqctl("eval", PURGE, timeout=60)
    return done.stdout.count("{ok,") if done.returncode == 0 else -1


def stop(*_):
    """The first SIGTERM or SIGINT ends the wait; further ones must not cut the broker's stop short
    (Ctrl-C reaches us and then run.sh's cleanup sends SIGTERM)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(0)


def main():
    reason = available()
    if reason:
        print("unavailable=%s" % reason, flush=True)
        return 0
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    broker = RabbitBroker(start_timeout=90)
    try:
        try:
            broker.start()
        except Exception as e:  # noqa: BLE001 - any failure is reported, not raised
            print("unavailable=%s" % str(e).splitlines()[0], flush=True)
            return 0
        print("port=%d pid=%d seconds=%.1f" % (broker.port, broker.proc.pid, broker.start_seconds), flush=True)
        for line in sys.stdin:  # until run.sh closes it (or a signal ends us)
            if line.strip() == "purge":
                print("purged %d" % purge(broker), flush=True)
    finally:
        broker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
