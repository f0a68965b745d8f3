"""Typed-parameter tunables of org.libvirt.Domain on test:///default, with libvirt's test-driver
semantics: memory limits kept per definition (LIVE or CONFIG) and shown as <memtune> in the XML,
the scheduler's fixed weight, and libvirt's errors for bad flags, names and types."""
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


# --- what libvirt's test driver has but virtbus does not serve yet ---------------------------

@pytest.mark.parametrize("method,args,api", [
    ("GetNumaParameters", (0,), "virDomainGetNumaParameters"),
    ("GetBlockIOParameters", (0,), "virDomainGetBlkioParameters"),
    ("GetIOThreadInfo", (0,), "virDomainGetIOThreadInfo"),
])
def test_unserved_tunables_answer_not_supported(bus, method, args, api):
    assert libvirt_error(bus, method, *args) == NOT_SUPPORTED + api
