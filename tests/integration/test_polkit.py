"""Authorization on the system bus against a real polkitd: every method for every kind of caller,
libvirt's flag-conditional permissions, list filtering and hidden domains, the cache and polkit's
Changed signal, interactive authorization, callers served while polkit thinks, and failing
closed when polkitd is gone. See polkit_env.py for the world these run in."""
import os
import pwd
import re
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import pytest

import polkit_env
from conftest import BUILDDIR, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, TEST_PATH, VIRTBUSD

DENIED = "org.freedesktop.DBus.Error.AccessDenied"
LIBVIRT_ERROR = "org.libvirt.Error"
# What libvirt's defaults allow anyone (org.libvirt.api.policy: allow_any=yes): getattr, read and
# search-* of every object kind.
OPEN_ACTIONS = {"org.libvirt.api.connect.getattr", "org.libvirt.api.connect.read",
                "org.libvirt.api.connect.search-domains", "org.libvirt.api.domain.getattr",
                "org.libvirt.api.domain.read"} | {
    "org.libvirt.api.connect.search-" + kind
    for kind in ("networks", "storage-pools", "node-devices", "interfaces", "secrets", "nwfilters")} | {
    "org.libvirt.api.%s.%s" % (kind, perm)
    for kind in ("network", "storage-pool", "storage-vol", "node-device", "interface", "secret", "nwfilter")
    for perm in ("getattr", "read")} | {"org.libvirt.api.storage-pool.search-storage-vols"}
SNAPSHOT_XML = "<domainsnapshot><name>snap1</name></domainsnapshot>"


def domain_xml(name):
    return ("<domain type='test'><name>%s</name><memory>8192</memory><os><type>hvm</type></os></domain>" % name)


# --- the authorization table, as the daemon's own tables print it ------------------------------

def read_policy_table():
    """{(kind, interface, member): (target, [actions], filtered)}; kind is method, get or set;
    target is what the call is about (none, connect or domain); actions are the polkit actions
    it needs when every flags argument is 0."""
    probe = os.path.join(BUILDDIR, "tests", "unit", "policy-table")
    out = subprocess.run([probe], check=True, capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        kind, iface, member, target, actions, filtered = line.split("\t")
        assert actions != "UNDEFINED", "no rule in policy/acl.c for %s.%s" % (iface, member)
        table[(kind, iface, member)] = (target, [] if actions == "-" else actions.split(","), filtered == "filtered")
    return table


# --- the calls: every method and property the daemon serves, from its own introspection -------

def default_args(signature):
    """Zero values for each complete type in signature."""
    args, i = [], 0
    while i < len(signature):
        c = signature[i]
        if c == "a":
            j = i + 1
            if signature[j] in "({":
                depth, j = 0, j
                while True:
                    depth += signature[j] in "({"
                    depth -= signature[j] in ")}"
                    j += 1
                    if depth == 0:
                        break
            else:
                j += 1
            args.append({} if signature[i + 1] == "{" else [])
            i = j
            continue
        args.append({"s": "", "b": False}.get(c, 0))
        i += 1
    return args


SPECIAL_ARGS = {"DomainLookupByName": ["test"], "DomainLookupByUUID": [TEST_DOMAIN_UUID],
                "DomainLookupByID": [1],
                # well-formed, naming no object: a hidden one and a missing one answer alike
                "NetworkLookupByUUID": ["6695eb01-f6a4-8304-79aa-97f2502e193f"],
                "StoragePoolLookupByUUID": ["6695eb01-f6a4-8304-79aa-97f2502e193f"]}


def introspect(world, path):
    out = world.run_as("root", [dict(path=path, interface="org.freedesktop.DBus.Introspectable",
                                     member="Introspect")])[0]
    assert out["ok"], out
    return ET.fromstring(out["value"])


def all_calls(world, snapshot_path):
    calls = []
    for path in (TEST_PATH, TEST_DOMAIN_PATH, snapshot_path):
        for iface in introspect(world, path).findall("interface"):
            name = iface.get("name")
            for method in iface.findall("method"):
                member = method.get("name")
                signature = "".join(a.get("type") for a in method.findall("arg") if a.get("direction", "in") == "in")
                if name == "org.freedesktop.DBus.Properties":
                    continue  # below, once per property
                args = SPECIAL_ARGS.get(member, default_args(signature))
                calls.append(dict(kind="method", path=path, interface=name, member=member, signature=signature,
                                  args=args))
            for prop in iface.findall("property"):
                calls.append(dict(kind="get", path=path, interface="org.freedesktop.DBus.Properties", member="Get",
                                  signature="ss", args=[name, prop.get("name")], rule=(name, prop.get("name"))))
                if prop.get("access") == "readwrite":
                    calls.append(dict(kind="set", path=path, interface="org.freedesktop.DBus.Properties",
                                      member="Set", signature="ssv", args=[name, prop.get("name")], variant=False,
                                      rule=(name, prop.get("name"))))
            if iface.findall("property"):
                calls.append(dict(kind="getall", path=path, interface="org.freedesktop.DBus.Properties",
                                  member="GetAll", signature="s", args=[name], rule=(name, None)))
    return calls


def expected(table, call, caller):
    """(outcome, detail): "allowed" (anything but AccessDenied), "denied" (AccessDenied naming detail)
    or "hidden" (org.libvirt.Error "Domain not found", "Network not found", ...)."""
    if caller in ("root", "vbtest-admin"):
        return "allowed", None
    if call["kind"] == "getall":
        iface = call["rule"][0]
        rows = [v for (k, i, _), v in table.items() if k == "get" and i == iface]
        target, actions = rows[0][0], sorted({a for _, acts, _ in rows for a in acts})
    elif call["kind"] in ("get", "set"):
        target, actions, _ = table[(call["kind"],) + call["rule"]]
    else:
        target, actions, _ = table[("method", call["interface"], call["member"])]
    if target == "none" or not actions:
        return "allowed", None
    if caller == "vbtest-none":
        return ("hidden", None) if target in ("domain", "object") else ("denied", actions[0])
    closed = [a for a in actions if a not in OPEN_ACTIONS]
    return ("denied", closed[0]) if closed else ("allowed", None)


def check(call, result, outcome, detail):
    what = "%s.%s%s on %s" % (call["interface"], call["member"], call["args"], call["path"])
    if outcome == "allowed":
        assert result.get("error") != DENIED, "%s was refused: %s" % (what, result)
    elif outcome == "denied":
        assert result.get("error") == DENIED, "%s was not refused: %s" % (what, result)
        assert result["message"].startswith("access denied by policy: " + detail), (what, result)
    else:
        assert result.get("error") == LIBVIRT_ERROR and " not found: no " in result["message"], \
            "%s did not hide the object: %s" % (what, result)


# --- fixtures ---------------------------------------------------------------------------------

machine = pytest.fixture(scope="module", name="machine")(polkit_env.machine_setup)


def start_world(cache_seconds=5):
    world = polkit_env.SystemBus(VIRTBUSD)
    try:
        world.start_bus()
        world.start_polkitd()
        world.start_virtbusd(cache_seconds=cache_seconds)
    except BaseException:
        world.stop()
        raise
    return world


def finish_world(world):
    log = world.daemon_log() if "virtbusd" in world.logs else ""
    status = world.stop()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log
    assert status in (0, None), "virtbusd exited with %s:\n%s" % (status, log)


@pytest.fixture
def world(machine):
    w = start_world()
    yield w
    finish_world(w)


def root_call(world, path, interface, member, signature="", args=()):
    result = world.run_as("root", [dict(path=path, interface=interface, member=member, signature=signature,
                                        args=list(args))])[0]
    assert result["ok"], result
    return result["value"]


def define(world, name, start=False):
    member = "DomainCreateXML" if start else "DomainDefineXML"
    signature = "su" if start else "s"
    args = [domain_xml(name), 0] if start else [domain_xml(name)]
    return root_call(world, TEST_PATH, "org.libvirt.Connect", member, signature, args)


# --- the tests --------------------------------------------------------------------------------

def test_every_method_and_property_for_every_caller(world):
    table = read_policy_table()
    snapshot = root_call(world, TEST_DOMAIN_PATH, "org.libvirt.Domain", "SnapshotCreateXML", "su", [SNAPSHOT_XML, 0])
    calls = all_calls(world, snapshot)
    covered = {(c["interface"], c["member"]) for c in calls if c["kind"] == "method"}
    assert len(covered) > 120, covered
    for call in calls:
        key = ("method", call["interface"], call["member"]) if call["kind"] == "method" else None
        assert key is None or key in table, "no entry in dbus/operation_map.c for %s.%s" % key[1:]
    checked = 0
    # Callers that cannot change anything go first; root and admin may stop and delete things.
    for caller in ("vbtest-viewer", "vbtest-none", "vbtest-admin", "root"):
        wire = [{k: v for k, v in c.items() if k in ("path", "interface", "member", "signature", "args", "variant")}
                for c in calls]
        for call, result in zip(calls, world.run_as(caller, wire)):
            outcome, detail = expected(table, call, caller)
            check(call, result, outcome, detail)
            checked += 1
    assert checked == 4 * len(calls)
    log = world.daemon_log()
    uid = polkit_env.pwd.getpwnam("vbtest-viewer").pw_uid
    assert re.search(r"refused virDomainDestroyFlags on test to uid %d \(:" % uid, log), log


FLAG_CASES = [
    # caller, path, member, signature, args, expected outcome, action
    ("vbtest-viewer", TEST_DOMAIN_PATH, "GetXMLDesc", "u", [0], "allowed", None),
    ("vbtest-viewer", TEST_DOMAIN_PATH, "GetXMLDesc", "u", [2], "allowed", None),  # INACTIVE
    ("vbtest-viewer", TEST_DOMAIN_PATH, "GetXMLDesc", "u", [1], "denied", "org.libvirt.api.domain.read-secure"),
    ("vbtest-viewer", TEST_DOMAIN_PATH, "GetXMLDesc", "u", [8], "denied", "org.libvirt.api.domain.read-secure"),
    ("vbtest-viewer", TEST_DOMAIN_PATH, "InterfaceAddresses", "uu", [0, 0], "allowed", None),
    ("vbtest-viewer", TEST_DOMAIN_PATH, "InterfaceAddresses", "uu", [1, 0], "denied", "org.libvirt.api.domain.write"),
    ("vbtest-viewer", TEST_DOMAIN_PATH, "GetVcpus", "u", [8], "denied", "org.libvirt.api.domain.write"),
    ("vbtest-limited", TEST_DOMAIN_PATH, "SetMemory", "tu", [8192, 1], "allowed", None),  # LIVE
    ("vbtest-limited", TEST_DOMAIN_PATH, "SetMemory", "tu", [8192, 0], "denied", "org.libvirt.api.domain.save"),
    ("vbtest-limited", TEST_DOMAIN_PATH, "SetMemory", "tu", [8192, 2], "denied", "org.libvirt.api.domain.save"),
    ("vbtest-limited", TEST_DOMAIN_PATH, "Shutdown", "u", [2], "allowed", None),  # GUEST_AGENT: write granted
    ("vbtest-limited", TEST_DOMAIN_PATH, "SnapshotCreateXML", "su", [SNAPSHOT_XML, 64], "allowed", None),
    ("vbtest-limited", TEST_DOMAIN_PATH, "GetXMLDesc", "u", [1], "denied", "org.libvirt.api.domain.read-secure"),
]


def test_flags_that_need_more_permissions_are_checked(world):
    for caller in ("vbtest-viewer", "vbtest-limited"):
        cases = [c for c in FLAG_CASES if c[0] == caller]
        calls = [dict(path=c[1], interface="org.libvirt.Domain", member=c[2], signature=c[3], args=c[4])
                 for c in cases]
        for case, call, result in zip(cases, calls, world.run_as(caller, calls)):
            check(call, result, case[5], case[6])


def test_lists_hide_domains_and_lookups_answer_not_found(world):
    secret = define(world, "secret")
    lookup = lambda name: dict(path=TEST_PATH, interface="org.libvirt.Connect", member="DomainLookupByName",
                               signature="s", args=[name])
    calls = [dict(path=TEST_PATH, interface="org.libvirt.Connect", member="ListDomains", signature="u", args=[0]),
             lookup("secret"), lookup("no-such-domain"),
             dict(path=secret, interface="org.libvirt.Domain", member="GetXMLDesc", signature="u", args=[0]),
             dict(path=TEST_PATH, interface="org.libvirt.Connect", member="GetAllDomainStats", signature="uu",
                  args=[0, 0]),
             dict(path=TEST_PATH, interface="org.libvirt.Connect", member="DomainLookupByUUID", signature="s",
                  args=[secret.rsplit("/_", 1)[1].replace("_", "-")])]
    limited = world.run_as("vbtest-limited", calls)
    everything = world.run_as("root", calls)
    assert sorted(everything[0]["value"]) == sorted([TEST_DOMAIN_PATH, secret])
    assert limited[0]["value"] == [TEST_DOMAIN_PATH]
    assert limited[1] == dict(limited[1], ok=False, error=LIBVIRT_ERROR,
                              message="Domain not found: no domain with matching name 'secret'")
    assert limited[2]["message"] == "Domain not found: no domain with matching name 'no-such-domain'"
    assert limited[3]["error"] == LIBVIRT_ERROR and limited[3]["message"].startswith("Domain not found")
    assert [r[0] for r in limited[4]["value"]] == ["test"]
    assert sorted(r[0] for r in everything[4]["value"]) == ["secret", "test"]
    assert limited[5]["error"] == LIBVIRT_ERROR and limited[5]["message"].startswith("Domain not found")
    assert everything[1]["value"] == secret


def test_polkit_changed_signal_empties_the_cache(machine):
    world = start_world(cache_seconds=120)
    try:
        other = define(world, "other", start=True)
        suspend = dict(path=other, interface="org.libvirt.Domain", member="Suspend")
        results = []
        # One caller on one connection throughout: its denial is cached for two minutes, so
        # only polkit's Changed signal (sent when the rules below appear) lets it through.
        calls = [suspend, dict(suspend, delay=0.1), dict(suspend, delay=1.5)] + \
            [dict(suspend, delay=0.2) for _ in range(20)]
        client = threading.Thread(target=lambda: results.extend(world.run_as("vbtest-limited", calls)))
        client.start()
        time.sleep(0.8)
        machine.write(polkit_env.TOGGLE_RULES_FILE,
                      'polkit.addRule(function(action, subject) {\n'
                      '    if (subject.user == "vbtest-limited" && action.lookup("domain_name") == "other")\n'
                      '        return polkit.Result.YES;\n'
                      '});\n')
        client.join(timeout=60)
        assert [r.get("error") for r in results[:2]] == [DENIED, DENIED], results[:2]
        assert any(r["ok"] for r in results[2:]), results[-1]
    finally:
        machine.remove(polkit_env.TOGGLE_RULES_FILE)
        finish_world(world)


def test_interactive_authorization_flag_is_forwarded(world):
    # What virtbusd asks polkit, seen on the bus: CheckAuthorization(subject, action, details,
    # flags, cancellation id); flags 1 is AllowUserInteraction.
    monitor = subprocess.Popen(["dbus-monitor", "--address", world.address,
                                "type='method_call',interface='org.freedesktop.PolicyKit1.Authority'"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(0.5)
        reset = dict(path=TEST_DOMAIN_PATH, interface="org.libvirt.Domain", member="Reset", signature="u", args=[0])
        quiet, asked = world.run_as("vbtest-viewer", [dict(reset, interactive=False), dict(reset, interactive=True)])
        time.sleep(0.3)
    finally:
        monitor.terminate()
        seen = monitor.communicate(timeout=10)[0]
    # The rule answers AUTH_ADMIN: polkit says an agent could authorize it; there is none here.
    for result in (quiet, asked):
        assert result["error"] == DENIED
        assert result["message"] == ("access denied by policy: org.libvirt.api.domain.reset "
                                     "(interactive authentication required)")
    checks = [block for block in seen.split("method call")[1:] if "org.libvirt.api.domain.reset" in block]
    flags = [re.findall(r"uint32 (\d+)", block)[-1] for block in checks]
    assert flags == ["0", "1"], seen


def test_slow_polkit_answer_does_not_hold_up_other_callers(world):
    slow = define(world, "slow", start=True)
    get_xml = dict(path=TEST_DOMAIN_PATH, interface="org.libvirt.Domain", member="GetXMLDesc", signature="u",
                   args=[0])
    results = {}

    def run(name, user, calls):
        results[name] = world.run_as(user, calls)

    threads = [threading.Thread(target=run, args=("slow", "vbtest-limited",
                                                  [dict(path=slow, interface="org.libvirt.Domain",
                                                        member="Suspend", delay=0.3)])),
               threading.Thread(target=run, args=("viewer", "vbtest-viewer", [get_xml, dict(get_xml, delay=1.0)])),
               threading.Thread(target=run, args=("root", "root", [dict(get_xml, delay=0.9)]))]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results["slow"][0]["ok"], results["slow"]
    assert results["slow"][0]["seconds"] >= 1.4, results["slow"]  # polkitd's rule busy-waits 1.5 s
    # Both calls fell inside the slow one and were answered at once: root without polkit, the
    # viewer from its cached decision.
    assert results["root"][0]["ok"] and results["root"][0]["seconds"] < 0.3, results["root"]
    assert results["viewer"][1]["ok"] and results["viewer"][1]["seconds"] < 0.3, results["viewer"]
    assert time.monotonic() - start < 10


def test_fails_closed_when_polkitd_is_gone(machine):
    world = start_world(cache_seconds=0)
    try:
        get_xml = dict(path=TEST_DOMAIN_PATH, interface="org.libvirt.Domain", member="GetXMLDesc", signature="u",
                       args=[0])
        assert world.run_as("vbtest-viewer", [get_xml])[0]["ok"]
        world.kill_polkitd()
        viewer = world.run_as("vbtest-viewer", [get_xml, dict(path=TEST_DOMAIN_PATH, interface="org.libvirt.Domain",
                                                              member="Suspend")])
        for result in viewer:
            assert result.get("error") == DENIED, result
            assert "cannot check authorization" in result["message"], result
            assert "org.freedesktop.PolicyKit1" in result["message"] or "polkit" in result["message"], result
        assert world.run_as("root", [get_xml])[0]["ok"]
        assert world.procs["virtbusd"].poll() is None
        world.start_polkitd()
        assert world.run_as("vbtest-viewer", [get_xml])[0]["ok"]
        assert re.search(r"warning: refused virDomainGetXMLDesc to uid \d+ .*: polkit could not answer",
                         world.daemon_log())
    finally:
        finish_world(world)


def test_unix_user_principals_are_checked_against_the_same_rules(world):
    """The question the AMQP front end will ask for a principal mapped to a unix user: polkit has
    no unix-user subject, so policy/polkit.c names this process with the principal's uid, and the
    administrator's rules see that user."""
    probe = os.path.join(BUILDDIR, "tests", "unit", "policy-ask")

    def ask(user, action, domain=None):
        uid = str(pwd.getpwnam(user).pw_uid)
        args = [probe, uid, action] + ([domain] if domain else [])
        return subprocess.run(args, env=world.env, capture_output=True, text=True, timeout=30)

    assert ask("vbtest-admin", "org.libvirt.api.domain.start", "test").stdout.strip() == "allowed"
    denied = ask("vbtest-none", "org.libvirt.api.domain.start", "test")
    assert (denied.returncode, denied.stdout.strip()) == (1, "denied")
    assert ask("vbtest-limited", "org.libvirt.api.domain.stop", "test").stdout.strip() == "allowed"
    assert ask("vbtest-limited", "org.libvirt.api.domain.stop", "secret").stdout.strip() == "denied"
    # No rule for the viewer: libvirt's defaults from the .policy file decide (read-only yes, start no).
    assert ask("vbtest-viewer", "org.libvirt.api.connect.getattr").stdout.strip() == "allowed"
    assert ask("vbtest-viewer", "org.libvirt.api.domain.start", "test").stdout.strip() == "denied"


# --- what a caller sees of the domains it may not see -----------------------------------------

def child_nodes(result):
    return sorted(node.get("name") for node in ET.fromstring(result["value"]).findall("node"))


def last_element(path):
    return path.rsplit("/", 1)[1]


def test_introspect_and_managed_objects_list_only_the_domains_the_caller_may_see(world):
    secret = define(world, "secret")
    for path in (TEST_DOMAIN_PATH, secret):
        root_call(world, path, "org.libvirt.Domain", "SnapshotCreateXML", "su", [SNAPSHOT_XML, 0])
    calls = [dict(path=TEST_PATH + "/domain", interface="org.freedesktop.DBus.Introspectable", member="Introspect"),
             dict(path="/org/libvirt", interface="org.freedesktop.DBus.ObjectManager", member="GetManagedObjects")]
    seen = {user: world.run_as(user, calls) for user in ("root", "vbtest-limited", "vbtest-none")}
    assert child_nodes(seen["root"][0]) == sorted([last_element(TEST_DOMAIN_PATH), last_element(secret)])
    assert child_nodes(seen["vbtest-limited"][0]) == [last_element(TEST_DOMAIN_PATH)]
    assert child_nodes(seen["vbtest-none"][0]) == []

    def objects(result, kind):
        return sorted(p for p in result["value"] if p.startswith(TEST_PATH + "/" + kind + "/"))

    assert objects(seen["root"][1], "domain") == sorted([TEST_DOMAIN_PATH, secret])
    assert objects(seen["vbtest-limited"][1], "domain") == [TEST_DOMAIN_PATH]
    assert len(objects(seen["root"][1], "domainsnapshot")) == 2
    limited_snapshots = objects(seen["vbtest-limited"][1], "domainsnapshot")
    assert len(limited_snapshots) == 1 and last_element(TEST_DOMAIN_PATH)[1:] in limited_snapshots[0]
    # Nobody may search this connection's domains: refused as libvirt refuses ListAllDomains.
    assert seen["vbtest-none"][1]["error"] == DENIED
    # Snapshots of a hidden domain are not listed under its snapshot subtree either.
    subtree = dict(path=TEST_PATH + "/domainsnapshot", interface="org.freedesktop.DBus.Introspectable",
                   member="Introspect")
    (limited_tree,) = world.run_as("vbtest-limited", [subtree])
    assert last_element(secret)[1:] not in limited_tree["value"]


def test_get_all_of_every_interface_answers_what_the_caller_may_read(world):
    calls = [dict(path=path, interface="org.freedesktop.DBus.Properties", member="GetAll", signature="s", args=[""])
             for path in (TEST_PATH, TEST_DOMAIN_PATH)]
    root = world.run_as("root", calls)
    viewer = world.run_as("vbtest-viewer", calls)
    assert [r["value"] for r in viewer] == [r["value"] for r in root]
    assert {"Name", "UUID", "Active", "Autostart"} <= set(viewer[1]["value"])
    none = world.run_as("vbtest-none", calls)
    assert none[0]["error"] == DENIED
    assert none[1]["error"] == LIBVIRT_ERROR and none[1]["message"].startswith("Domain not found")


def mentions(signal, path):
    return signal["path"] == path or path in [str(a) for a in signal["args"]] or \
        any(isinstance(a, dict) and path in a for a in signal["args"])


def test_domain_signals_reach_only_the_callers_that_may_see_the_domain(world):
    listeners = {user: world.listen_as(user, 6) for user in ("root", "vbtest-limited", "vbtest-none")}
    secret = define(world, "secret")
    root_call(world, secret, "org.libvirt.Domain", "Create", "u", [0])
    root_call(world, TEST_DOMAIN_PATH, "org.libvirt.Domain", "Suspend")
    root_call(world, TEST_DOMAIN_PATH, "org.libvirt.Domain", "Resume")
    root_call(world, secret, "org.libvirt.Domain", "Destroy", "u", [0])
    seen = {user: world.finish_listening(proc) for user, proc in listeners.items()}

    def lifecycle(signals, path):
        return [s["args"][1:] for s in signals if s["member"] == "DomainEvent" and s["args"][0] == path]

    assert lifecycle(seen["root"], secret) == [[0, 0], [2, 0], [5, 1]]  # Defined, Started, Stopped Destroyed
    assert lifecycle(seen["root"], TEST_DOMAIN_PATH) == [[3, 0], [4, 0]]  # Suspended, Resumed
    assert any(s["member"] == "InterfacesAdded" and mentions(s, secret) for s in seen["root"])
    assert lifecycle(seen["vbtest-limited"], TEST_DOMAIN_PATH) == [[3, 0], [4, 0]]
    assert [s for s in seen["vbtest-limited"] if mentions(s, secret)] == []
    assert [s for s in seen["vbtest-none"] if s["path"].startswith(TEST_PATH) or s["member"] == "InterfacesAdded"] \
        == []


def test_concurrent_calls_from_one_caller_leave_nothing_behind(world):
    """Twenty calls in flight at once from one unprivileged connection: each is authorized and
    answered, and the daemon's exit under LeakSanitizer (finish_world) shows nothing was kept
    per call (the authorizer's caller cache once leaked an entry per concurrent call)."""
    get_xml = dict(path=TEST_DOMAIN_PATH, interface="org.libvirt.Domain", member="GetXMLDesc", signature="u",
                   args=[0], burst=20)
    (result,) = world.run_as("vbtest-viewer", [get_xml])
    assert result["ok"], result
    assert len(result["results"]) == 20
