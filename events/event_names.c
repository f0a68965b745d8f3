/* Event, detail and event id names as virsh prints them. Pure data, shared by the daemon and by
 * virtbusctl (which links this file alone, nothing else of the daemon). */
#include <stddef.h>
#include <string.h>

#include "events/event.h"
#include "util/macros.h"

static const char *const event_names[] = {
    "Defined", "Undefined", "Started", "Suspended", "Resumed",
    "Stopped", "Shutdown", "PMSuspended", "Crashed",
};

static const char *const defined_details[] = { "Added", "Updated", "Renamed", "Snapshot" };
static const char *const undefined_details[] = { "Removed", "Renamed" };
static const char *const started_details[] = { "Booted", "Migrated", "Restored", "Snapshot",
                                               "Event wakeup", "Recreation" };
static const char *const suspended_details[] = { "Paused", "Migrated", "I/O Error", "Watchdog",
                                                 "Restored", "Snapshot", "API error", "Post-copy",
                                                 "Post-copy Error" };
static const char *const resumed_details[] = { "Unpaused", "Migrated", "Snapshot", "Post-copy",
                                               "Post-copy Error" };
static const char *const stopped_details[] = { "Shutdown", "Destroyed", "Crashed", "Migrated",
                                               "Saved", "Failed", "Snapshot", "Recreation" };
static const char *const shutdown_details[] = { "Finished", "Finished after guest request",
                                                "Finished after host request" };
static const char *const pmsuspended_details[] = { "Memory", "Disk" };
static const char *const crashed_details[] = { "Panicked", "Crashloaded" };

struct detail_table {
    const char *const *names;
    size_t count;
};

#define DETAILS(a) { (a), ARRAY_SIZE(a) }
static const struct detail_table detail_tables[] = {
    DETAILS(defined_details),   DETAILS(undefined_details), DETAILS(started_details),
    DETAILS(suspended_details), DETAILS(resumed_details),   DETAILS(stopped_details),
    DETAILS(shutdown_details),  DETAILS(pmsuspended_details), DETAILS(crashed_details),
};

const char *vb_domain_event_to_string(int event)
{
    if (event < 0 || (size_t) event >= ARRAY_SIZE(event_names))
        return "unknown";
    return event_names[event];
}

const char *vb_domain_event_detail_to_string(int event, int detail)
{
    const struct detail_table *t;

    if (event < 0 || (size_t) event >= ARRAY_SIZE(detail_tables))
        return "unknown";
    t = &detail_tables[event];
    if (detail < 0 || (size_t) detail >= t->count)
        return "unknown";
    return t->names[detail];
}

/* virsh event --list's names, indexed by libvirt's virDomainEventID. */
static const char *const event_id_names[VB_DOMAIN_EVENT_ID_LAST] = {
    "lifecycle",       "reboot",         "rtc-change",     "watchdog",
    "io-error",        "graphics",       "io-error-reason", "control-error",
    "block-job",       "disk-change",    "tray-change",    "pm-wakeup",
    "pm-suspend",      "balloon-change", "pm-suspend-disk", "device-removed",
    "block-job-2",     "tunable",        "agent-lifecycle", "device-added",
    "migration-iteration", "job-completed", "device-removal-failed", "metadata-change",
    "block-threshold", "memory-failure", "memory-device-size-change",
};

const char *vb_domain_event_id_to_string(int id)
{
    if (id == VB_EVENT_ID_CHANGED)
        return "changed";
    if (id < 0 || id >= VB_DOMAIN_EVENT_ID_LAST)
        return "unknown";
    return event_id_names[id];
}

int vb_domain_event_id_from_string(const char *name)
{
    for (int id = 0; id < VB_DOMAIN_EVENT_ID_LAST; id++)
        if (streq(event_id_names[id], name))
            return id;
    if (streq(name, "changed"))
        return VB_EVENT_ID_CHANGED;
    return -1;
}

static const char *const network_events[] = { "Defined", "Undefined", "Started", "Stopped" };
static const char *const pool_events[] = { "Defined", "Undefined", "Started", "Stopped", "Created", "Deleted" };
static const char *const node_device_events[] = { "Created", "Deleted", "Defined", "Undefined" };
static const char *const secret_events[] = { "Defined", "Undefined" };

const char *vb_object_kind_to_string(enum vb_object_kind kind)
{
    switch (kind) {
    case VB_OBJECT_DOMAIN:
        return "domain";
    case VB_OBJECT_NETWORK:
        return "network";
    case VB_OBJECT_STORAGE_POOL:
        return "storage-pool";
    case VB_OBJECT_NODE_DEVICE:
        return "node-device";
    case VB_OBJECT_SECRET:
        return "secret";
    }
    return "unknown";
}

static const char *name_in(const char *const *names, size_t n, int event)
{
    return event >= 0 && (size_t) event < n ? names[event] : "unknown";
}

const char *vb_object_event_to_string(enum vb_object_kind kind, int id, int event)
{
    if (id != 0)
        return kind == VB_OBJECT_STORAGE_POOL ? "Refreshed" : "Updated";
    switch (kind) {
    case VB_OBJECT_DOMAIN:
        return vb_domain_event_to_string(event);
    case VB_OBJECT_NETWORK:
        return name_in(network_events, ARRAY_SIZE(network_events), event);
    case VB_OBJECT_STORAGE_POOL:
        return name_in(pool_events, ARRAY_SIZE(pool_events), event);
    case VB_OBJECT_NODE_DEVICE:
        return name_in(node_device_events, ARRAY_SIZE(node_device_events), event);
    case VB_OBJECT_SECRET:
        return name_in(secret_events, ARRAY_SIZE(secret_events), event);
    }
    return "unknown";
}
