/* Setting up the D-Bus front end: objects per connection, authorization, event fan-out, and
 * what happens when a client leaves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus/authorize.h"
#include "dbus/bus.h"
#include "dbus/object_calls.h"
#include "dbus/paths.h"
#include "dbus/signal_relay.h"
#include "policy/engine.h"
#include "util/hashmap.h"
#include "util/log.h"

static int connect_init(struct dbus_frontend *frontend, struct dbus_connect *dc, struct vb_connect *conn)
{
    const char *path = dbus_connect_path_for_driver(conn->driver->name);

    if (!path) {
        vb_log_error("driver '%s' has no D-Bus object path", conn->driver->name);
        return -EINVAL;
    }
    dc->frontend = frontend;
    dc->bus = frontend->bus;
    dc->conn = conn;
    dc->path = strdup(path);
    if (!dc->path || asprintf(&dc->domain_prefix, "%s/domain", path) < 0 ||
        asprintf(&dc->snapshot_prefix, "%s/domainsnapshot", path) < 0)
        return -ENOMEM;
    dc->found_domain.dc = dc;
    dc->found_snapshot.dc = dc;
    return dbus_object_prefixes_init(dc, path);
}

typedef int (*register_fn)(struct dbus_connect *dc);

/* One per file: each puts its vtable on the connection's paths. */
static const register_fn registrations[] = {
    dbus_connect_register,        dbus_connect_node_register,       dbus_domain_register,
    dbus_domain_config_register,  dbus_domain_info_register,        dbus_domain_unsupported_register,
    dbus_domain_guest_register,   dbus_domain_guest_io_register,    dbus_domain_tunables_register,
    dbus_snapshot_register,       dbus_objects_init,                dbus_network_register,
    dbus_storage_pool_register,   dbus_storage_vol_register,        dbus_nodedev_register,
    dbus_interface_register,      dbus_secret_nwfilter_register,    dbus_object_signals_init,
};

static int connect_register(struct dbus_connect *dc)
{
    int r = 0;

    for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(registrations); i++)
        r = registrations[i](dc);
    if (r < 0)
        vb_log_error("could not register %s: %s", dc->conn->uri, strerror(-r));
    return r;
}

/* A client that leaves the bus takes its pending calls and its AUTODESTROY domains with it. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_frontend *frontend = userdata;
    const char *name, *old_owner, *new_owner;

    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
        return 0;
    if (name[0] != ':' || new_owner[0] != '\0')
        return 0;
    dbus_calls_client_gone(frontend, name);
    dbus_signal_relay_peer_gone(frontend, name);
    for (size_t i = 0; i < frontend->n_connects; i++)
        vb_connect_client_gone(frontend->connects[i].conn, name);
    return 0;
}

static int frontend_setup(struct dbus_frontend *frontend, struct vb_connect **conns, size_t n_conns)
{
    int r = 0;

    for (size_t i = 0; r >= 0 && i < n_conns; i++) {
        r = connect_init(frontend, &frontend->connects[i], conns[i]);
        frontend->n_connects = i + 1;
        if (r >= 0)
            r = connect_register(&frontend->connects[i]);
    }
    if (r >= 0 && policy_engine_enabled(frontend->engine))
        r = dbus_authorizer_new(frontend->bus, frontend, frontend->engine, &frontend->authorizer);
    if (r >= 0)
        r = sd_bus_add_object_manager(frontend->bus, NULL, DBUS_ROOT_PATH);
    if (r >= 0)
        r = sd_bus_match_signal(frontend->bus, &frontend->owner_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, frontend);
    if (r >= 0) {
        frontend->event_subscription = vb_event_subscribe(frontend->events, dbus_signals_on_event, frontend);
        if (frontend->event_subscription < 0) {
            r = frontend->event_subscription;
            frontend->event_subscription = 0;
        }
    }
    return r;
}

int dbus_frontend_new(sd_bus *bus, struct vb_connect **conns, size_t n_conns, struct vb_event_stream *events,
                      struct policy_engine *engine, bool broadcast_signals, struct dbus_frontend **out)
{
    struct dbus_frontend *frontend = calloc(1, sizeof(*frontend));
    int r;

    if (!frontend)
        return -ENOMEM;
    frontend->bus = sd_bus_ref(bus);
    frontend->events = events;
    frontend->engine = engine;
    frontend->broadcast_signals = broadcast_signals;
    frontend->connects = calloc(n_conns, sizeof(*frontend->connects));
    frontend->relays = vb_hashmap_new();
    r = frontend->connects && frontend->relays ? frontend_setup(frontend, conns, n_conns) : -ENOMEM;
    if (r < 0) {
        dbus_frontend_free(frontend);
        return r;
    }
    *out = frontend;
    return 0;
}

void dbus_frontend_stop(struct dbus_frontend *frontend)
{
    if (frontend)
        dbus_calls_cancel_all(frontend);
}

void dbus_frontend_free(struct dbus_frontend *frontend)
{
    if (!frontend)
        return;
    if (frontend->event_subscription > 0)
        vb_event_unsubscribe(frontend->events, frontend->event_subscription);
    sd_bus_slot_unref(frontend->owner_slot);
    dbus_signal_relay_free_all(frontend);
    dbus_authorizer_free(frontend->authorizer);
    for (size_t i = 0; frontend->connects && i < frontend->n_connects; i++) {
        struct dbus_connect *dc = &frontend->connects[i];

        dbus_objects_free(dc);
        dbus_object_signals_free(dc);
        dbus_object_prefixes_free(dc);
        free(dc->path);
        free(dc->domain_prefix);
        free(dc->snapshot_prefix);
        free(dc->found_snapshot.name);
    }
    free(frontend->connects);
    sd_bus_unref(frontend->bus);
    free(frontend);
}

struct policy_check *dbus_frontend_current_check(struct dbus_frontend *frontend, sd_bus_message *m)
{
    return dbus_authorizer_current(frontend->authorizer, m);
}
