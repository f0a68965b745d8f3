"""Counts a client writes into a definition are bounded: absurd ones are refused at define with
the limit in the message, and a domain at the limits still answers every per-vcpu and per-thread
read with whole, correct results."""
import dbus
import pytest

from conftest import connect_iface, domain_iface

LIMIT = 4096
STATS_VCPU = 8  # VIR_DOMAIN_STATS_VCPU
TEST_NODE_CPU_MAP = 8  # test:///default's host CPU map


def domain_xml(name, extra):
    return ("<domain type='test'><name>%s</name><memory>1024</memory>%s<os><type>hvm</type></os></domain>"
            % (name, extra))


def message_of(call, *args):
    with pytest.raises(dbus.DBusException) as excinfo:
        call(*args)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error"
    return excinfo.value.get_dbus_message()


@pytest.mark.parametrize("extra,message", [
    ("<vcpu>2147483648</vcpu>",
     "unsupported configuration: maximum vcpus count 2147483648 exceeds the limit of 4096"),
    ("<vcpu current='4097'>4096</vcpu>",
     "unsupported configuration: current vcpus count 4097 exceeds the limit of 4096"),
    ("<iothreads>100000000</iothreads>",
     "unsupported configuration: iothreads count 100000000 exceeds the limit of 4096"),
    ("<iothreadids>" + "".join("<iothread id='%d'/>" % i for i in range(1, LIMIT + 2)) + "</iothreadids>",
     "unsupported configuration: iothread ids count 4097 exceeds the limit of 4096"),
])
def test_absurd_counts_are_refused_at_define_and_create(bus, extra, message):
    connect = connect_iface(bus)
    before = connect.ListDomains(0)
    assert message_of(connect.DomainDefineXML, domain_xml("big", extra)) == message
    assert message_of(connect.DomainCreateXML, domain_xml("big", extra), 0) == message
    assert connect.ListDomains(0) == before


def test_a_domain_at_the_limits_answers_every_read(bus):
    connect = connect_iface(bus)
    extra = "<vcpu>%d</vcpu><iothreads>%d</iothreads>" % (LIMIT, LIMIT)
    dom = domain_iface(bus, connect.DomainDefineXML(domain_xml("wide", extra)))

    assert dom.GetVcpus(0) == LIMIT
    threads = dom.GetIOThreadInfo(0)
    assert [int(i) for i, _ in threads] == list(range(1, LIMIT + 1))
    assert all(len(cpus) == TEST_NODE_CPU_MAP and all(cpus) for _, cpus in threads)
    pins = dom.GetVcpuPinInfo(0)
    assert len(pins) == LIMIT and all(len(row) == TEST_NODE_CPU_MAP and all(row) for row in pins)

    dom.Create(0)
    stats = dom.GetStats(STATS_VCPU, 0)
    assert stats["vcpu.current"] == LIMIT and stats["vcpu.maximum"] == LIMIT
    assert stats["vcpu.%d.state" % (LIMIT - 1)] == 1 and "vcpu.%d.state" % LIMIT not in stats
    records = dict(connect.GetAllDomainStats(STATS_VCPU, 0))
    assert records["wide"]["vcpu.current"] == LIMIT

    # The running definition is at the limit: one more thread is refused, nothing changes.
    assert message_of(dom.AddIOThread, LIMIT + 1, 0) == \
        "unsupported configuration: iothreads count 4097 exceeds the limit of 4096"
    assert len(dom.GetIOThreadInfo(0)) == LIMIT
    dom.DelIOThread(LIMIT, 0)
    dom.AddIOThread(LIMIT + 1, 0)
    assert [int(i) for i, _ in dom.GetIOThreadInfo(0)][-1] == LIMIT + 1


def test_xml_costs_are_bounded_before_parsing(bus):
    connect = connect_iface(bus)
    attrs = "".join(" a%d=''" % i for i in range(1025))
    assert message_of(connect.DomainDefineXML, domain_xml("wide", "<features%s/>" % attrs)) == \
        "XML error: element 'features' in document (domain_definition) has more than 1024 attributes"
    dom = domain_iface(bus)
    assert message_of(dom.AttachDevice, "<disk%s/>" % attrs, 0) == \
        "XML error: element 'disk' in document (device_definition) has more than 1024 attributes"
    assert len(connect.ListDomains(0)) == 1


def test_blkio_device_lists_are_bounded_per_call(bus):
    dom = domain_iface(bus)
    entries = ",".join("/dev/disk/by-id/d%d,%d" % (i, i + 1) for i in range(LIMIT))
    assert message_of(dom.SetBlockIOParameters, {"device_weight": entries + ",/dev/x,1"}, 0) == \
        "invalid argument: blkio parameter 'device_weight' lists more than 4096 devices"
    assert dom.GetBlockIOParameters(0)["device_weight"] == ""
    dom.SetBlockIOParameters({"device_read_iops_sec": entries}, 0)
    assert dom.GetBlockIOParameters(0)["device_read_iops_sec"] == entries


def test_set_vcpus_cannot_raise_the_maximum_past_the_limit(bus):
    """The parser's bound holds for a definition changed after parsing too (SetVcpus' maximum
    goes to the persistent definition): it would not load again, and every read would pay."""
    dom = domain_iface(bus, connect_iface(bus).DomainDefineXML(domain_xml("grow", "<vcpu>2</vcpu>")))
    vcpu_maximum, vcpu_config = 4, 2
    # libvirt's test driver words it so (its own maximum is 32; ours is the parser's bound).
    assert message_of(dom.SetVcpus, 100000, vcpu_maximum | vcpu_config) == \
        "invalid argument: requested cpu amount exceeds maximum supported amount (100000 > 4096)"
    assert dom.GetVcpus(vcpu_maximum | vcpu_config) == 2
    dom.SetVcpus(LIMIT, vcpu_maximum | vcpu_config)
    assert dom.GetVcpus(vcpu_maximum | vcpu_config) == LIMIT


def test_a_definition_longer_than_libvirts_string_limit_is_refused_unparsed(bus):
    """libvirt's RPC carries strings of at most 4 MiB (VIR_NET_MESSAGE_STRING_MAX); a longer
    definition is refused before anything parses it, with the limit in the message."""
    connect = connect_iface(bus)
    padding = "<description>%s</description>" % ("x" * (4 * 1024 * 1024))
    assert message_of(connect.DomainDefineXML, domain_xml("huge", padding)) == \
        "invalid argument: xml in virDomainDefineXMLFlags is longer than libvirt's limit of 4194304 bytes"
    assert message_of(connect.DomainCreateXML, domain_xml("huge", padding), 0) == \
        "invalid argument: xmlDesc in virDomainCreateXML is longer than libvirt's limit of 4194304 bytes"
    # Just under the limit, the same document is a definition like any other.
    fits = domain_xml("big", "<description>%s</description>" % ("x" * (4 * 1024 * 1024 - 200)))
    assert len(fits) <= 4194304
    path = connect.DomainDefineXML(fits)
    domain_iface(bus, path).Undefine(0)
