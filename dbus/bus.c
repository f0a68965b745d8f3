/* Setting up the D-Bus front end: objects per connection, event fan-out, client tracking. */
#include <stdlib.h>
#include <string.h>

#include "dbus/authorize.h"
#include "dbus/bus.h"
#include "dbus/paths.h"
#include "util/log.h"

static int connect_init(struct dbus_connect *dc, sd_bus *bus, struct vb_connect *conn)
{
    const char *path = dbus_connect_path_for_driver(conn->driver->name);

    if (!path) {
        vb_log_error("driver '%s' has no D-Bus object path", conn->driver->name);
        return -EINVAL;
    }
    dc->bus = bus;
    dc->conn = conn;
    dc->path = strdup(path);
    if (!dc->path || asprintf(&dc->domain_prefix, "%s/domain", path) < 0)
        return -ENOMEM;
    return 0;
}

/* A client that disappears from the bus takes its AUTODESTROY domains with it. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_frontend *frontend = userdata;
    const char *name, *old_owner, *new_owner;

    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
        return 0;
    if (name[0] != ':' || new_owner[0] != '\0')
        return 0;
    for (size_t i = 0; i < frontend->n_connects; i++)
        vb_connect_client_gone(frontend->connects[i].conn, name);
    return 0;
}

int dbus_frontend_new(sd_bus *bus, struct vb_connect **conns, size_t n_conns, struct vb_event_stream *events,
                      const struct dbus_authorize_options *authorize, struct dbus_frontend **out)
{
    struct dbus_frontend *frontend = calloc(1, sizeof(*frontend));
    int r;

    if (!frontend)
        return -ENOMEM;
    frontend->bus = sd_bus_ref(bus);
    frontend->events = events;
    frontend->connects = calloc(n_conns, sizeof(*frontend->connects));
    if (!frontend->connects) {
        dbus_frontend_free(frontend);
        return -ENOMEM;
    }
    frontend->n_connects = n_conns;
    for (size_t i = 0; i < n_conns; i++) {
        struct dbus_connect *dc = &frontend->connects[i];

        r = connect_init(dc, bus, conns[i]);
        if (r >= 0)
            r = dbus_connect_register(dc);
        if (r >= 0)
            r = dbus_domain_register(dc);
        if (r >= 0)
            r = dbus_domain_config_register(dc);
        if (r >= 0)
            r = dbus_domain_info_register(dc);
        if (r >= 0)
            r = dbus_domain_unsupported_register(dc);
        if (r >= 0)
            r = dbus_domain_guest_register(dc);
        if (r >= 0)
            r = dbus_domain_guest_io_register(dc);
        if (r >= 0)
            r = dbus_domain_tunables_register(dc);
        if (r >= 0)
            r = dbus_connect_node_register(dc);
        if (r >= 0)
            r = dbus_snapshot_register(dc);
        if (r >= 0)
            r = dbus_objects_init(dc);
        if (r < 0) {
            vb_log_error("could not register %s: %s", conns[i]->uri, strerror(-r));
            dbus_frontend_free(frontend);
            return r;
        }
    }
    r = dbus_authorizer_new(bus, frontend, authorize, &frontend->authorizer);
    for (size_t i = 0; r >= 0 && i < n_conns; i++)
        frontend->connects[i].authorizer = frontend->authorizer;
    if (r >= 0)
        r = sd_bus_add_object_manager(bus, NULL, DBUS_ROOT_PATH);
    if (r < 0) {
        dbus_frontend_free(frontend);
        return r;
    }
    r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                            "NameOwnerChanged", on_name_owner_changed, frontend);
    if (r < 0) {
        dbus_frontend_free(frontend);
        return r;
    }
    frontend->event_subscription = vb_event_subscribe(events, dbus_signals_on_event, frontend);
    if (frontend->event_subscription < 0) {
        r = frontend->event_subscription;
        frontend->event_subscription = 0;
        dbus_frontend_free(frontend);
        return r;
    }
    *out = frontend;
    return 0;
}

void dbus_frontend_free(struct dbus_frontend *frontend)
{
    if (!frontend)
        return;
    if (frontend->event_subscription > 0)
        vb_event_unsubscribe(frontend->events, frontend->event_subscription);
    dbus_authorizer_free(frontend->authorizer);
    for (size_t i = 0; frontend->connects && i < frontend->n_connects; i++) {
        dbus_objects_free(&frontend->connects[i]);
        free(frontend->connects[i].path);
        free(frontend->connects[i].domain_prefix);
    }
    free(frontend->connects);
    sd_bus_unref(frontend->bus);
    free(frontend);
}
