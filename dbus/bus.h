/* The D-Bus front end: org.libvirt on one bus, one Connect object per driver connection. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "api/connect.h"
#include "events/event.h"

#define DBUS_SERVICE_NAME "org.libvirt"
#define DBUS_CONNECT_INTERFACE "org.libvirt.Connect"
#define DBUS_DOMAIN_INTERFACE "org.libvirt.Domain"

/* One served connection: the Connect object and its domain subtree. */
struct dbus_connect {
    sd_bus *bus;
    struct vb_connect *conn;
    char *path;          /* /org/libvirt/Test */
    char *domain_prefix; /* /org/libvirt/Test/domain */
};

struct dbus_frontend {
    sd_bus *bus;
    struct dbus_connect *connects;
    size_t n_connects;
    struct vb_event_stream *events;
    int event_subscription;
};

/* Registers the objects of every connection on bus and subscribes to events. Does not request
 * the bus name (the daemon does, once everything is in place). */
int dbus_frontend_new(sd_bus *bus, struct vb_connect **conns, size_t n_conns, struct vb_event_stream *events,
                      struct dbus_frontend **out);
void dbus_frontend_free(struct dbus_frontend *frontend);

/* dbus/connect.c, dbus/domain.c: object registration per connection */
int dbus_connect_register(struct dbus_connect *dc);
int dbus_domain_register(struct dbus_connect *dc);

/* dbus/signals.c: lifecycle events → DomainEvent signals */
void dbus_signals_on_event(const struct vb_event *event, void *userdata);

/* Encodes a ref's object path for a connection. malloc'd. */
char *dbus_connect_domain_path(const struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN]);
