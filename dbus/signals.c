/* Lifecycle events from the internal stream as org.libvirt.Connect.DomainEvent signals. */
#include <inttypes.h>
#include <string.h>

#include "dbus/bus.h"
#include "util/log.h"

static struct dbus_connect *connect_for_uri(struct dbus_frontend *frontend, const char *uri)
{
    for (size_t i = 0; i < frontend->n_connects; i++)
        if (streq(frontend->connects[i].conn->uri, uri))
            return &frontend->connects[i];
    return NULL;
}

void dbus_signals_on_event(const struct vb_event *event, void *userdata)
{
    struct dbus_frontend *frontend = userdata;
    struct dbus_connect *dc = connect_for_uri(frontend, event->uri);
    _cleanup_free_ char *path = NULL;
    int r;

    if (!dc)
        return;
    path = dbus_connect_domain_path(dc, event->uuid);
    if (!path) {
        vb_log_error("out of memory: DomainEvent %" PRIu64 " not sent", event->seq);
        return;
    }
    vb_log_debug("event %" PRIu64 ": %s %s/%s", event->seq, event->domain_name,
                 vb_domain_event_to_string(event->event), vb_domain_event_detail_to_string(event->event, event->detail));
    r = sd_bus_emit_signal(dc->bus, dc->path, DBUS_CONNECT_INTERFACE, "DomainEvent", "oii", path,
                           (int32_t) event->event, (int32_t) event->detail);
    if (r < 0)
        vb_log_warning("could not send DomainEvent for '%s': %s", event->domain_name, strerror(-r));
    dbus_objects_refresh(dc, event->uuid);
}
