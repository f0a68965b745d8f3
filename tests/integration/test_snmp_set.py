"""SETs of libvirtGuestState and libvirtGuestRowStatus through snmpd: they act on the domain as
the bridge's AMQP principal may (virtbusd authorizes), and what is invalid is refused with
nothing changed."""
from conftest import TEST_DOMAIN_UUID
from snmp_env import STATES, get_cell, set_cell, wait_for
from snmp_env import admin_bridge, amqp_daemon, bridge, bus, port, snmpd, trapd  # noqa: F401 (fixtures)

ROW_CREATE_AND_GO, ROW_CREATE_AND_WAIT, ROW_DESTROY = 4, 5, 6


def state(snmpd):
    return get_cell(snmpd.target(), TEST_DOMAIN_UUID, "state")


def set_ok(snmpd, column, value):
    status, out = set_cell(snmpd.target(), TEST_DOMAIN_UUID, column, value)
    assert status == 0, out


def test_state_and_row_status_sets_drive_the_domain(admin_bridge, snmpd):
    assert state(snmpd) == STATES["running"]
    set_ok(snmpd, "state", STATES["paused"])
    wait_for(lambda: state(snmpd) == STATES["paused"], what="paused")
    set_ok(snmpd, "state", STATES["running"])
    wait_for(lambda: state(snmpd) == STATES["running"], what="resumed")
    set_ok(snmpd, "row_status", ROW_DESTROY)
    wait_for(lambda: state(snmpd) == STATES["shutoff"], what="destroyed")
    assert get_cell(snmpd.target(), TEST_DOMAIN_UUID, "row_status") == 2
    set_ok(snmpd, "row_status", ROW_CREATE_AND_GO)
    wait_for(lambda: state(snmpd) == STATES["running"], what="started again")
    set_ok(snmpd, "state", STATES["shutoff"])
    wait_for(lambda: state(snmpd) == STATES["shutoff"], what="destroyed by state")
    set_ok(snmpd, "state", STATES["running"])
    wait_for(lambda: state(snmpd) == STATES["running"], what="started by state")
    set_ok(snmpd, "state", STATES["shutdown"])
    wait_for(lambda: state(snmpd) in (STATES["shutdown"], STATES["shutoff"]), what="shut down")


INVALID_SETS = [
    ("state", 7, "wrongValue"),
    ("state", 0, "wrongValue"),
    ("state", STATES["blocked"], "wrongValue"),
    ("state", STATES["crashed"], "wrongValue"),
    ("state", STATES["running"], "inconsistentValue"),  # already running
    ("row_status", ROW_CREATE_AND_WAIT, "wrongValue"),
    ("row_status", 1, "wrongValue"),
    ("row_status", ROW_CREATE_AND_GO, "inconsistentValue"),  # already running
    ("name", 1, "notWritable"),
    ("cpus", 1, "notWritable"),
]


def test_invalid_sets_are_refused_and_change_nothing(admin_bridge, snmpd):
    """One bridge for every case (starting one per case would cost a second each)."""
    from snmp_env import GUEST_ENTRY, run_snmp, uuid_index
    for column, value, error in INVALID_SETS:
        status, out = set_cell(snmpd.target(), TEST_DOMAIN_UUID, column, value)
        assert status != 0 and error in out, (column, value, out)
        assert state(snmpd) == STATES["running"], (column, value)
    status, out = set_cell(snmpd.target(), "00000000-0000-4000-8000-000000000001", "state", STATES["paused"])
    assert status != 0 and "noCreation" in out, out
    proc = run_snmp("snmpset", snmpd.target(), "%s.3.%s" % (GUEST_ENTRY, uuid_index(TEST_DOMAIN_UUID)), "s", "x",
                    community="private", check=False)
    assert proc.returncode != 0 and "wrongType" in proc.stdout + proc.stderr


def test_anonymous_bridge_sets_get_no_access(bridge, snmpd):
    status, out = set_cell(snmpd.target(), TEST_DOMAIN_UUID, "state", STATES["paused"])
    assert status != 0 and "noAccess" in out, out
    assert state(snmpd) == STATES["running"]


def test_wrong_password_is_logged_and_retried(workdir, snmpd, amqp_daemon, port):
    """A bad login is not fatal: the bridge says why and tries again with backoff."""
    from snmp_env import Bridge
    b = Bridge(workdir, snmpd, "amqp://admin:wrong@127.0.0.1:%d" % port).start()
    try:
        wait_for(lambda: b.log().count("amqp:unauthorized-access") >= 2, what="two refused logins")
    finally:
        b.stop()
