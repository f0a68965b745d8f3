"""The node and host methods of org.libvirt.Connect on test:///default, with libvirt's test-driver
answers (capabilities, sysinfo, CPU models, node statistics) and libvirt's errors for the rest."""
import os
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import TEST_PATH, connect_iface

NOT_SUPPORTED = "this function is not supported by the connection driver: "

CPU_SKYLAKE = """<cpu>
  <arch>x86_64</arch>
  <model>Skylake-Client</model>
  <vendor>Intel</vendor>
  <feature name='vmx'/>
  <feature name='pdpe1gb'/>
</cpu>"""
CPU_HASWELL = """<cpu>
  <arch>x86_64</arch>
  <model>Haswell</model>
  <feature name='pdpe1gb'/>
  <feature name='hypervisor'/>
</cpu>"""


def call_error(bus, method, *args):
    """Calls Connect.method expecting an error. Takes the method by name: pytest's failure report
    would repr a bound dbus-python proxy method, which aborts once the connection is gone."""
    with pytest.raises(dbus.DBusException) as excinfo:
        getattr(connect_iface(bus), method)(*args)
    return excinfo.value.get_dbus_name(), excinfo.value.get_dbus_message()


def libvirt_error(bus, method, *args):
    name, message = call_error(bus, method, *args)
    assert name == "org.libvirt.Error", (name, message)
    return message


# --- capabilities, sysinfo -------------------------------------------------------------------

def test_get_capabilities_describes_libvirts_test_host(bus):
    caps = connect_iface(bus).GetCapabilities()
    assert isinstance(caps, dbus.String)
    root = ET.fromstring(caps)
    host = root.find("host")
    assert host.findtext("cpu/arch") == "i686"
    assert [p.get("size") for p in host.findall("cpu/pages")] == ["4", "8", "2048", "1048576"]
    cells = host.find("topology/cells")
    assert cells.get("num") == "2"
    assert [c.findtext("memory") for c in cells.findall("cell")] == ["2097152", "4194304"]
    cpus = [cpu.get("id") for cpu in cells.iter("cpu")]
    assert cpus == [str(i) for i in range(16)]
    assert host.findtext("secmodel/model") == "testSecurity"
    assert host.findtext("secmodel/doi") == ""
    guests = [(g.findtext("os_type"), g.find("arch").get("name"), g.find("arch/domain").get("type"))
              for g in root.findall("guest")]
    assert guests == [("hvm", "i686", "test"), ("xen", "i686", "test")]
    assert root.find("guest/arch").findtext("emulator") == "/usr/bin/test-hv"


def test_get_sysinfo_is_the_test_drivers_smbios(bus):
    sysinfo = connect_iface(bus).GetSysinfo(0)
    assert isinstance(sysinfo, dbus.String)
    root = ET.fromstring(sysinfo)
    assert root.get("type") == "smbios"
    assert root.find("bios/entry[@name='vendor']").text == "LENOVO"


def test_get_sysinfo_rejects_unknown_flags(bus):
    assert "unsupported flags (0x4)" in libvirt_error(bus, "GetSysinfo", 4)


def test_get_domain_capabilities_is_not_supported_by_the_test_driver(bus):
    message = libvirt_error(bus, "GetDomainCapabilities", "", "x86_64", "", "test", 0)
    assert message == NOT_SUPPORTED + "virConnectGetDomainCapabilities"


# --- CPU models ------------------------------------------------------------------------------

@pytest.mark.parametrize("arch", ["x86_64", "i686"])
def test_get_cpu_model_names_lists_x86_models(bus, arch):
    models = connect_iface(bus).GetCPUModelNames(arch, 0)
    assert isinstance(models, dbus.Array) and models.signature == "s"
    assert {"qemu64", "Haswell", "Skylake-Client", "EPYC"} <= set(models)
    assert len(models) == len(set(models))


def test_get_cpu_model_names_of_unknown_arch_is_invalid_argument(bus):
    message = libvirt_error(bus, "GetCPUModelNames", "vax", 0)
    assert message == "invalid argument: cannot find architecture vax"


def test_get_cpu_model_names_of_arch_without_models_is_not_supported(bus):
    message = libvirt_error(bus, "GetCPUModelNames", "mips", 0)
    assert message == NOT_SUPPORTED + "'mips' architecture is not supported by CPU driver"


def test_get_cpu_model_names_rejects_unknown_flags(bus):
    assert "unsupported flags (0x1)" in libvirt_error(bus, "GetCPUModelNames", "x86_64", 1)


def test_baseline_cpu_keeps_the_older_model_and_shared_features(bus):
    cpu = ET.fromstring(connect_iface(bus).BaselineCPU([CPU_SKYLAKE, CPU_HASWELL], 0))
    assert cpu.get("mode") == "custom" and cpu.get("match") == "exact"
    assert cpu.findtext("model") == "Haswell"
    assert cpu.findtext("vendor") == "Intel"
    assert [f.get("name") for f in cpu.findall("feature")] == ["pdpe1gb"]
    assert all(f.get("policy") == "require" for f in cpu.findall("feature"))


def test_baseline_cpu_of_one_cpu_is_that_cpu(bus):
    cpu = ET.fromstring(connect_iface(bus).BaselineCPU([CPU_SKYLAKE], 1))
    assert cpu.findtext("model") == "Skylake-Client"
    assert [f.get("name") for f in cpu.findall("feature")] == ["vmx", "pdpe1gb"]


@pytest.mark.parametrize("xml,expected", [
    ("not xml at all", "(CPU_definition):1: Start tag expected, '<' not found\nnot xml at all\n^"),
    ("<domain/>", "XML error: XML does not contain expected 'cpu' element"),
    ("<cpu><model>Haswell</model></cpu>", "XML error: Missing CPU architecture"),
    ("<cpu><arch>x86_64</arch></cpu>", "XML error: Missing CPU model name"),
    ("<cpu><arch>pdp11</arch><model>x</model></cpu>", "unsupported configuration: Unknown architecture pdp11"),
    ("<cpu><arch>x86_64</arch><model>Z80</model></cpu>", "internal error: Unknown CPU model Z80"),
    ("<cpu><arch>x86_64</arch><model>Haswell</model><feature/></cpu>",
     "XML error: Missing 'name' attribute for CPU feature"),
    ("<cpu><arch>x86_64</arch><model>Haswell</model><feature name=\"a'b\"/></cpu>",
     "internal error: Unknown CPU feature a'b"),
])
def test_baseline_cpu_rejects_bad_xml_with_libvirts_error(bus, xml, expected):
    message = libvirt_error(bus, "BaselineCPU", [CPU_HASWELL, xml], 0)
    assert message.startswith(expected), message


def test_baseline_cpu_of_no_cpus_is_invalid_argument(bus):
    message = libvirt_error(bus, "BaselineCPU", dbus.Array([], signature="s"), 0)
    assert message == "invalid argument: no CPUs given"


def test_baseline_cpu_of_different_vendors_fails(bus):
    epyc = "<cpu><arch>x86_64</arch><model>EPYC</model></cpu>"
    message = libvirt_error(bus, "BaselineCPU", [CPU_HASWELL, epyc], 0)
    assert message == "operation failed: CPU vendors do not match"


def test_baseline_cpu_rejects_unknown_flags(bus):
    assert "unsupported flags (0x2)" in libvirt_error(bus, "BaselineCPU", [CPU_HASWELL], 2)


@pytest.mark.parametrize("xml", [CPU_HASWELL, "not xml"])
def test_compare_cpu_is_not_supported_by_the_test_driver(bus, xml):
    assert libvirt_error(bus, "CompareCPU", xml, 0) == NOT_SUPPORTED + "virConnectCompareCPU"


# --- node statistics -------------------------------------------------------------------------

@pytest.mark.parametrize("cpu_num", [0, 15, -1])
def test_node_get_cpu_stats_returns_the_test_counters(bus, cpu_num):
    stats = connect_iface(bus).NodeGetCPUStats(cpu_num, 0)
    assert isinstance(stats, dbus.Dictionary) and stats.signature == "st"
    assert dict(stats) == {"user": 9797400000, "kernel": 34678723400000, "idle": 87264900000,
                           "iowait": 763600000}
    assert all(isinstance(v, dbus.UInt64) and v.variant_level == 0 for v in stats.values())


def test_node_get_cpu_stats_rejects_a_negative_cpu_other_than_all(bus):
    message = libvirt_error(bus, "NodeGetCPUStats", -2, 0)
    assert message == "invalid argument: cpuNum in virNodeGetCPUStats only accepts -1 as a negative value"


def test_node_get_cpu_stats_rejects_an_unknown_cpu(bus):
    message = libvirt_error(bus, "NodeGetCPUStats", 16, 0)
    assert message == "invalid argument: Invalid cpuNum in virNodeGetCPUStats"


def test_node_get_cpu_stats_rejects_unknown_flags(bus):
    assert "unsupported flags (0x1)" in libvirt_error(bus, "NodeGetCPUStats", 0, 1)


def test_node_get_memory_stats_is_not_supported_by_the_test_driver(bus):
    message = libvirt_error(bus, "NodeGetMemoryStats", -1, 0)
    assert message == NOT_SUPPORTED + "virNodeGetMemoryStats"


def test_node_get_memory_stats_checks_the_cell_before_the_driver(bus):
    message = libvirt_error(bus, "NodeGetMemoryStats", -3, 0)
    assert message == "invalid argument: cellNum in virNodeGetMemoryStats only accepts -1 as a negative value"


def test_node_get_free_memory_sums_the_cells(bus):
    free = connect_iface(bus).NodeGetFreeMemory()
    assert isinstance(free, dbus.UInt64)
    assert free == 1024 * 1024 + 2 * 1024 * 1024


def test_node_get_cpu_map_has_eight_cpus_three_online(bus):
    cpumap = connect_iface(bus).NodeGetCPUMap(0)
    assert isinstance(cpumap, dbus.Array) and cpumap.signature == "b"
    assert list(cpumap) == [True, False, True, False, True, False, False, False]
    assert all(isinstance(cpu, dbus.Boolean) for cpu in cpumap)


def test_node_get_cpu_map_rejects_unknown_flags(bus):
    assert "unsupported flags (0x1)" in libvirt_error(bus, "NodeGetCPUMap", 1)


def test_node_get_security_model_is_test_security(bus):
    model = connect_iface(bus).NodeGetSecurityModel()
    assert isinstance(model, dbus.Struct) and all(isinstance(field, dbus.String) for field in model)
    assert tuple(model) == ("testSecurity", "")


# --- memory parameters -----------------------------------------------------------------------

def test_node_get_memory_parameters_is_not_supported_by_the_test_driver(bus):
    message = libvirt_error(bus, "NodeGetMemoryParameters", 0)
    assert message == NOT_SUPPORTED + "virNodeGetMemoryParameters"


def test_node_set_memory_parameters_is_not_supported_by_the_test_driver(bus):
    params = dbus.Dictionary({"shm_pages_to_scan": dbus.UInt32(200), "shm_merge_across_nodes": dbus.UInt32(1)},
                             signature="sv")
    message = libvirt_error(bus, "NodeSetMemoryParameters", params, 0)
    assert message == NOT_SUPPORTED + "virNodeSetMemoryParameters"


def test_node_set_memory_parameters_without_parameters_is_invalid_argument(bus):
    message = libvirt_error(bus, "NodeSetMemoryParameters", dbus.Dictionary({}, signature="sv"), 0)
    assert message == "invalid argument: params in virNodeSetMemoryParameters must not be NULL"


@pytest.mark.parametrize("value,wire", [
    (dbus.Array([1, 2], signature="i"), "ai"),
    (dbus.Byte(3), "y"),
    (dbus.ObjectPath("/x"), "o"),
])
def test_node_set_memory_parameters_rejects_values_of_no_typed_parameter_type(bus, value, wire):
    params = dbus.Dictionary({"shm_pages_to_scan": value}, signature="sv")
    message = libvirt_error(bus, "NodeSetMemoryParameters", params, 0)
    assert message == "invalid argument: typed parameter 'shm_pages_to_scan' has unsupported type '%s'" % wire


def test_node_set_memory_parameters_rejects_a_too_long_name(bus):
    name = "x" * 80
    params = dbus.Dictionary({name: dbus.UInt32(1)}, signature="sv")
    message = libvirt_error(bus, "NodeSetMemoryParameters", params, 0)
    assert message == "invalid argument: Field name '%s' too long" % name


# --- the interface as a whole ----------------------------------------------------------------

NODE_METHODS = {
    "BaselineCPU": ("asu", "s"), "CompareCPU": ("su", "i"), "GetCapabilities": ("", "s"),
    "GetCPUModelNames": ("su", "as"), "GetDomainCapabilities": ("ssssu", "s"), "GetSysinfo": ("u", "s"),
    "NodeGetCPUMap": ("u", "ab"), "NodeGetCPUStats": ("iu", "a{st}"), "NodeGetFreeMemory": ("", "t"),
    "NodeGetMemoryParameters": ("u", "a{sv}"), "NodeGetMemoryStats": ("iu", "a{st}"),
    "NodeGetSecurityModel": ("", "(ss)"), "NodeSetMemoryParameters": ("a{sv}u", ""),
}


def test_introspection_merges_node_methods_into_connect(bus):
    xml = bus.get_object("org.libvirt", TEST_PATH).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
    ifaces = ET.fromstring(xml).findall("interface[@name='org.libvirt.Connect']")
    methods = {}
    for iface in ifaces:
        for m in iface.findall("method"):
            args = m.findall("arg")
            methods[m.get("name")] = ("".join(a.get("type") for a in args if a.get("direction") == "in"),
                                      "".join(a.get("type") for a in args if a.get("direction") == "out"))
    assert "ListDomains" in methods
    for name, signature in NODE_METHODS.items():
        assert methods.get(name) == signature, name


def test_wrong_signature_is_invalid_args(bus):
    with pytest.raises(dbus.DBusException) as excinfo:
        bus.call_blocking("org.libvirt", TEST_PATH, "org.libvirt.Connect", "NodeGetCPUStats", "su", ("zero", 0))
    assert excinfo.value.get_dbus_name() == "org.freedesktop.DBus.Error.InvalidArgs"


def test_connect_properties_still_served_beside_node_methods(bus):
    props = bus.get_object("org.libvirt", TEST_PATH).GetAll("org.libvirt.Connect",
                                                             dbus_interface=dbus.PROPERTIES_IFACE)
    assert props["Version"] == 2 and props["Version"].variant_level == 2


def _signatures(interface):
    result = {}
    for m in interface.findall("method"):
        args = m.findall("arg")
        result[m.get("name")] = tuple("".join(a.get("type") for a in args if a.get("direction") == direction)
                                      for direction in ("in", "out"))
    return result


def test_shipped_introspection_xml_matches_what_is_served(bus):
    srcdir = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
    shipped = ET.parse(os.path.join(srcdir, "data", "org.libvirt.Connect.xml"))
    shipped_methods = _signatures(shipped.find("interface[@name='org.libvirt.Connect']"))
    xml = bus.get_object("org.libvirt", TEST_PATH).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
    served = {}
    for iface in ET.fromstring(xml).findall("interface[@name='org.libvirt.Connect']"):
        served.update(_signatures(iface))
    assert {name: served.get(name) for name in shipped_methods} == shipped_methods
