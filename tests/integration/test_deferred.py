"""Calls that finish later, over D-Bus: the test driver's deferred mode (test:///default?delay_ms=N)
answers every operation N ms after it is made. Replies come later; a second call on one domain
waits for the first (in line, not failing); calls on other domains are answered meanwhile; a
waiter gives up after the job wait timeout with libvirt's error; a client that leaves mid-call
leaves the daemon healthy. Order is asserted, never wall time."""
import os

import dbus
import pytest
from gi.repository import GLib

from conftest import TEST_DOMAIN_PATH, TEST_PATH, Daemon, connect_iface, domain_iface, properties

OTHER_XML = ("<domain type='test'><name>other</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
             "<memory>8192</memory><os><type>hvm</type></os></domain>")


def start(private_bus, workdir, delay_ms, config=""):
    args = []
    if config:
        path = os.path.join(workdir, "virtbusd.conf")
        with open(path, "w") as f:
            f.write(config)
        args = ["--config", path]
    return Daemon(private_bus, workdir, extra_args=args + ["--test-uri", "test:///default?delay_ms=%d" % delay_ms])


@pytest.fixture
def slow(private_bus, workdir):
    """A daemon whose operations answer 400 ms after they are made."""
    d = start(private_bus, workdir, 400).start()
    conn = dbus.bus.BusConnection(private_bus.address)
    yield d, conn
    conn.close()
    assert d.stop() == 0, d.log()
    assert "ERROR" not in d.log(), d.log()


class Replies:
    """Method calls sent without waiting; their replies recorded in the order they arrive."""

    def __init__(self):
        self.order = []
        self.errors = {}

    def call(self, iface, method, *args, tag):
        getattr(iface, method)(*args, reply_handler=lambda *r: self.order.append(tag),
                               error_handler=lambda e: (self.errors.__setitem__(tag, e), self.order.append(tag)))

    def wait_for(self, count, timeout=20.0):
        context = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + int(timeout * 1e6)
        while len(self.order) < count and GLib.get_monotonic_time() < deadline:
            context.iteration(True)
        assert len(self.order) >= count, "only %s answered" % self.order
        return self.order


def test_a_deferred_call_is_answered_when_the_driver_is_done(slow):
    _, bus = slow
    dom = domain_iface(bus)
    dom.Suspend(timeout=30)
    assert dom.GetState(0) == (3, 1)  # paused by the user
    assert "<name>test</name>" in dom.GetXMLDesc(0, timeout=30)


def test_two_calls_on_one_domain_run_one_after_the_other(slow):
    _, bus = slow
    replies = Replies()
    dom = domain_iface(bus)
    replies.call(dom, "Suspend", tag="suspend")
    replies.call(dom, "Resume", tag="resume")
    assert replies.wait_for(2) == ["suspend", "resume"]
    assert replies.errors == {}  # resume waited for suspend instead of failing "not paused"
    assert dom.GetState(0) == (1, 5)  # running, unpaused


def test_calls_on_other_domains_are_answered_meanwhile(slow):
    _, bus = slow
    connect = connect_iface(bus)
    other = domain_iface(bus, connect.DomainDefineXML(OTHER_XML, timeout=30))
    replies = Replies()
    dom = domain_iface(bus)
    replies.call(dom, "Suspend", tag="suspend test")
    replies.call(dom, "Resume", tag="resume test")
    replies.call(other, "Create", dbus.UInt32(0), tag="start other")
    order = replies.wait_for(3)
    assert order.index("start other") < order.index("resume test")
    assert replies.errors == {}


def test_a_waiter_gives_up_after_the_job_wait_timeout(private_bus, workdir):
    d = start(private_bus, workdir, 1500, config="job_wait_timeout_ms = 200\n").start()
    bus = dbus.bus.BusConnection(private_bus.address)
    try:
        replies = Replies()
        dom = domain_iface(bus)
        replies.call(dom, "Suspend", tag="suspend")
        replies.call(dom, "Resume", tag="resume")
        assert replies.wait_for(2) == ["resume", "suspend"]
        error = replies.errors["resume"]
        assert error.get_dbus_name() == "org.libvirt.Error"
        assert error.get_dbus_message() == ("Timed out during operation: cannot acquire state change lock "
                                            "(held by monitor=virDomainSuspend)")
        assert "suspend" not in replies.errors
    finally:
        bus.close()
        assert d.stop() == 0, d.log()


def test_a_client_that_leaves_mid_call_leaves_the_daemon_healthy(slow):
    d, bus = slow
    leaver = dbus.bus.BusConnection(d.bus.address)
    domain_iface(leaver).Suspend(reply_handler=lambda: None, error_handler=lambda e: None)
    domain_iface(leaver).Resume(reply_handler=lambda: None, error_handler=lambda e: None)
    leaver.flush()
    leaver.close()
    # The daemon answers the next caller; the job the leaver's calls held was released.
    dom = domain_iface(bus)
    GLib.MainContext.default().iteration(False)
    assert dom.GetXMLDesc(0, timeout=30)
    dom.Destroy(0, timeout=30)
    assert dom.GetState(0)[0] == 5


def test_autostart_is_set_through_the_core_and_answered_later(slow):
    _, bus = slow
    props = properties(bus, TEST_DOMAIN_PATH)
    props.Set("org.libvirt.Domain", "Autostart", dbus.Boolean(True), timeout=30)
    assert props.Get("org.libvirt.Domain", "Autostart") == True


def test_domain_create_xml_holds_the_new_domain_until_it_answers(slow):
    _, bus = slow
    replies = Replies()
    connect = connect_iface(bus)
    replies.call(connect, "DomainCreateXML", OTHER_XML.replace("other", "fresh"), dbus.UInt32(0), tag="create")
    assert replies.wait_for(1) == ["create"]
    assert replies.errors == {}
    assert domain_iface(bus, connect.DomainLookupByName("fresh")).GetState(0)[0] == 1


def test_an_unknown_uri_parameter_stops_the_daemon_with_a_clear_error(private_bus, workdir):
    d = Daemon(private_bus, workdir, extra_args=["--test-uri", "test:///default?speed=fast"])
    d.start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    assert "speed" in d.log()
