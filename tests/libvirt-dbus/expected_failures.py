"""pytest plugin: marks the libvirt-dbus tests for objects virtbus does not serve yet (networks,
storage pools and volumes, node devices, host interfaces) as strict expected failures. Strict: a
test that starts passing fails the run, so this list is kept honest as those objects land."""
import pytest

NOT_YET_SERVED = {
    "test_connect.py": [
        "test_connect_find_storage_pool_sources",
        "test_connect_interface_define_xml",
        "test_connect_interface_lookup_by_property",
        "test_connect_list_networks",
        "test_connect_list_storage_pools",
        "test_connect_network_create_xml",
        "test_connect_network_define_xml",
        "test_connect_node_device_lookup_by_property",
        "test_connect_network_lookup_by_property",
        "test_connect_node_device_create_xml",
        "test_connect_storage_pool_create_xml",
        "test_connect_storage_pool_define_xml",
        "test_connect_storage_pool_lookup_by_property",
        "test_connect_storage_vol_lookup_by_property",
    ],
    # Whole files: every test in them concerns objects not served yet.
    "test_interface.py": None,
    "test_network.py": None,
    "test_nodedev.py": None,
    "test_storage.py": None,
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        filename = item.location[0].split("/")[-1]
        if filename not in NOT_YET_SERVED:
            continue
        names = NOT_YET_SERVED[filename]
        if names is None or item.originalname in names:
            item.add_marker(pytest.mark.xfail(reason="virtbus does not serve this object type yet", strict=True))
