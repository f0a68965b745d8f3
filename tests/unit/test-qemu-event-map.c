/* QMP events to libvirt domain events (drivers/qemu/qemu_event_map.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/qemu/qemu_event_map.h"

struct mapped {
    size_t n;
    struct qemu_domain_event out[QEMU_EVENT_MAP_MAX];
    struct json_object *data;
};

static struct mapped map(const char *name, const char *data_json, bool running)
{
    struct mapped m = { .data = data_json ? json_tokener_parse(data_json) : NULL };

    if (data_json)
        assert_non_null(m.data);
    m.n = qemu_event_map(name, m.data, running, m.out);
    return m;
}

static void assert_lifecycle(const struct qemu_domain_event *e, int event, int detail)
{
    assert_int_equal(e->id, VB_DOMAIN_EVENT_ID_LIFECYCLE);
    assert_int_equal(e->payload.lifecycle.event, event);
    assert_int_equal(e->payload.lifecycle.detail, detail);
}

static void test_stop_suspends_a_running_domain_only(void **state)
{
    struct mapped m = map("STOP", NULL, true);

    assert_int_equal(m.n, 1);
    assert_lifecycle(&m.out[0], VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    assert_int_equal(map("STOP", NULL, false).n, 0);
}

static void test_resume_unpauses_a_paused_domain_only(void **state)
{
    struct mapped m = map("RESUME", NULL, false);

    assert_int_equal(m.n, 1);
    assert_lifecycle(&m.out[0], VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    assert_int_equal(map("RESUME", NULL, true).n, 0);
}

static void test_shutdown_detail_says_who(void **state)
{
    struct mapped guest = map("SHUTDOWN", "{\"guest\":true,\"reason\":\"guest-shutdown\"}", true);
    struct mapped host = map("SHUTDOWN", "{\"guest\":false,\"reason\":\"host-qmp-quit\"}", true);
    struct mapped old = map("SHUTDOWN", NULL, true);

    assert_int_equal(guest.n, 1);
    assert_lifecycle(&guest.out[0], VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_GUEST);
    assert_lifecycle(&host.out[0], VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_HOST);
    assert_lifecycle(&old.out[0], VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_FINISHED);
    json_object_put(guest.data);
    json_object_put(host.data);
}

static void test_reset_is_reboot_and_panic_is_crashed(void **state)
{
    struct mapped reset = map("RESET", "{\"guest\":true}", true);
    struct mapped panic = map("GUEST_PANICKED", "{\"action\":\"pause\"}", true);

    assert_int_equal(reset.n, 1);
    assert_int_equal(reset.out[0].id, VB_DOMAIN_EVENT_ID_REBOOT);
    assert_int_equal(panic.n, 1);
    assert_lifecycle(&panic.out[0], VB_EVENT_CRASHED, VB_EVENT_CRASHED_PANICKED);
    json_object_put(reset.data);
    json_object_put(panic.data);
}

static void test_device_deleted_names_the_alias(void **state)
{
    struct mapped m = map("DEVICE_DELETED", "{\"device\":\"virtio-disk1\",\"path\":\"/machine/peripheral/virtio-disk1\"}", true);
    struct mapped anonymous = map("DEVICE_DELETED", "{\"path\":\"/machine/peripheral-anon/device[0]\"}", true);
    struct mapped vcpu = map("DEVICE_DELETED", "{\"device\":\"vcpu2\",\"path\":\"/machine/peripheral/vcpu2\"}", true);

    assert_int_equal(vcpu.n, 0); /* libvirt announces no device removal for a vCPU */
    json_object_put(vcpu.data);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.out[0].id, VB_DOMAIN_EVENT_ID_DEVICE_REMOVED);
    assert_string_equal(m.out[0].payload.device.dev_alias, "virtio-disk1");
    assert_int_equal(anonymous.n, 0);
    json_object_put(m.data);
    json_object_put(anonymous.data);
}

static void test_tray_moved_names_the_device_id(void **state)
{
    struct mapped open = map("DEVICE_TRAY_MOVED", "{\"device\":\"\",\"id\":\"ide0-1-0\",\"tray-open\":true}", true);
    struct mapped closed = map("DEVICE_TRAY_MOVED", "{\"device\":\"drive-ide0-1-0\",\"tray-open\":false}", true);
    struct mapped bad = map("DEVICE_TRAY_MOVED", "{\"id\":\"ide0-1-0\"}", true);

    assert_int_equal(open.n, 1);
    assert_int_equal(open.out[0].id, VB_DOMAIN_EVENT_ID_TRAY_CHANGE);
    assert_string_equal(open.out[0].payload.tray_change.dev_alias, "ide0-1-0");
    assert_int_equal(open.out[0].payload.tray_change.reason, 0);
    assert_string_equal(closed.out[0].payload.tray_change.dev_alias, "drive-ide0-1-0");
    assert_int_equal(closed.out[0].payload.tray_change.reason, 1);
    assert_int_equal(bad.n, 0);
    json_object_put(open.data);
    json_object_put(closed.data);
    json_object_put(bad.data);
}

static void test_balloon_in_kib_and_rtc_in_seconds(void **state)
{
    struct mapped balloon = map("BALLOON_CHANGE", "{\"actual\":134217728}", true);
    struct mapped rtc = map("RTC_CHANGE", "{\"offset\":-3600,\"qom-path\":\"/machine/unattached/device[4]\"}", true);
    struct mapped bad = map("BALLOON_CHANGE", "{\"actual\":\"lots\"}", true);

    assert_int_equal(balloon.n, 1);
    assert_int_equal(balloon.out[0].id, VB_DOMAIN_EVENT_ID_BALLOON_CHANGE);
    assert_int_equal(balloon.out[0].payload.balloon_change.actual_kib, 131072);
    assert_int_equal(rtc.out[0].id, VB_DOMAIN_EVENT_ID_RTC_CHANGE);
    assert_int_equal(rtc.out[0].payload.rtc_change.utc_offset, -3600);
    assert_int_equal(bad.n, 0);
    json_object_put(balloon.data);
    json_object_put(rtc.data);
    json_object_put(bad.data);
}

static void test_watchdog_action_and_its_pause(void **state)
{
    struct mapped reset = map("WATCHDOG", "{\"action\":\"reset\"}", true);
    struct mapped pause = map("WATCHDOG", "{\"action\":\"pause\"}", true);
    struct mapped unknown = map("WATCHDOG", "{\"action\":\"dance\"}", true);

    assert_int_equal(reset.n, 1);
    assert_int_equal(reset.out[0].id, VB_DOMAIN_EVENT_ID_WATCHDOG);
    assert_int_equal(reset.out[0].payload.watchdog.action, 2);
    assert_int_equal(pause.n, 2);
    assert_int_equal(pause.out[0].payload.watchdog.action, 1);
    assert_lifecycle(&pause.out[1], VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_WATCHDOG);
    assert_int_equal(unknown.n, 0);
    assert_int_equal(qemu_watchdog_action_from_string("inject-nmi"), 6);
    json_object_put(reset.data);
    json_object_put(pause.data);
    json_object_put(unknown.data);
}

static void test_block_io_error_reason_and_pause(void **state)
{
    struct mapped stop = map("BLOCK_IO_ERROR", "{\"device\":\"\",\"node-name\":\"libvirt-1-format\","
                                               "\"operation\":\"write\",\"action\":\"stop\",\"nospace\":true}", true);
    struct mapped report = map("BLOCK_IO_ERROR", "{\"device\":\"drive-virtio-disk0\",\"operation\":\"read\","
                                                 "\"action\":\"report\"}", true);

    assert_int_equal(stop.n, 2);
    assert_int_equal(stop.out[0].id, VB_DOMAIN_EVENT_ID_IO_ERROR_REASON);
    assert_string_equal(stop.out[0].payload.io_error.dev_alias, "libvirt-1-format");
    assert_null(stop.out[0].payload.io_error.src_path);
    assert_int_equal(stop.out[0].payload.io_error.action, 1);
    assert_string_equal(stop.out[0].payload.io_error.reason, "enospc");
    assert_lifecycle(&stop.out[1], VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_IOERROR);
    assert_int_equal(report.n, 1);
    assert_string_equal(report.out[0].payload.io_error.dev_alias, "drive-virtio-disk0");
    assert_int_equal(report.out[0].payload.io_error.action, 2);
    assert_string_equal(report.out[0].payload.io_error.reason, "");
    json_object_put(stop.data);
    json_object_put(report.data);
}

static void test_pm_suspend_and_wakeup(void **state)
{
    struct mapped suspend = map("SUSPEND", NULL, true);
    struct mapped wakeup = map("WAKEUP", NULL, false);

    assert_int_equal(suspend.n, 2);
    assert_int_equal(suspend.out[0].id, VB_DOMAIN_EVENT_ID_PMSUSPEND);
    assert_lifecycle(&suspend.out[1], VB_EVENT_PMSUSPENDED, 0);
    assert_int_equal(wakeup.out[0].id, VB_DOMAIN_EVENT_ID_PMWAKEUP);
    assert_lifecycle(&wakeup.out[1], VB_EVENT_STARTED, VB_EVENT_STARTED_WAKEUP);
}

static void test_events_libvirt_ignores_give_nothing(void **state)
{
    assert_int_equal(map("POWERDOWN", NULL, true).n, 0);
    assert_int_equal(map("NIC_RX_FILTER_CHANGED", NULL, true).n, 0);
    assert_int_equal(qemu_event_map(NULL, NULL, true, (struct qemu_domain_event[QEMU_EVENT_MAP_MAX]){ 0 }), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_suspends_a_running_domain_only),
        cmocka_unit_test(test_resume_unpauses_a_paused_domain_only),
        cmocka_unit_test(test_shutdown_detail_says_who),
        cmocka_unit_test(test_reset_is_reboot_and_panic_is_crashed),
        cmocka_unit_test(test_device_deleted_names_the_alias),
        cmocka_unit_test(test_tray_moved_names_the_device_id),
        cmocka_unit_test(test_balloon_in_kib_and_rtc_in_seconds),
        cmocka_unit_test(test_watchdog_action_and_its_pause),
        cmocka_unit_test(test_block_io_error_reason_and_pause),
        cmocka_unit_test(test_pm_suspend_and_wakeup),
        cmocka_unit_test(test_events_libvirt_ignores_give_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
