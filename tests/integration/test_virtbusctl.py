"""virtbusctl, the command-line client, against virtbusd on a private bus: commands, --json, errors,
events and the bash completion script."""
import json
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import BUILDDIR, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, TEST_PATH, connect_iface, domain_iface

VIRTBUSCTL = os.path.join(BUILDDIR, "virtbusctl")
SRCDIR = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
COMPLETION = os.path.join(SRCDIR, "data", "completion", "virtbusctl")

NEW_DOMAIN = """<domain type='test'>
  <name>foo</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>"""
NEW_UUID = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"

DISK = """<disk type='file' device='disk'>
  <source file='/var/lib/images/extra.img'/>
  <target dev='vdb' bus='virtio'/>
</disk>"""


def ctl_env(daemon, **extra):
    env = {k: v for k, v in os.environ.items() if k != "VIRTBUSCTL_DEFAULT_URI"}
    env["DBUS_SESSION_BUS_ADDRESS"] = daemon.bus.address
    env.update(extra)
    return env


def assert_sane(stderr):
    assert "AddressSanitizer" not in stderr and "runtime error:" not in stderr, stderr


def ctl(daemon, *args, status=0, env=None, stdin=None):
    proc = subprocess.run([VIRTBUSCTL, *args], env=env or ctl_env(daemon), input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert_sane(proc.stderr)
    assert proc.returncode == status, "virtbusctl %s exited %s:\n%s%s" % (
        " ".join(args), proc.returncode, proc.stdout, proc.stderr)
    return proc


def ctl_error(daemon, *args, status=1, env=None):
    """A failure: the given status, nothing on stdout and exactly one line on stderr."""
    proc = ctl(daemon, *args, status=status, env=env)
    lines = proc.stderr.splitlines()
    assert lines and lines[0].startswith("virtbusctl: error: "), proc.stderr
    if status == 1:
        assert len(lines) == 1, proc.stderr
    return lines[0][len("virtbusctl: error: "):]


def state(bus, path=TEST_DOMAIN_PATH):
    return domain_iface(bus, path).GetState(0)[0]


def require_method(bus, path, interface, member):
    """Marks the test xfail while the daemon does not serve a libvirt-dbus method yet."""
    data = dbus.Interface(bus.get_object("org.libvirt", path), "org.freedesktop.DBus.Introspectable").Introspect()
    for iface in ET.fromstring(data).findall("interface"):
        if iface.get("name") == interface and any(m.get("name") == member for m in iface.findall("method")):
            return
    pytest.xfail("daemon lacks %s.%s yet" % (interface, member))


def write(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- listing and inspecting ---------------------------------------------------------------------

def test_list_prints_a_virsh_table_of_running_domains(daemon):
    lines = ctl(daemon, "list").stdout.splitlines()
    assert lines[0].split() == ["Id", "Name", "State"]
    assert set(lines[1]) == {"-"}
    assert lines[2].split() == ["1", "test", "running"]
    assert len(lines) == 3


def test_list_all_and_inactive_include_defined_domains(daemon, bus, workdir):
    connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    assert "foo" not in ctl(daemon, "list").stdout
    rows = [line.split(None, 2) for line in ctl(daemon, "list", "--all").stdout.splitlines()[2:]]
    assert rows == [["1", "test", "running"], ["-", "foo", "shut off"]]
    rows = [line.split(None, 2) for line in ctl(daemon, "list", "--inactive").stdout.splitlines()[2:]]
    assert rows == [["-", "foo", "shut off"]]
    assert ctl(daemon, "list", "--all", "--name").stdout.split() == ["test", "foo"]
    assert ctl(daemon, "list", "--all", "--uuid").stdout.split() == [TEST_DOMAIN_UUID, NEW_UUID]


def test_list_json_is_one_document_of_domain_objects(daemon, bus):
    connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    domains = json.loads(ctl(daemon, "--json", "list", "--all").stdout)
    assert domains == [
        {"id": 1, "name": "test", "uuid": TEST_DOMAIN_UUID, "state": "running", "persistent": True,
         "autostart": False},
        {"id": None, "name": "foo", "uuid": NEW_UUID, "state": "shut off", "persistent": True,
         "autostart": False},
    ]
    assert json.loads(ctl(daemon, "list", "--inactive", "--json").stdout)[0]["name"] == "foo"


def test_dominfo_prints_virsh_fields(daemon):
    out = ctl(daemon, "dominfo", "test").stdout
    fields = dict(line.split(":", 1) for line in out.splitlines())
    fields = {k: v.strip() for k, v in fields.items()}
    assert fields["Id"] == "1"
    assert fields["Name"] == "test"
    assert fields["UUID"] == TEST_DOMAIN_UUID
    assert fields["OS Type"] == "hvm"
    assert fields["State"] == "running"
    assert fields["CPU(s)"] == "2"
    assert fields["Max memory"] == "8388608 KiB"
    assert fields["Used memory"] == "2097152 KiB"
    assert fields["Persistent"] == "yes"
    assert fields["Autostart"] == "disable"
    assert "Managed save" in fields
    assert out.splitlines()[0] == "Id:             1"


def test_dominfo_json(daemon):
    info = json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)
    assert info["name"] == "test" and info["uuid"] == TEST_DOMAIN_UUID and info["id"] == 1
    assert info["state"] == "running" and info["cpus"] == 2
    assert info["max_memory_kib"] == 8388608 and info["used_memory_kib"] == 2097152
    assert info["os_type"] == "hvm" and info["persistent"] is True and info["autostart"] is False
    assert info["managed_save"] in (True, False, None)


@pytest.mark.parametrize("ref", ["test", "1", TEST_DOMAIN_UUID])
def test_domain_argument_is_name_id_or_uuid(daemon, ref):
    assert json.loads(ctl(daemon, "dominfo", ref, "--json").stdout)["uuid"] == TEST_DOMAIN_UUID


def test_dumpxml_live_and_inactive(daemon, bus):
    live = ET.fromstring(ctl(daemon, "dumpxml", "test").stdout)
    assert live.get("id") == "1" and live.findtext("name") == "test"
    inactive = ET.fromstring(ctl(daemon, "dumpxml", "--inactive", "test").stdout)
    assert inactive.get("id") is None and inactive.findtext("uuid") == TEST_DOMAIN_UUID


# ---- jobs -----------------------------------------------------------------------------------------

# The test driver has no job calls, as libvirt 9.0's: virsh's words for it (GetJobStats, then
# GetJobInfo, both "not supported"); tests/integration/test_qemu_jobcli.py runs them on a real save.
NOT_SUPPORTED = "this function is not supported by the connection driver: "


@pytest.mark.parametrize("ref", ["test", "1", TEST_DOMAIN_UUID])
def test_domjobinfo_on_the_test_driver_says_what_virsh_says(daemon, ref):
    proc = ctl(daemon, "domjobinfo", ref, status=1)
    assert proc.stdout == ""
    assert proc.stderr == "virtbusctl: error: " + NOT_SUPPORTED + "virDomainGetJobInfo\n"
    assert ctl_error(daemon, "--json", "domjobinfo", ref) == NOT_SUPPORTED + "virDomainGetJobInfo"
    # Flags need GetJobStats: virsh refuses them when the daemon falls back.
    assert ctl_error(daemon, "domjobinfo", ref, "--completed") == \
        "Optional flags or --rawstats are not supported by the daemon"
    assert ctl_error(daemon, "domjobinfo", ref, "--rawstats") == \
        "Optional flags or --rawstats are not supported by the daemon"


def test_domjobabort_on_the_test_driver_is_the_daemons_error_and_exit_1(daemon):
    proc = ctl(daemon, "domjobabort", "test", status=1)
    assert proc.stdout == ""
    assert proc.stderr == "virtbusctl: error: " + NOT_SUPPORTED + "virDomainAbortJob\n"


def test_job_commands_on_an_unknown_domain_and_their_options(daemon):
    for command in ("domjobinfo", "domjobabort"):
        message = ctl_error(daemon, command, "nosuch")
        assert "failed to get domain 'nosuch'" in message and "Domain not found" in message, message
    proc = ctl(daemon, "domjobinfo", "test", "--keep-completed", status=2)
    assert "Option --completed is required by option --keep-completed" in proc.stderr, proc.stderr


# ---- defining -------------------------------------------------------------------------------------

def test_define_then_undefine(daemon, bus, workdir):
    path = write(workdir, "foo.xml", NEW_DOMAIN)
    assert ctl(daemon, "define", path).stdout == "Domain 'foo' defined from %s\n" % path
    assert connect_iface(bus).DomainLookupByName("foo").endswith("_4dea22b3_1d52_d8f3_2516_782e98ab3fa0")
    assert ctl(daemon, "undefine", "foo").stdout == "Domain 'foo' has been undefined\n"
    assert ctl(daemon, "list", "--all", "--name").stdout.split() == ["test"]


def test_define_reads_standard_input(daemon, bus):
    assert "Domain 'foo' defined from -" in ctl(daemon, "define", "-", stdin=NEW_DOMAIN).stdout


def test_create_starts_a_transient_domain(daemon, bus, workdir):
    path = write(workdir, "foo.xml", NEW_DOMAIN)
    assert ctl(daemon, "create", path).stdout == "Domain 'foo' created from %s\n" % path
    info = json.loads(ctl(daemon, "dominfo", "foo", "--json").stdout)
    assert info["state"] == "running" and info["persistent"] is False
    ctl(daemon, "destroy", "foo")
    assert ctl(daemon, "list", "--all", "--name").stdout.split() == ["test"]


def test_create_paused(daemon, bus, workdir):
    ctl(daemon, "create", "--paused", write(workdir, "foo.xml", NEW_DOMAIN))
    assert json.loads(ctl(daemon, "dominfo", "foo", "--json").stdout)["state"] == "paused"


# ---- lifecycle ------------------------------------------------------------------------------------

def test_lifecycle_commands_change_state(daemon, bus):
    assert ctl(daemon, "suspend", "test").stdout == "Domain 'test' suspended\n"
    assert state(bus) == 3
    assert ctl(daemon, "resume", "test").stdout == "Domain 'test' resumed\n"
    assert state(bus) == 1
    assert ctl(daemon, "reboot", "test").stdout == "Domain 'test' is being rebooted\n"
    assert ctl(daemon, "reset", "test").stdout == "Domain 'test' was reset\n"
    assert state(bus) == 1
    assert ctl(daemon, "shutdown", "test").stdout == "Domain 'test' is being shutdown\n"
    assert state(bus) == 5
    assert ctl(daemon, "start", "test").stdout == "Domain 'test' started\n"
    assert state(bus) == 1
    assert ctl(daemon, "destroy", "test").stdout == "Domain 'test' destroyed\n"
    assert state(bus) == 5
    ctl(daemon, "start", "--paused", "test")
    assert state(bus) == 3


def test_managedsave_then_start_restores(daemon, bus):
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["managed_save"] is False
    assert ctl(daemon, "managedsave", "test").stdout == "Domain 'test' state saved by libvirt\n"
    assert state(bus) == 5
    assert "Managed save:   yes\n" in ctl(daemon, "dominfo", "test").stdout
    ctl(daemon, "start", "test")
    assert state(bus) == 1
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["managed_save"] is False


def test_save_and_restore(daemon, bus, workdir):
    require_method(bus, TEST_DOMAIN_PATH, "org.libvirt.Domain", "Save")
    require_method(bus, TEST_PATH, "org.libvirt.Connect", "DomainRestore")
    image = os.path.join(workdir, "test.save")
    assert ctl(daemon, "save", "test", image).stdout == "Domain 'test' saved to %s\n" % image
    assert state(bus) == 5
    assert ctl(daemon, "restore", image).stdout == "Domain restored from %s\n" % image
    assert state(bus) == 1


def test_setvcpus(daemon, bus):
    require_method(bus, TEST_DOMAIN_PATH, "org.libvirt.Domain", "SetVcpus")
    assert ctl(daemon, "setvcpus", "test", "1").stdout == ""
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["cpus"] == 1


def test_setmem_accepts_units(daemon, bus):
    require_method(bus, TEST_DOMAIN_PATH, "org.libvirt.Domain", "SetMemory")
    ctl(daemon, "setmem", "test", "1048576")
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["used_memory_kib"] == 1048576
    ctl(daemon, "setmem", "test", "512M")
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["used_memory_kib"] == 524288


def test_autostart_and_disable(daemon, bus):
    assert ctl(daemon, "autostart", "test").stdout == "Domain 'test' marked as autostarted\n"
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["autostart"] is True
    assert ctl(daemon, "autostart", "--disable", "test").stdout == "Domain 'test' unmarked as autostarted\n"
    assert json.loads(ctl(daemon, "dominfo", "test", "--json").stdout)["autostart"] is False


def test_attach_and_detach_device_in_the_definition(daemon, bus, workdir):
    require_method(bus, TEST_DOMAIN_PATH, "org.libvirt.Domain", "AttachDevice")
    require_method(bus, TEST_DOMAIN_PATH, "org.libvirt.Domain", "DetachDevice")
    disk = write(workdir, "disk.xml", DISK)
    assert ctl(daemon, "attach-device", "test", disk, "--config").stdout == "Device attached successfully\n"
    targets = [t.get("dev") for t in ET.fromstring(ctl(daemon, "dumpxml", "--inactive", "test").stdout)
               .findall("devices/disk/target")]
    assert "vdb" in targets
    assert ctl(daemon, "detach-device", "test", disk, "--config").stdout == "Device detached successfully\n"
    targets = [t.get("dev") for t in ET.fromstring(ctl(daemon, "dumpxml", "--inactive", "test").stdout)
               .findall("devices/disk/target")]
    assert "vdb" not in targets


# ---- connections ----------------------------------------------------------------------------------

def test_system_option_uses_the_system_bus(daemon):
    env = ctl_env(daemon, DBUS_SYSTEM_BUS_ADDRESS=daemon.bus.address,
                  DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    assert ctl(daemon, "--system", "list", "--name", env=env).stdout == "test\n"
    env = ctl_env(daemon, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/bus")
    assert "system bus" in ctl_error(daemon, "--system", "list", env=env)


def test_connect_uri_and_default_uri_from_environment(daemon):
    assert ctl(daemon, "-c", "test:///default", "list", "--name").stdout == "test\n"
    assert ctl(daemon, "--connect", "test:///default", "list", "--name").stdout == "test\n"
    env = ctl_env(daemon, VIRTBUSCTL_DEFAULT_URI="bogus:///x")
    assert "bogus:///x" in ctl_error(daemon, "list", status=2, env=env)
    assert ctl(daemon, "-c", "test:///default", "list", "--name", env=env).stdout == "test\n"


# ---- errors ---------------------------------------------------------------------------------------

def test_unknown_domain_is_one_line_and_exit_1(daemon):
    message = ctl_error(daemon, "dominfo", "nosuch")
    assert "nosuch" in message and "Domain not found" in message


def test_daemon_error_text_is_passed_through(daemon, bus):
    ctl(daemon, "destroy", "test")
    assert "domain is not running" in ctl_error(daemon, "suspend", "test")


def test_bad_xml_file_is_the_daemons_error(daemon, workdir):
    assert "failed to define domain" in ctl_error(daemon, "define", write(workdir, "bad.xml", "<domain>"))
    assert "missing.xml" in ctl_error(daemon, "define", os.path.join(workdir, "missing.xml"))


def test_no_daemon_is_a_clear_error(private_bus):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=private_bus.address)
    proc = subprocess.run([VIRTBUSCTL, "list"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("virtbusctl: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "org.libvirt" in proc.stderr


@pytest.mark.parametrize("args, text", [
    ([], "no command"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["list", "--bogus"], "unrecognized option '--bogus'"),
    (["list", "--follow"], "does not take --follow"),
    (["list", "--all", "--inactive"], "exclude each other"),
    (["--system", "--session", "list"], "exclude each other"),
    (["dominfo"], "needs DOMAIN"),
    (["dominfo", "a", "b"], "too many arguments"),
    (["domjobinfo"], "needs DOMAIN"),
    (["domjobabort", "test", "--live"], "does not take --live"),
    (["setmem", "test", "lots"], "invalid memory size"),
    (["setvcpus", "test", "0"], "invalid vCPU count"),
    (["events", "--timeout", "soon"], "invalid timeout"),
    (["-c", "xen:///", "list"], "unsupported URI"),
])
def test_usage_errors_exit_2(daemon, args, text):
    assert text in ctl_error(daemon, *args, status=2)


def test_help_and_version(daemon):
    out = ctl(daemon, "--help").stdout
    for command in ("list", "dominfo", "events", "attach-device", "managedsave"):
        assert command in out
    assert ctl(daemon, "help", "setmem").stdout.startswith("Usage: virtbusctl setmem DOMAIN SIZE")
    assert ctl(daemon, "help", "domjobabort").stdout.startswith("Usage: virtbusctl domjobabort DOMAIN")
    assert ctl(daemon, "list", "--help").stdout.startswith("Usage: virtbusctl list")
    assert ctl(daemon, "--version").stdout.startswith("virtbusctl ")


# ---- events ---------------------------------------------------------------------------------------

def start_events(daemon, bus, *args):
    """Starts `virtbusctl events ARGS` and returns once its DomainEvent match is on the bus."""
    before = match_owners(bus)
    proc = subprocess.Popen([VIRTBUSCTL, "events", *args], env=ctl_env(daemon), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if match_owners(bus) - before:
            return proc
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("virtbusctl events never subscribed")


def match_owners(bus):
    """Connections with a DomainEvent match rule (dbus-daemon's Debug.Stats interface)."""
    stats = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
                           "org.freedesktop.DBus.Debug.Stats")
    return {str(name) for name, rules in stats.GetAllMatchRules().items()
            if any("member='DomainEvent'" in rule for rule in rules)}


def finish(proc, timeout=10):
    out, err = proc.communicate(timeout=timeout)
    assert_sane(err)
    return out, err


def test_events_prints_the_next_lifecycle_event_and_exits(daemon, bus):
    proc = start_events(daemon, bus)
    domain_iface(bus).Destroy(0)
    out, err = finish(proc)
    assert proc.returncode == 0, err
    assert out == "event 'lifecycle' for domain 'test': Stopped Destroyed\n"


def test_events_follow_json_prints_one_object_per_line_until_sigint(daemon, bus):
    proc = start_events(daemon, bus, "--follow", "--json")
    domain_iface(bus).Suspend()
    domain_iface(bus).Resume()
    path = connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    # The signal names only a path: let the client see the domain before it goes away.
    lines = [proc.stdout.readline() for _ in range(3)]
    domain_iface(bus, path).Undefine(0)
    lines.append(proc.stdout.readline())
    proc.send_signal(signal.SIGINT)
    out, err = finish(proc)
    assert proc.returncode == 0, err
    assert out == ""
    events = [json.loads(line) for line in lines]
    assert [(e["domain"], e["event"], e["detail"], e["event_id"], e["detail_id"]) for e in events] == [
        ("test", "Suspended", "Paused", 3, 0),
        ("test", "Resumed", "Unpaused", 4, 0),
        ("foo", "Defined", "Added", 0, 0),
        ("foo", "Undefined", "Removed", 1, 0),  # named although the domain is gone
    ]
    assert events[0]["uuid"] == TEST_DOMAIN_UUID and events[3]["uuid"] == NEW_UUID
    assert all(e["timestamp"].endswith("Z") for e in events)


def test_events_for_one_domain_ignore_others(daemon, bus):
    proc = start_events(daemon, bus, "test")
    connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    domain_iface(bus).Suspend()
    out, err = finish(proc)
    assert proc.returncode == 0, err
    assert out == "event 'lifecycle' for domain 'test': Suspended Paused\n"


def test_events_follow_stops_on_sigterm_with_status_0(daemon, bus):
    proc = start_events(daemon, bus, "--follow")
    proc.send_signal(signal.SIGTERM)
    finish(proc)
    assert proc.returncode == 0


def test_events_timeout(daemon):
    assert "no event within 0.2 seconds" in ctl_error(daemon, "events", "--timeout", "0.2")
    assert ctl(daemon, "events", "--follow", "--timeout", "0.2").stdout == ""


# ---- bash completion ------------------------------------------------------------------------------

def complete(daemon, *words):
    """Runs the completion function for the words typed so far (the last one being completed)."""
    script = ("source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _virtbusctl; printf '%%s\\n' \"${COMPREPLY[@]}\""
              % (COMPLETION, " ".join("'%s'" % w for w in words), len(words) - 1))
    env = ctl_env(daemon, PATH=BUILDDIR + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


def test_completion_script_parses():
    subprocess.run(["bash", "-n", COMPLETION], check=True)


def test_completion_of_commands_options_and_domains(daemon, bus):
    assert complete(daemon, "virtbusctl", "li") == ["list"]
    assert complete(daemon, "virtbusctl", "su") == ["suspend"]
    assert "--inactive" in complete(daemon, "virtbusctl", "list", "--")
    assert complete(daemon, "virtbusctl", "dominfo", "t") == ["test"]
    assert sorted(complete(daemon, "virtbusctl", "domjob")) == ["domjobabort", "domjobinfo"]
    assert complete(daemon, "virtbusctl", "domjobinfo", "t") == ["test"]
    assert complete(daemon, "virtbusctl", "-c", "test:///default", "destroy", "") == ["test"]
    connect_iface(bus).DomainDefineXML(NEW_DOMAIN)
    assert complete(daemon, "virtbusctl", "start", "") == ["foo"]


def test_undefine_managed_save_and_save_state_options(daemon, workdir):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=daemon.bus.address)
    ctl = os.path.join(BUILDDIR, "virtbusctl")

    def run(*args):
        return subprocess.run([ctl, *args], env=env, capture_output=True, text=True, timeout=30)

    assert run("managedsave", "test").returncode == 0
    refused = run("undefine", "test")
    assert refused.returncode == 1 and "managed save image exists" in refused.stderr
    assert run("undefine", "test", "--managed-save").returncode == 0
    assert run("list", "--all", "--name").stdout.split() == []
    usage = run("save", "x", "/tmp/x", "--running", "--paused")
    assert usage.returncode == 2 and "mutually exclusive" in usage.stderr
