"""Per-object authorization of networks, storage pools and volumes against a real polkitd, as
libvirt's polkit access driver does it: rules see network_name, pool_name/pool_uuid,
vol_name/vol_key and connect_driver; lists show only what the caller may getattr, a hidden
object answers libvirt's "not found", and a denied method names its action."""
import pytest

import polkit_env
from conftest import TEST_PATH
from test_polkit import DENIED, LIBVIRT_ERROR, finish_world, start_world

NET_PATH = TEST_PATH + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df"
POOL_PATH = TEST_PATH + "/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"
NET_XML = "<network><name>%s</name><bridge name='br9'/></network>"
POOL_XML = "<pool type='dir'><name>%s</name><target><path>/%s</path></target></pool>"
IFACE_XML = "<interface type='ethernet' name='%s'><mac address='52:54:00:aa:bb:cc'/></interface>"
VOL_XML = "<volume><name>%s</name><capacity unit='M'>1</capacity></volume>"
OBJECT_RULES_FILE = polkit_env.RULES_DIR + "/47-virtbus-test-objects.rules"

# vbtest-limited sees network "default", pool "default-pool" and its volume "visible.img", and
# only on the Test driver; it may read them, not stop or delete them. It may define and start a
# network "limited-net", a pool "limited-pool" and an interface "limited-if" (that MAC), and
# create a volume "limited.img" in
# "default-pool", and see node device "scsi_host2" only, and nothing else.
OBJECT_RULES = """// virtbus integration tests (removed when the tests end)
polkit.addRule(function(action, subject) {
    if (subject.user != "vbtest-limited")
        return polkit.Result.NOT_HANDLED;
    var reading = /\\.(getattr|read)$/.test(action.id);
    if (/\\.(write|save|start)$/.test(action.id) &&
        (action.lookup("network_name") == "limited-net" || action.lookup("pool_name") == "limited-pool" ||
         (action.lookup("interface_name") == "limited-if" &&
          action.lookup("interface_macaddr") == "52:54:00:aa:bb:cc")))
        return polkit.Result.YES;
    if (action.id.indexOf("org.libvirt.api.node-device.") == 0)
        return action.lookup("node_device_name") == "scsi_host2" ? polkit.Result.YES : polkit.Result.NO;
    if (action.id == "org.libvirt.api.storage-vol.create" && action.lookup("pool_name") == "default-pool" &&
        action.lookup("vol_name") == "limited.img")
        return polkit.Result.YES;
    if (action.id.indexOf("org.libvirt.api.network.") == 0)
        return action.lookup("connect_driver") == "Test" && action.lookup("network_name") == "default" &&
            action.lookup("network_uuid") == "dd8fe884-6c02-601e-7551-cca97df1c5df" && reading
            ? polkit.Result.YES : polkit.Result.NO;
    if (action.id.indexOf("org.libvirt.api.storage-pool.") == 0)
        return action.lookup("pool_name") == "default-pool" ? polkit.Result.YES : polkit.Result.NO;
    if (action.id.indexOf("org.libvirt.api.storage-vol.") == 0)
        return action.lookup("pool_name") == "default-pool" &&
            action.lookup("pool_uuid") == "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" &&
            action.lookup("vol_name") == "visible.img" && action.lookup("vol_key") && reading
            ? polkit.Result.YES : polkit.Result.NO;
    return polkit.Result.NOT_HANDLED;
});
"""


machine = pytest.fixture(scope="module", name="machine")(polkit_env.machine_setup)


@pytest.fixture(scope="module")
def world(machine):
    machine.write(OBJECT_RULES_FILE, OBJECT_RULES)
    w = start_world()
    yield w
    finish_world(w)


def call(path, interface, member, signature="", args=()):
    return dict(path=path, interface="org.libvirt." + interface, member=member, signature=signature,
                args=list(args))


def connect(member, signature="", args=()):
    return call(TEST_PATH, "Connect", member, signature, args)


def as_root(world, *calls):
    results = world.run_as("root", list(calls))
    assert all(r["ok"] for r in results), results
    return [r["value"] for r in results]


def assert_hidden(result, message):
    assert (result["ok"], result.get("error"), result.get("message")) == (False, LIBVIRT_ERROR, message), result


def assert_denied(result, action):
    assert (result["ok"], result.get("error")) == (False, DENIED), result
    assert result["message"] == "access denied by policy: " + action, result


def test_networks_are_listed_looked_up_and_checked_per_network(world):
    hidden, = as_root(world, connect("NetworkDefineXML", "s", [NET_XML % "hidden-net"]))
    calls = [connect("ListNetworks", "u", [0]), connect("NetworkLookupByName", "s", ["hidden-net"]),
             connect("NetworkLookupByName", "s", ["default"]), call(NET_PATH, "Network", "GetXMLDesc", "u", [0]),
             call(NET_PATH, "Network", "Destroy"), call(hidden, "Network", "GetXMLDesc", "u", [0])]
    limited = world.run_as("vbtest-limited", calls)
    assert sorted(as_root(world, calls[0])[0]) == sorted([NET_PATH, hidden])
    assert limited[0]["value"] == [NET_PATH]
    assert_hidden(limited[1], "Network not found: no network with matching name 'hidden-net'")
    assert limited[2]["value"] == NET_PATH
    assert limited[3]["ok"] and "<name>default</name>" in limited[3]["value"], limited[3]
    assert_denied(limited[4], "org.libvirt.api.network.stop")
    assert limited[5]["error"] == LIBVIRT_ERROR and limited[5]["message"].startswith("Network not found"), limited[5]


def test_pools_and_volumes_are_listed_looked_up_and_checked_per_object(world):
    pool = call(POOL_PATH, "StoragePool", "StorageVolCreateXML", "su")
    visible, _, hidden_pool = as_root(world, dict(pool, args=[VOL_XML % "visible.img", 0]),
                                      dict(pool, args=[VOL_XML % "hidden.img", 0]),
                                      connect("StoragePoolDefineXML", "su", [POOL_XML % (("hidden-pool",) * 2), 0]))
    calls = [connect("ListStoragePools", "u", [0]), connect("StoragePoolLookupByName", "s", ["hidden-pool"]),
             call(POOL_PATH, "StoragePool", "ListStorageVolumes", "u", [0]),
             call(POOL_PATH, "StoragePool", "StorageVolLookupByName", "s", ["hidden.img"]),
             call(POOL_PATH, "StoragePool", "StorageVolLookupByName", "s", ["visible.img"]),
             call(visible, "StorageVol", "GetXMLDesc", "u", [0]), call(visible, "StorageVol", "Delete", "u", [0]),
             call(POOL_PATH, "StoragePool", "GetInfo")]
    limited = world.run_as("vbtest-limited", calls)
    assert sorted(as_root(world, calls[0])[0]) == sorted([POOL_PATH, hidden_pool])
    assert len(as_root(world, calls[2])[0]) == 2
    assert limited[0]["value"] == [POOL_PATH]
    assert_hidden(limited[1], "Storage pool not found: no storage pool with matching name 'hidden-pool'")
    assert limited[2]["value"] == [visible]
    assert_hidden(limited[3], "Storage volume not found: no storage vol with matching name 'hidden.img'")
    assert limited[4]["value"] == visible
    assert limited[5]["ok"] and "<name>visible.img</name>" in limited[5]["value"], limited[5]
    assert_denied(limited[6], "org.libvirt.api.storage-vol.delete")
    assert limited[7]["ok"], limited[7]


def test_network_and_pool_events_reach_only_who_may_see_the_object(world):
    listeners = {user: world.listen_as(user, 4) for user in ("root", "vbtest-limited")}
    hidden, = as_root(world, connect("NetworkDefineXML", "s", [NET_XML % "hidden-net2"]))
    hidden_pool, = as_root(world, connect("StoragePoolDefineXML", "su", [POOL_XML % (("hidden-pool2",) * 2), 0]))
    as_root(world, call(hidden, "Network", "Create"), call(NET_PATH, "Network", "Destroy"),
            call(NET_PATH, "Network", "Create"), call(hidden_pool, "StoragePool", "Create", "u", [0]),
            call(POOL_PATH, "StoragePool", "Refresh", "u", [0]))
    seen = {user: world.finish_listening(proc) for user, proc in listeners.items()}

    def about(signals, members):
        return sorted({s["path"] if s["member"] in ("Refresh", "PropertiesChanged") else s["args"][0]
                       for s in signals if s["member"] in members and "/domain/" not in s["path"]})

    lifecycle = ("NetworkEvent", "StoragePoolEvent", "Refresh")
    assert about(seen["root"], lifecycle) == sorted([NET_PATH, hidden, POOL_PATH, hidden_pool])
    assert about(seen["vbtest-limited"], lifecycle) == sorted([NET_PATH, POOL_PATH])
    # what virtbus adds to libvirt-dbus: the ObjectManager's and PropertiesChanged, filtered alike
    assert about(seen["root"], ("InterfacesAdded",)) == sorted([hidden, hidden_pool])
    assert about(seen["vbtest-limited"], ("InterfacesAdded",)) == []
    assert about(seen["root"], ("PropertiesChanged",)) == sorted([NET_PATH, hidden, POOL_PATH, hidden_pool])
    assert about(seen["vbtest-limited"], ("PropertiesChanged",)) == sorted([NET_PATH, POOL_PATH])


def test_introspect_and_managed_objects_show_only_visible_objects(world):
    hidden, = as_root(world, connect("NetworkDefineXML", "s", [NET_XML % "hidden-net3"]))
    calls = [dict(path=TEST_PATH + "/network", interface="org.freedesktop.DBus.Introspectable", member="Introspect"),
             dict(path="/org/libvirt", interface="org.freedesktop.DBus.ObjectManager", member="GetManagedObjects")]
    limited, root = world.run_as("vbtest-limited", calls), world.run_as("root", calls)
    assert all(r["ok"] for r in limited + root), (limited, root)
    node = lambda path: '<node name="%s"/>' % path.rsplit("/", 1)[1]
    assert node(NET_PATH) in limited[0]["value"] and node(hidden) not in limited[0]["value"], limited[0]
    assert node(hidden) in root[0]["value"], root[0]
    assert NET_PATH in limited[1]["value"] and hidden not in limited[1]["value"]
    assert POOL_PATH in limited[1]["value"] and hidden in root[1]["value"]


def test_definitions_are_checked_on_the_object_they_define(world):
    """NetworkDefineXML, NetworkCreateXML, StoragePoolDefineXML and InterfaceDefineXML are asked with
    the name (and MAC) the XML gives (libvirt checks the parsed definition), so a rule can allow one
    name and not another."""
    calls = [connect("NetworkDefineXML", "s", [NET_XML % "limited-net"]),
             connect("NetworkDefineXML", "s", [NET_XML % "other-net"]),
             connect("StoragePoolDefineXML", "su", [POOL_XML % (("limited-pool",) * 2), 0]),
             connect("StoragePoolDefineXML", "su", [POOL_XML % (("other-pool",) * 2), 0]),
             connect("NetworkCreateXML", "s", [NET_XML % "other-net2"]),
             connect("NetworkDefineXML", "s", ["<network><name>broken"]),
             connect("InterfaceDefineXML", "su", [IFACE_XML % "limited-if", 0]),
             connect("InterfaceDefineXML", "su", [IFACE_XML % "other-if", 0])]
    limited = world.run_as("vbtest-limited", calls)
    try:
        assert limited[0]["ok"], limited[0]
        assert_denied(limited[1], "org.libvirt.api.network.write")
        assert limited[2]["ok"], limited[2]
        assert_denied(limited[3], "org.libvirt.api.storage-pool.write")
        assert_denied(limited[4], "org.libvirt.api.network.write")
        assert_denied(limited[5], "org.libvirt.api.network.write")  # unparsable: no name to allow
        assert limited[6]["ok"], limited[6]
        assert_denied(limited[7], "org.libvirt.api.interface.write")
        names = as_root(world, connect("NetworkLookupByName", "s", ["limited-net"]),
                        connect("StoragePoolLookupByName", "s", ["limited-pool"]))
        assert all(names)
        for missing in (connect("NetworkLookupByName", "s", ["other-net"]),
                        connect("StoragePoolLookupByName", "s", ["other-pool"])):
            assert not world.run_as("root", [missing])[0]["ok"]
    finally:
        if limited[0]["ok"]:
            as_root(world, call(limited[0]["value"], "Network", "Undefine"))
        if limited[2]["ok"]:
            as_root(world, call(limited[2]["value"], "StoragePool", "Undefine"))
        if limited[6]["ok"]:
            as_root(world, call(limited[6]["value"], "Interface", "Undefine"))


def test_a_volume_to_create_is_checked_with_its_name(world):
    create = call(POOL_PATH, "StoragePool", "StorageVolCreateXML", "su")
    limited = world.run_as("vbtest-limited", [dict(create, args=[VOL_XML % "limited.img", 0]),
                                              dict(create, args=[VOL_XML % "other.img", 0])])
    try:
        assert limited[0]["ok"], limited[0]
        assert_denied(limited[1], "org.libvirt.api.storage-vol.create")
        names = as_root(world, call(POOL_PATH, "StoragePool", "ListStorageVolumes", "u", [0]))[0]
        assert not any(path.endswith("other_2eimg") or "other" in path for path in names), names
    finally:
        if limited[0]["ok"]:
            as_root(world, call(limited[0]["value"], "StorageVol", "Delete", "u", [0]))


def test_scsi_host_lookup_by_wwn_is_checked_on_the_device_it_finds(world):
    """NodeDeviceLookupSCSIHostByWWN answers for the device found, as libvirt's
    virNodeDeviceLookupSCSIHostByWWNEnsureACL: a device the caller may not see is "not found"."""
    calls = [connect("NodeDeviceLookupSCSIHostByWWN", "ssu", ["2000000056785678", "1000000056785678", 0]),
             connect("NodeDeviceLookupSCSIHostByWWN", "ssu", ["2000000012341234", "1000000012341234", 0])]
    limited = world.run_as("vbtest-limited", calls)
    assert limited[0]["ok"] and limited[0]["value"].endswith("/scsi_5fhost2"), limited[0]
    assert_hidden(limited[1], "Node device not found: no node device with matching wwnn '2000000012341234' and wwpn "
                  "'1000000012341234'")
    assert all(r["ok"] for r in world.run_as("root", calls))
