"""Typed-parameter tunables of org.libvirt.Domain on test:///default, with libvirt's test-driver
semantics: memory limits, NUMA tuning, block I/O weights, interface bandwidth and perf events
kept per definition (LIVE or CONFIG) and shown in the XML (<memtune>, <numatune>, <blkiotune>,
<bandwidth>, <perf>), the scheduler's fixed weight, and libvirt's errors for bad flags, names,
types and values."""
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import TEST_DOMAIN_PATH, domain_iface

UNLIMITED = 9007199254740991
AFFECT_LIVE, AFFECT_CONFIG = 1, 2
XML_INACTIVE = 2
NOT_SUPPORTED = "this function is not supported by the connection driver: "


def libvirt_error(bus, method, *args, path=TEST_DOMAIN_PATH):
    """Calls Domain.method expecting org.libvirt.Error; returns its message."""
    with pytest.raises(dbus.DBusException) as excinfo:
        getattr(domain_iface(bus, path), method)(*args)
    assert excinfo.value.get_dbus_name() == "org.libvirt.Error", excinfo.value.get_dbus_message()
    return excinfo.value.get_dbus_message()


def memtune(bus, flags):
    root = ET.fromstring(domain_iface(bus).GetXMLDesc(flags))
    node = root.find("memtune")
    if node is None:
        return None
    return {child.tag: (child.get("unit"), int(child.text)) for child in node}


# --- memory parameters -----------------------------------------------------------------------

def test_memory_parameters_start_unlimited(bus):
    params = domain_iface(bus).GetMemoryParameters(0)
    assert params == {"hard_limit": UNLIMITED, "soft_limit": UNLIMITED, "swap_hard_limit": UNLIMITED}
    assert isinstance(params["hard_limit"], dbus.UInt64)
    assert memtune(bus, 0) is None


def test_memory_parameters_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    dom.SetMemoryParameters({"hard_limit": dbus.UInt64(1048576), "soft_limit": dbus.UInt64(524288)}, 0)
    params = dom.GetMemoryParameters(0)
    assert params["hard_limit"] == 1048576
    assert params["soft_limit"] == 524288
    assert params["swap_hard_limit"] == UNLIMITED
    assert memtune(bus, 0) == {"hard_limit": ("KiB", 1048576), "soft_limit": ("KiB", 524288)}


def test_memory_parameters_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetMemoryParameters({"soft_limit": dbus.UInt64(1000)}, AFFECT_LIVE)
    dom.SetMemoryParameters({"soft_limit": dbus.UInt64(2000)}, AFFECT_CONFIG)
    assert dom.GetMemoryParameters(AFFECT_LIVE)["soft_limit"] == 1000
    assert dom.GetMemoryParameters(AFFECT_CONFIG)["soft_limit"] == 2000
    assert dom.GetMemoryParameters(0)["soft_limit"] == 1000
    assert memtune(bus, 0) == {"soft_limit": ("KiB", 1000)}
    assert memtune(bus, XML_INACTIVE) == {"soft_limit": ("KiB", 2000)}


def test_memory_parameters_live_and_config_together_are_refused(bus):
    message = libvirt_error(bus, "GetMemoryParameters", AFFECT_LIVE | AFFECT_CONFIG)
    assert message == ("invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' "
                       "are mutually exclusive")
    message = libvirt_error(bus, "SetMemoryParameters", {"soft_limit": dbus.UInt64(1)}, AFFECT_LIVE | AFFECT_CONFIG)
    assert message == ("invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' "
                       "are mutually exclusive")


def test_memory_parameters_hard_limit_above_swap_limit_is_refused(bus):
    dom = domain_iface(bus)
    expected = ("invalid argument: memory hard_limit tunable value must be lower than or equal to "
                "swap_hard_limit")
    # As in libvirt, a swap limit alone is below the unlimited hard limit.
    assert libvirt_error(bus, "SetMemoryParameters", {"swap_hard_limit": dbus.UInt64(4096)}, 0) == expected
    dom.SetMemoryParameters({"hard_limit": dbus.UInt64(2048), "swap_hard_limit": dbus.UInt64(4096)}, 0)
    assert libvirt_error(bus, "SetMemoryParameters", {"hard_limit": dbus.UInt64(8192)}, 0) == expected
    assert dom.GetMemoryParameters(0)["hard_limit"] == 2048


def test_memory_parameters_unknown_name_is_refused(bus):
    message = libvirt_error(bus, "SetMemoryParameters", {"min_guarantee": dbus.UInt64(1)}, 0)
    assert message == "argument unsupported: parameter 'min_guarantee' not supported"


def test_memory_parameters_wrong_type_is_refused(bus):
    message = libvirt_error(bus, "SetMemoryParameters", {"hard_limit": dbus.UInt32(1)}, 0)
    assert message == "invalid argument: invalid type 'uint' for parameter 'hard_limit', expected 'ullong'"


def test_memory_parameters_empty_is_refused(bus):
    message = libvirt_error(bus, "SetMemoryParameters", dbus.Dictionary({}, signature="sv"), 0)
    assert message == "invalid argument: params in virDomainSetMemoryParameters must not be NULL"


def test_memory_parameters_unknown_flags_are_refused(bus):
    message = libvirt_error(bus, "SetMemoryParameters", {"soft_limit": dbus.UInt64(1)}, 8)
    assert message == "invalid argument: testDomainSetMemoryParameters: unsupported flags (0x8)"


def test_memory_parameters_live_on_inactive_domain_is_refused(bus):
    dom = domain_iface(bus)
    dom.Destroy(0)
    message = libvirt_error(bus, "GetMemoryParameters", AFFECT_LIVE)
    assert message == "Requested operation is not valid: domain is not running"


def test_memory_parameters_of_missing_domain(bus):
    path = TEST_DOMAIN_PATH[:-4] + "0000"
    assert libvirt_error(bus, "GetMemoryParameters", 0, path=path).startswith("Domain not found")


# --- scheduler parameters --------------------------------------------------------------------

def test_scheduler_parameters_are_libvirts_fixed_weight(bus):
    dom = domain_iface(bus)
    params = dom.GetSchedulerParameters(0)
    assert params == {"weight": 50}
    assert isinstance(params["weight"], dbus.UInt32)
    # libvirt's test driver accepts a weight and keeps none.
    dom.SetSchedulerParameters({"weight": dbus.UInt32(100)}, 0)
    assert dom.GetSchedulerParameters(0) == {"weight": 50}


def test_scheduler_parameters_refuse_flags(bus):
    message = libvirt_error(bus, "GetSchedulerParameters", AFFECT_LIVE)
    assert message == "invalid argument: testDomainGetSchedulerParametersFlags: unsupported flags (0x1)"
    message = libvirt_error(bus, "SetSchedulerParameters", {"weight": dbus.UInt32(1)}, AFFECT_CONFIG)
    assert message == "invalid argument: testDomainSetSchedulerParametersFlags: unsupported flags (0x2)"


def test_scheduler_parameters_refuse_bad_names_and_types(bus):
    message = libvirt_error(bus, "SetSchedulerParameters", {"cap": dbus.UInt32(1)}, 0)
    assert message == "argument unsupported: parameter 'cap' not supported"
    message = libvirt_error(bus, "SetSchedulerParameters", {"weight": dbus.Int32(1)}, 0)
    assert message == "invalid argument: invalid type 'int' for parameter 'weight', expected 'uint'"


# --- NUMA parameters -------------------------------------------------------------------------

def numatune(bus, flags):
    node = ET.fromstring(domain_iface(bus).GetXMLDesc(flags)).find("numatune/memory")
    return None if node is None else dict(node.attrib)


def test_numa_parameters_start_strict_without_nodeset(bus):
    params = domain_iface(bus).GetNumaParameters(0)
    assert params == {"numa_mode": 0, "numa_nodeset": ""}
    assert isinstance(params["numa_mode"], dbus.Int32)
    assert isinstance(params["numa_nodeset"], dbus.String)


def test_numa_parameters_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    dom.SetNumaParameters({"numa_nodeset": "0-3,^2, 5"}, 0)
    assert dom.GetNumaParameters(0) == {"numa_mode": 0, "numa_nodeset": "0-1,3,5"}
    assert numatune(bus, 0) == {"mode": "strict", "nodeset": "0-1,3,5"}


def test_numa_parameters_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetNumaParameters({"numa_mode": dbus.Int32(2), "numa_nodeset": "1"}, AFFECT_CONFIG)
    assert dom.GetNumaParameters(AFFECT_CONFIG) == {"numa_mode": 2, "numa_nodeset": "1"}
    assert dom.GetNumaParameters(AFFECT_LIVE) == {"numa_mode": 0, "numa_nodeset": ""}
    assert numatune(bus, XML_INACTIVE) == {"mode": "interleave", "nodeset": "1"}
    assert numatune(bus, 0) is None


def test_numa_parameters_mode_of_running_domain_cannot_change(bus):
    dom = domain_iface(bus)
    dom.SetNumaParameters({"numa_nodeset": "0"}, AFFECT_LIVE)
    message = libvirt_error(bus, "SetNumaParameters", {"numa_mode": dbus.Int32(1)}, AFFECT_LIVE)
    assert message == "Requested operation is not valid: can't change numatune mode for running domain"


def test_numa_parameters_mode_needs_a_nodeset(bus):
    message = libvirt_error(bus, "SetNumaParameters", {"numa_mode": dbus.Int32(1)}, AFFECT_CONFIG)
    assert message == ("unsupported configuration: nodeset for NUMA memory tuning must be set if "
                       "'placement' is 'static'")


@pytest.mark.parametrize("params,expected", [
    ({"numa_mode": dbus.Int32(7)}, "invalid argument: unsupported numatune mode: '7'"),
    ({"numa_nodeset": "abc"}, "invalid argument: Failed to parse bitmap 'abc'"),
    ({"numa_nodeset": ""}, "invalid argument: Failed to parse bitmap ''"),
    ({"numa_nodeset": "1-0"}, "invalid argument: Failed to parse bitmap '1-0'"),
    ({"numa_nodeset": "0,^0"}, "Requested operation is not valid: Invalid nodeset of 'numatune': 0,^0"),
    ({"numa_mode": dbus.UInt32(1)}, "invalid argument: invalid type 'uint' for parameter 'numa_mode', expected 'int'"),
    ({"numa_placement": "auto"}, "argument unsupported: parameter 'numa_placement' not supported"),
])
def test_numa_parameters_bad_values_are_refused(bus, params, expected):
    assert libvirt_error(bus, "SetNumaParameters", params, AFFECT_CONFIG) == expected
    assert domain_iface(bus).GetNumaParameters(AFFECT_CONFIG) == {"numa_mode": 0, "numa_nodeset": ""}


# --- block I/O parameters --------------------------------------------------------------------

BLKIO_EMPTY = {"weight": 0, "device_weight": "", "device_read_iops_sec": "", "device_write_iops_sec": "",
               "device_read_bytes_sec": "", "device_write_bytes_sec": ""}


def blkiotune(bus, flags):
    node = ET.fromstring(domain_iface(bus).GetXMLDesc(flags)).find("blkiotune")
    if node is None:
        return None
    return [(child.tag, child.text if child.tag == "weight" else {c.tag: c.text for c in child})
            for child in node]


def test_block_io_parameters_start_empty(bus):
    params = domain_iface(bus).GetBlockIOParameters(0)
    assert params == BLKIO_EMPTY
    assert isinstance(params["weight"], dbus.UInt32)
    assert blkiotune(bus, 0) is None


def test_block_io_parameters_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    dom.SetBlockIOParameters({"weight": dbus.UInt32(500), "device_weight": "/dev/sda,100",
                              "device_read_bytes_sec": "/dev/sda,1000,/dev/sdb,2000"}, 0)
    # A device given a zero it does not have yet is not added, as libvirt.
    dom.SetBlockIOParameters({"device_write_iops_sec": "/dev/sdc,0"}, 0)
    params = dom.GetBlockIOParameters(0)
    assert params == dict(BLKIO_EMPTY, weight=500, device_weight="/dev/sda,100",
                          device_read_bytes_sec="/dev/sda,1000,/dev/sdb,2000")
    assert blkiotune(bus, 0) == [
        ("weight", "500"),
        ("device", {"path": "/dev/sda", "weight": "100", "read_bytes_sec": "1000"}),
        ("device", {"path": "/dev/sdb", "read_bytes_sec": "2000"}),
    ]
    dom.SetBlockIOParameters({"device_weight": "/dev/sda,0", "weight": dbus.UInt32(0)}, 0)
    assert dom.GetBlockIOParameters(0)["device_weight"] == ""
    assert dom.GetBlockIOParameters(0)["weight"] == 0


def test_block_io_parameters_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetBlockIOParameters({"weight": dbus.UInt32(300)}, AFFECT_CONFIG)
    assert dom.GetBlockIOParameters(AFFECT_CONFIG)["weight"] == 300
    assert dom.GetBlockIOParameters(AFFECT_LIVE)["weight"] == 0
    assert blkiotune(bus, XML_INACTIVE) == [("weight", "300")]
    assert blkiotune(bus, 0) is None


@pytest.mark.parametrize("params,expected", [
    ({"device_read_iops_sec": "/dev/sda"},
     "invalid argument: unable to parse blkio device 'device_read_iops_sec' '/dev/sda'"),
    ({"device_read_iops_sec": "/dev/sda,1,/dev/sdb"},
     "invalid argument: unable to parse blkio device 'device_read_iops_sec' '/dev/sda,1,/dev/sdb'"),
    ({"device_read_iops_sec": "/dev/sda,x"},
     "invalid argument: invalid value 'x' for parameter 'device_read_iops_sec' of device '/dev/sda'"),
    ({"device_weight": "/dev/sda,-1"},
     "invalid argument: invalid value '-1' for parameter 'device_weight' of device '/dev/sda'"),
    ({"weight": dbus.Int32(5)}, "invalid argument: invalid type 'int' for parameter 'weight', expected 'uint'"),
    ({"device_weight": dbus.UInt32(5)},
     "invalid argument: invalid type 'uint' for parameter 'device_weight', expected 'string'"),
    ({"cap": dbus.UInt32(5)}, "argument unsupported: parameter 'cap' not supported"),
])
def test_block_io_parameters_bad_values_are_refused(bus, params, expected):
    assert libvirt_error(bus, "SetBlockIOParameters", params, 0) == expected
    assert domain_iface(bus).GetBlockIOParameters(0) == BLKIO_EMPTY


def test_block_io_parameters_unknown_flags_are_refused(bus):
    message = libvirt_error(bus, "GetBlockIOParameters", 8)
    assert message == "invalid argument: testDomainGetBlkioParameters: unsupported flags (0x8)"


# --- interface parameters --------------------------------------------------------------------

MAC = "aa:bb:cc:dd:ee:ff"
BANDWIDTH_EMPTY = {"inbound.average": 0, "inbound.peak": 0, "inbound.burst": 0, "inbound.floor": 0,
                   "outbound.average": 0, "outbound.peak": 0, "outbound.burst": 0}


def bandwidth(bus, flags):
    root = ET.fromstring(domain_iface(bus).GetXMLDesc(flags))
    node = root.find("devices/interface/bandwidth")
    return None if node is None else {child.tag: dict(child.attrib) for child in node}


def test_interface_parameters_start_empty(bus):
    params = domain_iface(bus).GetInterfaceParameters(MAC, 0)
    assert params == BANDWIDTH_EMPTY
    assert all(isinstance(value, dbus.UInt32) for value in params.values())


def test_interface_parameters_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    dom.SetInterfaceParameters(MAC.upper(), {"inbound.average": dbus.UInt32(100), "inbound.peak": dbus.UInt32(200),
                                             "outbound.average": dbus.UInt32(50)}, 0)
    assert dom.GetInterfaceParameters(MAC, 0) == dict(BANDWIDTH_EMPTY, **{
        "inbound.average": 100, "inbound.peak": 200, "outbound.average": 50})
    assert bandwidth(bus, 0) == {"inbound": {"average": "100", "peak": "200"}, "outbound": {"average": "50"}}
    # A zero average clears that direction; the other stays.
    dom.SetInterfaceParameters(MAC, {"inbound.average": dbus.UInt32(0)}, 0)
    assert bandwidth(bus, 0) == {"outbound": {"average": "50"}}
    dom.SetInterfaceParameters(MAC, {"inbound.floor": dbus.UInt32(10), "inbound.burst": dbus.UInt32(5)}, 0)
    assert bandwidth(bus, 0) == {"inbound": {"floor": "10", "burst": "5"}, "outbound": {"average": "50"}}


def test_interface_parameters_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetInterfaceParameters(MAC, {"outbound.average": dbus.UInt32(70)}, AFFECT_CONFIG)
    assert dom.GetInterfaceParameters(MAC, AFFECT_CONFIG)["outbound.average"] == 70
    assert dom.GetInterfaceParameters(MAC, AFFECT_LIVE)["outbound.average"] == 0
    assert bandwidth(bus, XML_INACTIVE) == {"outbound": {"average": "70"}}
    assert bandwidth(bus, 0) is None


def test_interface_parameters_unknown_device_is_refused(bus):
    expected = "invalid argument: 'vnet9' is not a known interface"
    assert libvirt_error(bus, "GetInterfaceParameters", "vnet9", 0) == expected
    assert libvirt_error(bus, "SetInterfaceParameters", "vnet9", {"inbound.average": dbus.UInt32(1)}, 0) == expected
    assert libvirt_error(bus, "GetInterfaceParameters", "52:54:00:00:00:01", 0) == (
        "invalid argument: '52:54:00:00:00:01' is not a known interface")


def test_interface_parameters_bad_names_and_types_are_refused(bus):
    message = libvirt_error(bus, "SetInterfaceParameters", MAC, {"inbound.average": dbus.Int32(1)}, 0)
    assert message == "invalid argument: invalid type 'int' for parameter 'inbound.average', expected 'uint'"
    message = libvirt_error(bus, "SetInterfaceParameters", MAC, {"inbound.x": dbus.UInt32(1)}, 0)
    assert message == "argument unsupported: parameter 'inbound.x' not supported"
    message = libvirt_error(bus, "SetInterfaceParameters", MAC, dbus.Dictionary({}, signature="sv"), 0)
    assert message == "invalid argument: params in virDomainSetInterfaceParameters must not be NULL"


# --- perf events -----------------------------------------------------------------------------

PERF_EVENTS = ["cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
               "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
               "stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
               "context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj", "alignment_faults",
               "emulation_faults"]


def perf(bus, flags):
    node = ET.fromstring(domain_iface(bus).GetXMLDesc(flags)).find("perf")
    return None if node is None else [(event.get("name"), event.get("enabled")) for event in node]


def test_perf_events_start_disabled(bus):
    events = domain_iface(bus).GetPerfEvents(0)
    assert events == {name: False for name in PERF_EVENTS}
    assert isinstance(events["cmt"], dbus.Boolean)
    assert perf(bus, 0) is None


def test_perf_events_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    dom.SetPerfEvents({"mbmt": True, "cmt": True}, 0)
    dom.SetPerfEvents({"cpu_cycles": False}, 0)
    events = dom.GetPerfEvents(0)
    assert [name for name, enabled in events.items() if enabled] == ["cmt", "mbmt"]
    assert perf(bus, 0) == [("cmt", "yes"), ("mbmt", "yes"), ("cpu_cycles", "no")]


def test_perf_events_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetPerfEvents({"cmt": True}, AFFECT_CONFIG)
    assert dom.GetPerfEvents(AFFECT_CONFIG)["cmt"]
    assert not dom.GetPerfEvents(AFFECT_LIVE)["cmt"]
    assert perf(bus, XML_INACTIVE) == [("cmt", "yes")]
    assert perf(bus, 0) is None


def test_perf_events_bad_names_types_and_flags_are_refused(bus):
    message = libvirt_error(bus, "SetPerfEvents", {"cmt": dbus.UInt32(1)}, 0)
    assert message == "invalid argument: invalid type 'uint' for parameter 'cmt', expected 'boolean'"
    message = libvirt_error(bus, "SetPerfEvents", {"foo": True}, 0)
    assert message == "argument unsupported: parameter 'foo' not supported"
    message = libvirt_error(bus, "SetPerfEvents", {"cmt": True}, 8)
    assert message == "invalid argument: testDomainSetPerfEvents: unsupported flags (0x8)"
    message = libvirt_error(bus, "SetPerfEvents", {"cmt": True}, AFFECT_LIVE | AFFECT_CONFIG)
    assert message == ("invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' "
                       "are mutually exclusive")


def test_new_tunables_of_missing_domain(bus):
    path = TEST_DOMAIN_PATH[:-4] + "0000"
    for method, args in [("GetNumaParameters", (0,)), ("GetBlockIOParameters", (0,)), ("GetPerfEvents", (0,)),
                         ("GetInterfaceParameters", (MAC, 0)), ("GetBlockIOTune", ("vda", 0))]:
        assert libvirt_error(bus, method, *args, path=path).startswith("Domain not found")


# --- block I/O tuning ------------------------------------------------------------------------

IOTUNE_NAMES = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec", "read_iops_sec",
                "write_iops_sec", "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
                "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max", "size_iops_sec", "group_name",
                "total_bytes_sec_max_length", "read_bytes_sec_max_length", "write_bytes_sec_max_length",
                "total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length"]
IOTUNE_EMPTY = {name: "" if name == "group_name" else 0 for name in IOTUNE_NAMES}


def iotune(bus, flags):
    node = ET.fromstring(domain_iface(bus).GetXMLDesc(flags)).find("devices/disk/iotune")
    return None if node is None else [(child.tag, child.text or "") for child in node]


def test_block_io_tune_starts_empty(bus):
    params = domain_iface(bus).GetBlockIOTune("vda", 0)
    assert list(params) == IOTUNE_NAMES
    assert params == IOTUNE_EMPTY
    assert isinstance(params["total_bytes_sec"], dbus.UInt64)
    assert iotune(bus, 0) is None


def test_block_io_tune_set_then_get_and_in_xml(bus):
    dom = domain_iface(bus)
    # As libvirt's test driver, a limit needs its max set at least as high.
    dom.SetBlockIOTune("vda", {"total_bytes_sec": dbus.UInt64(1000), "total_bytes_sec_max": dbus.UInt64(2000),
                               "group_name": "grp", "size_iops_sec": dbus.UInt64(9)}, 0)
    # Found by source path too; values not given are kept.
    dom.SetBlockIOTune("/guest/diskimage1", {"write_iops_sec_max_length": dbus.UInt64(5)}, 0)
    assert dom.GetBlockIOTune("vda", 0) == dict(IOTUNE_EMPTY, total_bytes_sec=1000, total_bytes_sec_max=2000,
                                                group_name="grp", size_iops_sec=9, write_iops_sec_max_length=5)
    assert iotune(bus, 0) == [("total_bytes_sec", "1000"), ("total_bytes_sec_max", "2000"),
                              ("size_iops_sec", "9"), ("group_name", "grp"), ("write_iops_sec_max_length", "5")]


def test_block_io_tune_live_and_config_are_separate(bus):
    dom = domain_iface(bus)
    dom.SetBlockIOTune("vda", {"read_iops_sec_max": dbus.UInt64(50)}, AFFECT_CONFIG)
    assert dom.GetBlockIOTune("vda", AFFECT_CONFIG)["read_iops_sec_max"] == 50
    assert dom.GetBlockIOTune("vda", AFFECT_LIVE)["read_iops_sec_max"] == 0
    assert iotune(bus, XML_INACTIVE) == [("read_iops_sec_max", "50")]
    assert iotune(bus, 0) is None


@pytest.mark.parametrize("params,expected", [
    ({"read_bytes_sec": dbus.UInt64(1)}, "invalid argument: read_bytes_sec cannot be set higher than read_bytes_sec_max"),
    ({"total_iops_sec": dbus.UInt64(1), "read_iops_sec": dbus.UInt64(1), "total_iops_sec_max": dbus.UInt64(9)},
     "invalid argument: total and read/write of iops_sec cannot be set at the same time"),
    ({"read_iops_sec": dbus.UInt64(10 ** 15 + 1)},
     "argument unsupported: block I/O throttle limit value must be no more than 1000000000000000"),
    ({"read_iops_sec": dbus.UInt32(1)},
     "invalid type 'uint' for parameter 'read_iops_sec', expected 'ullong'"),
    ({"group_name": dbus.UInt64(1)}, "invalid type 'ullong' for parameter 'group_name', expected 'string'"),
    ({"iops": dbus.UInt64(1)}, "argument unsupported: parameter 'iops' not supported"),
    (dbus.Dictionary({}, signature="sv"), "invalid argument: nparams in virDomainSetBlockIoTune must be greater than zero"),
])
def test_block_io_tune_bad_values_are_refused(bus, params, expected):
    assert libvirt_error(bus, "SetBlockIOTune", "vda", params, 0).endswith(expected)
    assert domain_iface(bus).GetBlockIOTune("vda", 0) == IOTUNE_EMPTY


def test_block_io_tune_unknown_disk_is_refused(bus):
    message = libvirt_error(bus, "GetBlockIOTune", "vdz", 0)
    assert message == "invalid argument: disk 'vdz' was not found in the domain config"
    message = libvirt_error(bus, "SetBlockIOTune", "vdz", {"read_iops_sec_max": dbus.UInt64(1)}, 0)
    assert message == "invalid argument: missing persistent configuration for disk 'vdz'"


def test_block_io_tune_empty_group_name_is_kept(bus):
    dom = domain_iface(bus)
    dom.SetBlockIOTune("vda", {"group_name": ""}, 0)
    assert iotune(bus, 0) == [("group_name", "")]
    assert dom.GetBlockIOTune("vda", 0)["group_name"] == ""
