/* Events from the internal stream as org.libvirt signals: a lifecycle event as
 * Connect.DomainEvent, every other domain event as the org.libvirt.Domain signal libvirt-dbus
 * sends for it, then the object announcements that follow (dbus/objects.c).
 *
 * On the session bus signals are broadcast (every peer is the daemon's own user). On the
 * system bus a signal about a domain goes, addressed, only to the peers that may see that
 * domain (libvirt relays an event to a client that has domain:getattr on it, and
 * connect:search_domains), each peer's signals in order: dbus/signal_relay.c. */
#include <inttypes.h>
#include <string.h>

#include "dbus/authorize.h"
#include "dbus/bus.h"
#include "dbus/paths.h"
#include "dbus/signal_relay.h"
#include "dbus/typed_params.h"
#include "util/log.h"

static struct dbus_connect *connect_for_uri(struct dbus_frontend *frontend, const char *uri)
{
    for (size_t i = 0; i < frontend->n_connects; i++)
        if (streq(frontend->connects[i].conn->uri, uri))
            return &frontend->connects[i];
    return NULL;
}

static const char *empty_if_null(const char *s)
{
    return s ? s : "";
}

static int append_graphics_address(sd_bus_message *m, const struct vb_graphics_address *a)
{
    return sd_bus_message_append(m, "(iss)", (int32_t) a->family, empty_if_null(a->node),
                                 empty_if_null(a->service));
}

static int append_graphics(sd_bus_message *m, const union vb_event_payload *p)
{
    int r = sd_bus_message_append(m, "i", (int32_t) p->graphics.phase);

    if (r >= 0)
        r = append_graphics_address(m, &p->graphics.local);
    if (r >= 0)
        r = append_graphics_address(m, &p->graphics.remote);
    if (r >= 0)
        r = sd_bus_message_append(m, "s", empty_if_null(p->graphics.auth_scheme));
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'a', "(ss)");
    for (size_t i = 0; r >= 0 && i < p->graphics.n_identities; i++)
        r = sd_bus_message_append(m, "(ss)", empty_if_null(p->graphics.identities[i].type),
                                  empty_if_null(p->graphics.identities[i].name));
    return r < 0 ? r : sd_bus_message_close_container(m);
}

/* The org.libvirt.Domain signal of a domain event id and its arguments, as libvirt-dbus's
 * events.c sends them; -ENOENT for ids libvirt-dbus has no signal for. */
static int append_domain_signal(sd_bus_message *m, const struct vb_event *e)
{
    const union vb_event_payload *p = &e->payload;

    switch (e->id) {
    case VB_DOMAIN_EVENT_ID_REBOOT:
    case VB_DOMAIN_EVENT_ID_CONTROL_ERROR:
        return 0;
    case VB_DOMAIN_EVENT_ID_RTC_CHANGE:
        return sd_bus_message_append(m, "x", (int64_t) p->rtc_change.utc_offset);
    case VB_DOMAIN_EVENT_ID_WATCHDOG:
        return sd_bus_message_append(m, "i", (int32_t) p->watchdog.action);
    case VB_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        return sd_bus_message_append(m, "ssis", empty_if_null(p->io_error.src_path),
                                     empty_if_null(p->io_error.dev_alias), (int32_t) p->io_error.action,
                                     empty_if_null(p->io_error.reason));
    case VB_DOMAIN_EVENT_ID_GRAPHICS:
        return append_graphics(m, p);
    case VB_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return sd_bus_message_append(m, "sii", empty_if_null(p->block_job.disk), (int32_t) p->block_job.type,
                                     (int32_t) p->block_job.status);
    case VB_DOMAIN_EVENT_ID_DISK_CHANGE:
        return sd_bus_message_append(m, "sssi", empty_if_null(p->disk_change.old_src_path),
                                     empty_if_null(p->disk_change.new_src_path),
                                     empty_if_null(p->disk_change.dev_alias), (int32_t) p->disk_change.reason);
    case VB_DOMAIN_EVENT_ID_TRAY_CHANGE:
        return sd_bus_message_append(m, "si", empty_if_null(p->tray_change.dev_alias),
                                     (int32_t) p->tray_change.reason);
    case VB_DOMAIN_EVENT_ID_PMWAKEUP:
    case VB_DOMAIN_EVENT_ID_PMSUSPEND:
    case VB_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        return sd_bus_message_append(m, "i", (int32_t) p->pm.reason);
    case VB_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        return sd_bus_message_append(m, "t", (uint64_t) p->balloon_change.actual_kib);
    case VB_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        return sd_bus_message_append(m, "s", empty_if_null(p->device.dev_alias));
    case VB_DOMAIN_EVENT_ID_TUNABLE:
    case VB_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return dbus_typed_params_append(m, &p->params);
    case VB_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        return sd_bus_message_append(m, "ii", (int32_t) p->agent_lifecycle.state, (int32_t) p->agent_lifecycle.reason);
    case VB_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        return sd_bus_message_append(m, "i", (int32_t) p->migration_iteration.iteration);
    case VB_DOMAIN_EVENT_ID_METADATA_CHANGE:
        return sd_bus_message_append(m, "is", (int32_t) p->metadata_change.type,
                                     empty_if_null(p->metadata_change.nsuri));
    default:
        return -ENOENT;
    }
}

/* libvirt-dbus's signal names, by libvirt's event id. */
static const char *domain_signal_name(int id)
{
    static const char *const names[VB_DOMAIN_EVENT_ID_LAST] = {
        [VB_DOMAIN_EVENT_ID_REBOOT] = "Reboot",
        [VB_DOMAIN_EVENT_ID_RTC_CHANGE] = "RTCChange",
        [VB_DOMAIN_EVENT_ID_WATCHDOG] = "Watchdog",
        [VB_DOMAIN_EVENT_ID_IO_ERROR_REASON] = "IOError",
        [VB_DOMAIN_EVENT_ID_GRAPHICS] = "Graphics",
        [VB_DOMAIN_EVENT_ID_CONTROL_ERROR] = "ControlError",
        [VB_DOMAIN_EVENT_ID_BLOCK_JOB_2] = "BlockJob",
        [VB_DOMAIN_EVENT_ID_DISK_CHANGE] = "DiskChange",
        [VB_DOMAIN_EVENT_ID_TRAY_CHANGE] = "TrayChange",
        [VB_DOMAIN_EVENT_ID_PMWAKEUP] = "PMWakeup",
        [VB_DOMAIN_EVENT_ID_PMSUSPEND] = "PMSuspend",
        [VB_DOMAIN_EVENT_ID_BALLOON_CHANGE] = "BalloonChange",
        [VB_DOMAIN_EVENT_ID_PMSUSPEND_DISK] = "PMSuspendDisk",
        [VB_DOMAIN_EVENT_ID_DEVICE_REMOVED] = "DeviceRemoved",
        [VB_DOMAIN_EVENT_ID_TUNABLE] = "Tunable",
        [VB_DOMAIN_EVENT_ID_AGENT_LIFECYCLE] = "AgentEvent",
        [VB_DOMAIN_EVENT_ID_DEVICE_ADDED] = "DeviceAdded",
        [VB_DOMAIN_EVENT_ID_MIGRATION_ITERATION] = "MigrationIteration",
        [VB_DOMAIN_EVENT_ID_JOB_COMPLETED] = "JobCompleted",
        [VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED] = "DeviceRemovalFailed",
        [VB_DOMAIN_EVENT_ID_METADATA_CHANGE] = "MetadataChange",
    };

    return id >= 0 && id < VB_DOMAIN_EVENT_ID_LAST ? names[id] : NULL;
}

/* The signal an event is sent as, or NULL with 0 for events with none. */
static int new_event_signal(struct dbus_connect *dc, const struct vb_event *e, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    _cleanup_free_ char *path = dbus_domain_path(dc->domain_prefix, e->uuid);
    const char *member = domain_signal_name(e->id);
    int r;

    *out = NULL;
    if (!path)
        return -ENOMEM;
    if (e->id == VB_DOMAIN_EVENT_ID_LIFECYCLE) {
        r = sd_bus_message_new_signal(dc->bus, &m, dc->path, DBUS_CONNECT_INTERFACE, "DomainEvent");
        if (r >= 0)
            r = sd_bus_message_append(m, "oii", path, (int32_t) e->payload.lifecycle.event,
                                      (int32_t) e->payload.lifecycle.detail);
    } else if (member) {
        r = sd_bus_message_new_signal(dc->bus, &m, path, DBUS_DOMAIN_INTERFACE, member);
        if (r >= 0)
            r = append_domain_signal(m, e);
    } else {
        return 0; /* libvirt-dbus has no signal for it (IO_ERROR, BLOCK_JOB: their richer twins have) */
    }
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

void dbus_signals_send(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const char *name,
                       sd_bus_message *m)
{
    dbus_signal_relay_send(dc->frontend, dc, uuid, name, m);
}

void dbus_signals_on_event(const struct vb_event *event, void *userdata)
{
    struct dbus_frontend *frontend = userdata;
    struct dbus_connect *dc = connect_for_uri(frontend, event->uri);
    sd_bus_message *m = NULL;
    int r;

    if (!dc)
        return;
    if (event->object != VB_OBJECT_DOMAIN) {
        dbus_object_signals_on_event(dc, event);
        return;
    }
    vb_log_debug("event %" PRIu64 ": %s %s", event->seq, event->name ? event->name : "",
                 vb_domain_event_id_to_string(event->id));
    r = new_event_signal(dc, event, &m);
    if (r < 0)
        vb_log_warning("could not build the %s signal of event %" PRIu64 ": %s",
                       vb_domain_event_id_to_string(event->id), event->seq, strerror(-r));
    if (m)
        dbus_signals_send(dc, event->uuid, event->name, m);
    /* Whatever the event, the domain's properties may have changed. */
    dbus_objects_refresh(dc, event->uuid, event->name);
}
