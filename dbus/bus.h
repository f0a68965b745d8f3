/* The D-Bus front end: org.libvirt on one bus, one Connect object per driver connection. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "api/connect.h"
#include "events/event.h"

struct vb_hashmap;
struct dbus_authorizer;
struct dbus_authorize_options;

#define DBUS_SERVICE_NAME "org.libvirt"
#define DBUS_CONNECT_INTERFACE "org.libvirt.Connect"
#define DBUS_DOMAIN_INTERFACE "org.libvirt.Domain"

/* One served connection: the Connect object and its domain subtree. */
struct dbus_connect {
    sd_bus *bus;
    struct vb_connect *conn;
    char *path;          /* /org/libvirt/Test */
    char *domain_prefix; /* /org/libvirt/Test/domain */
    struct vb_hashmap *announced; /* dbus/objects.c: what each domain was last announced as */
    struct dbus_authorizer *authorizer; /* dbus/authorize.c: what list handlers filter by */
};

struct dbus_frontend {
    sd_bus *bus;
    struct dbus_connect *connects;
    size_t n_connects;
    struct vb_event_stream *events;
    int event_subscription;
    struct dbus_authorizer *authorizer;
};

/* Registers the objects of every connection on bus, puts the authorization filter in front of
 * them and subscribes to events. Does not request the bus name (the daemon does, once everything
 * is in place). */
int dbus_frontend_new(sd_bus *bus, struct vb_connect **conns, size_t n_conns, struct vb_event_stream *events,
                      const struct dbus_authorize_options *authorize, struct dbus_frontend **out);
void dbus_frontend_free(struct dbus_frontend *frontend);

/* dbus/connect.c, dbus/domain.c: object registration per connection */
int dbus_connect_register(struct dbus_connect *dc);
int dbus_domain_register(struct dbus_connect *dc);
/* dbus/domain.c: helpers shared by the Domain method files */
/* Decodes the domain UUID from an object path; an unknown path answers "Domain not found". */
int dbus_domain_uuid(struct dbus_connect *dc, const char *path, unsigned char uuid[VB_UUID_LEN], sd_bus_error *error);
/* Starts the domain the call's path names (Domain.Create and CreateWithFiles), replying when
 * the driver has finished. */
int dbus_domain_start(sd_bus_message *m, struct dbus_connect *dc, uint32_t flags, sd_bus_error *error);
/* The same, for the path a method call is addressed to. */
int dbus_message_domain_uuid(sd_bus_message *m, struct dbus_connect *dc, unsigned char uuid[VB_UUID_LEN],
                             sd_bus_error *error);
/* Sets error from err, clears err, returns the negative value for the handler. */
int dbus_reply_core_error(sd_bus_error *error, struct vb_error *err);
/* dbus/domain_config.c, dbus/domain_info.c, dbus/domain_unsupported.c: more Domain methods */
int dbus_domain_config_register(struct dbus_connect *dc);
int dbus_domain_info_register(struct dbus_connect *dc);
int dbus_domain_unsupported_register(struct dbus_connect *dc);
/* dbus/domain_guest.c, dbus/domain_tunables.c: guest control and tunables of org.libvirt.Domain */
int dbus_domain_guest_register(struct dbus_connect *dc);
int dbus_domain_guest_io_register(struct dbus_connect *dc);
/* Reads an "ab" CPU map argument (dbus/domain_guest.c); an empty one gives NULL. */
int dbus_read_cpumap(sd_bus_message *m, bool **out, unsigned int *n);
int dbus_domain_tunables_register(struct dbus_connect *dc);
/* The find callback every Domain vtable uses: any path below the prefix is an object. */
int dbus_domain_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error);

/* dbus/connect_node.c: node and host methods of org.libvirt.Connect */
int dbus_connect_node_register(struct dbus_connect *dc);
/* dbus/snapshot.c: snapshot methods of org.libvirt.Domain and org.libvirt.DomainSnapshot objects */
int dbus_snapshot_register(struct dbus_connect *dc);

/* dbus/objects.c: ObjectManager announcements and PropertiesChanged */
int dbus_objects_init(struct dbus_connect *dc);
void dbus_objects_free(struct dbus_connect *dc);
/* Compares the domain with what was last announced and emits InterfacesAdded/Removed or
 * PropertiesChanged for the difference. */
void dbus_objects_refresh(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN]);

/* dbus/signals.c: lifecycle events → DomainEvent signals */
void dbus_signals_on_event(const struct vb_event *event, void *userdata);

/* Encodes a ref's object path for a connection. malloc'd. */
char *dbus_connect_domain_path(const struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN]);
