/* QMP events to libvirt domain events (libvirt's qemuProcessHandle* / qemuMonitorJSONHandle*). */
#include "drivers/qemu/qemu_event_map.h"

#include <string.h>

/* libvirt's virDomainEventIOErrorAction and virDomainEventPMSuspendedDetailType. */
enum { IO_ERROR_ACTION_NONE = 0, IO_ERROR_ACTION_PAUSE = 1, IO_ERROR_ACTION_REPORT = 2 };
enum { WATCHDOG_ACTION_PAUSE = 1 };
enum { PMSUSPENDED_MEMORY = 0 };

static const char *data_string(struct json_object *data, const char *key)
{
    struct json_object *value;

    if (!data || !json_object_object_get_ex(data, key, &value) || !json_object_is_type(value, json_type_string))
        return NULL;
    return json_object_get_string(value);
}

static bool data_int64(struct json_object *data, const char *key, int64_t *out)
{
    struct json_object *value;

    if (!data || !json_object_object_get_ex(data, key, &value) || !json_object_is_type(value, json_type_int))
        return false;
    *out = json_object_get_int64(value);
    return true;
}

static size_t lifecycle(struct qemu_domain_event *out, int event, int detail)
{
    out->id = VB_DOMAIN_EVENT_ID_LIFECYCLE;
    out->payload.lifecycle.event = event;
    out->payload.lifecycle.detail = detail;
    return 1;
}

static size_t only_id(struct qemu_domain_event *out, int id)
{
    out->id = id;
    return 1;
}

static size_t map_shutdown(struct json_object *data, struct qemu_domain_event *out)
{
    struct json_object *guest;

    if (!data || !json_object_object_get_ex(data, "guest", &guest) || !json_object_is_type(guest, json_type_boolean))
        return lifecycle(out, VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_FINISHED);
    return lifecycle(out, VB_EVENT_SHUTDOWN,
                     json_object_get_boolean(guest) ? VB_EVENT_SHUTDOWN_GUEST : VB_EVENT_SHUTDOWN_HOST);
}

int qemu_watchdog_action_from_string(const char *action)
{
    /* Indexed by virDomainEventWatchdogAction. */
    static const char *const names[] = { "none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi" };

    for (size_t i = 0; action && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(action, names[i]) == 0)
            return (int) i;
    return -1;
}

static size_t map_watchdog(struct json_object *data, bool running, struct qemu_domain_event *out)
{
    int action = qemu_watchdog_action_from_string(data_string(data, "action"));

    if (action < 0)
        return 0;
    out[0].id = VB_DOMAIN_EVENT_ID_WATCHDOG;
    out[0].payload.watchdog.action = action;
    if (action == WATCHDOG_ACTION_PAUSE && running)
        return 1 + lifecycle(&out[1], VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_WATCHDOG);
    return 1;
}

static size_t map_block_io_error(struct json_object *data, bool running, struct qemu_domain_event *out)
{
    const char *device = data_string(data, "device");
    const char *action = data_string(data, "action");
    struct json_object *nospace;
    int code;

    if (!device || !*device)
        device = data_string(data, "node-name");
    if (!device || !action)
        return 0;
    if (strcmp(action, "stop") == 0)
        code = IO_ERROR_ACTION_PAUSE;
    else if (strcmp(action, "report") == 0)
        code = IO_ERROR_ACTION_REPORT;
    else
        code = IO_ERROR_ACTION_NONE;
    out[0].id = VB_DOMAIN_EVENT_ID_IO_ERROR_REASON;
    out[0].payload.io_error.src_path = NULL;
    out[0].payload.io_error.dev_alias = (char *) device;
    out[0].payload.io_error.action = code;
    out[0].payload.io_error.reason =
        json_object_object_get_ex(data, "nospace", &nospace) && json_object_get_boolean(nospace) ? "enospc" : "";
    if (code == IO_ERROR_ACTION_PAUSE && running)
        return 1 + lifecycle(&out[1], VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_IOERROR);
    return 1;
}

static size_t map_device_deleted(struct json_object *data, struct qemu_domain_event *out)
{
    const char *device = data_string(data, "device");

    /* Devices without an id (a bare -blockdev node) have only a QOM path: nothing for libvirt. */
    if (!device || !*device)
        return 0;
    /* A vCPU is no device of the definition: libvirt recounts the vCPUs and announces nothing. */
    if (strncmp(device, "vcpu", 4) == 0)
        return 0;
    out->id = VB_DOMAIN_EVENT_ID_DEVICE_REMOVED;
    out->payload.device.dev_alias = (char *) device;
    return 1;
}

/* libvirt's virDomainEventTrayChangeReason. */
enum { TRAY_CHANGE_OPEN = 0, TRAY_CHANGE_CLOSE = 1 };

static size_t map_tray_moved(struct json_object *data, struct qemu_domain_event *out)
{
    const char *device = data_string(data, "id");
    struct json_object *open;

    /* With -blockdev the drive has no name ("device" is ""): the device's id is libvirt's alias. */
    if (!device || !*device)
        device = data_string(data, "device");
    if (!device || !*device || !json_object_object_get_ex(data, "tray-open", &open) ||
        !json_object_is_type(open, json_type_boolean))
        return 0;
    out->id = VB_DOMAIN_EVENT_ID_TRAY_CHANGE;
    out->payload.tray_change.dev_alias = (char *) device;
    out->payload.tray_change.reason = json_object_get_boolean(open) ? TRAY_CHANGE_OPEN : TRAY_CHANGE_CLOSE;
    return 1;
}

static size_t map_balloon(struct json_object *data, struct qemu_domain_event *out)
{
    int64_t actual;

    if (!data_int64(data, "actual", &actual) || actual < 0)
        return 0;
    out->id = VB_DOMAIN_EVENT_ID_BALLOON_CHANGE;
    out->payload.balloon_change.actual_kib = (unsigned long long) actual / 1024u;
    return 1;
}

static size_t map_rtc(struct json_object *data, struct qemu_domain_event *out)
{
    int64_t offset;

    if (!data_int64(data, "offset", &offset))
        return 0;
    out->id = VB_DOMAIN_EVENT_ID_RTC_CHANGE;
    out->payload.rtc_change.utc_offset = offset;
    return 1;
}

static size_t map_pm(int id, int event, int detail, struct qemu_domain_event *out)
{
    out[0].id = id;
    out[0].payload.pm.reason = 0;
    return 1 + lifecycle(&out[1], event, detail);
}

size_t qemu_event_map(const char *name, struct json_object *data, bool running,
                      struct qemu_domain_event out[QEMU_EVENT_MAP_MAX])
{
    memset(out, 0, sizeof(*out) * QEMU_EVENT_MAP_MAX);
    if (!name)
        return 0;
    if (strcmp(name, "STOP") == 0)
        return running ? lifecycle(out, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED) : 0;
    if (strcmp(name, "RESUME") == 0)
        return running ? 0 : lifecycle(out, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    if (strcmp(name, "SHUTDOWN") == 0)
        return map_shutdown(data, out);
    if (strcmp(name, "RESET") == 0)
        return only_id(out, VB_DOMAIN_EVENT_ID_REBOOT);
    if (strcmp(name, "GUEST_PANICKED") == 0)
        return lifecycle(out, VB_EVENT_CRASHED, VB_EVENT_CRASHED_PANICKED);
    if (strcmp(name, "DEVICE_DELETED") == 0)
        return map_device_deleted(data, out);
    if (strcmp(name, "DEVICE_TRAY_MOVED") == 0)
        return map_tray_moved(data, out);
    if (strcmp(name, "BALLOON_CHANGE") == 0)
        return map_balloon(data, out);
    if (strcmp(name, "RTC_CHANGE") == 0)
        return map_rtc(data, out);
    if (strcmp(name, "WATCHDOG") == 0)
        return map_watchdog(data, running, out);
    if (strcmp(name, "BLOCK_IO_ERROR") == 0)
        return map_block_io_error(data, running, out);
    if (strcmp(name, "SUSPEND") == 0)
        return map_pm(VB_DOMAIN_EVENT_ID_PMSUSPEND, VB_EVENT_PMSUSPENDED, PMSUSPENDED_MEMORY, out);
    if (strcmp(name, "WAKEUP") == 0)
        return map_pm(VB_DOMAIN_EVENT_ID_PMWAKEUP, VB_EVENT_STARTED, VB_EVENT_STARTED_WAKEUP, out);
    return 0;
}
