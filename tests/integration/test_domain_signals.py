"""Every org.libvirt.Domain signal the test driver can cause, as libvirt-dbus sends it: from the
domain's path, on org.libvirt.Domain, with libvirt's payload. The driver announces each change
on the event stream; the D-Bus front end only listens (dbus/signals.c)."""
import dbus
import pytest

from conftest import TEST_DOMAIN_PATH, SignalRecorder, domain_iface, properties

DISK = ("<disk type='file' device='disk'><source file='/guest/extra.img'/>"
        "<target dev='vdb' bus='virtio'/></disk>")
LIVE, CONFIG = 1, 2


def recorder(bus, member):
    return SignalRecorder(bus, member, "org.libvirt.Domain")


def only(rec, count=1):
    """The signals recorded, after waiting for count and letting late ones arrive too."""
    rec.wait_for(count)
    return rec.settle()


def test_reboot_and_reset_announce_a_reboot(bus):
    rec = recorder(bus, "Reboot")
    domain_iface(bus).Reboot(0)
    assert only(rec) == [()]
    domain_iface(bus).Reset(0)
    assert only(rec, 2) == [(), ()]


def test_metadata_change_names_the_type_and_namespace(bus):
    rec = recorder(bus, "MetadataChange")
    domain_iface(bus).SetMetadata(0, "a description", "", "", 0)  # VIR_DOMAIN_METADATA_DESCRIPTION
    assert only(rec) == [(0, "")]
    domain_iface(bus).SetMetadata(2, "<x xmlns='http://example.org/x'/>", "ex", "http://example.org/x", 0)
    assert only(rec, 2)[1] == (2, "http://example.org/x")


def test_live_memory_change_announces_the_balloon(bus):
    rec = recorder(bus, "BalloonChange")
    domain_iface(bus).SetMemory(dbus.UInt64(1048576), LIVE)
    assert only(rec) == [(1048576,)]
    domain_iface(bus).SetMemory(dbus.UInt64(2097152), CONFIG)  # no balloon moves for the next boot
    assert rec.settle() == [(1048576,)]


def test_live_hotplug_announces_added_and_removed_devices(bus):
    added, removed = recorder(bus, "DeviceAdded"), recorder(bus, "DeviceRemoved")
    dom = domain_iface(bus)
    dom.AttachDevice(DISK, LIVE)
    assert only(added) == [("vdb",)]
    dom.DetachDevice(DISK, LIVE)
    assert only(removed) == [("vdb",)]
    dom.AttachDevice(DISK, CONFIG)  # not a hotplug: nothing is added to the running guest
    assert added.settle() == [("vdb",)]


def test_live_pinning_announces_the_tunable(bus):
    rec = recorder(bus, "Tunable")
    domain_iface(bus).PinVcpu(1, [False, True] + [False] * 6, 0)  # libvirt's test driver takes no flags
    (params,) = only(rec)[0]
    assert dict(params) == {"cputune.vcpupin1": "1"}
    domain_iface(bus).PinEmulator([True, True] + [False] * 6, LIVE)
    (params,) = only(rec, 2)[1]
    assert dict(params) == {"cputune.emulatorpin": "0-1"}


def test_live_changes_flip_updated_with_properties_changed(bus):
    changes = SignalRecorder(bus, "PropertiesChanged", "org.freedesktop.DBus.Properties")
    domain_iface(bus).SetVcpus(1, LIVE)
    iface, changed, _ = only(changes)[0]
    assert iface == "org.libvirt.Domain" and changed == {"Updated": True}
    assert properties(bus, TEST_DOMAIN_PATH).Get("org.libvirt.Domain", "Updated") == True


def test_signals_come_from_the_domains_path(bus):
    paths = []
    bus.add_signal_receiver(lambda *a, path=None: paths.append(path), signal_name="Reboot",
                            dbus_interface="org.libvirt.Domain", path_keyword="path")
    rec = recorder(bus, "Reboot")
    domain_iface(bus).Reboot(0)
    only(rec)
    assert paths == [TEST_DOMAIN_PATH]


def test_live_io_thread_pin_announces_the_tunable(bus):
    rec = recorder(bus, "Tunable")
    dom = domain_iface(bus)
    dom.AddIOThread(3, LIVE)  # announced as "changed" only, as libvirt sends no event for it
    dom.AddIOThread(3, CONFIG)
    dom.PinIOThread(3, [True, False, True] + [False] * 5, 0)
    (params,) = only(rec)[0]
    assert dict(params) == {"cputune.iothreadpin3": "0,2"}
    dom.PinIOThread(3, [True] + [False] * 7, CONFIG)  # the next boot's pinning: nothing runs differently
    assert len(rec.settle()) == 1


def test_live_block_io_tune_announces_the_tunable_with_the_disk(bus):
    rec = recorder(bus, "Tunable")
    dom = domain_iface(bus)
    dom.SetBlockIOTune("vda", {"total_bytes_sec": dbus.UInt64(1000), "total_bytes_sec_max": dbus.UInt64(2000),
                               "group_name": "grp"}, 0)
    (params,) = only(rec)[0]
    assert dict(params) == {"blkdeviotune.disk": "vda", "blkdeviotune.total_bytes_sec": 1000,
                            "blkdeviotune.total_bytes_sec_max": 2000, "blkdeviotune.group_name": "grp"}
    assert isinstance(params["blkdeviotune.total_bytes_sec"], dbus.UInt64)
    dom.SetBlockIOTune("vda", {"read_iops_sec_max": dbus.UInt64(50)}, CONFIG)
    assert len(rec.settle()) == 1
