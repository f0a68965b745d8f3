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
