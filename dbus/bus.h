/* The D-Bus front end: org.libvirt on one bus, one Connect object per driver connection. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "api/connect.h"
#include "dbus/call.h"
#include "events/event.h"

struct vb_hashmap;
struct dbus_authorizer;
struct policy_engine;

#define DBUS_SERVICE_NAME "org.libvirt"
#define DBUS_CONNECT_INTERFACE "org.libvirt.Connect"
#define DBUS_DOMAIN_INTERFACE "org.libvirt.Domain"
#define DBUS_SNAPSHOT_INTERFACE "org.libvirt.DomainSnapshot"
#define DBUS_NETWORK_INTERFACE "org.libvirt.Network"
#define DBUS_POOL_INTERFACE "org.libvirt.StoragePool"
#define DBUS_VOL_INTERFACE "org.libvirt.StorageVol"
#define DBUS_NODEDEV_INTERFACE "org.libvirt.NodeDevice"
#define DBUS_IFACE_INTERFACE "org.libvirt.Interface"

/* The object kinds beside domains, each under its own prefix of the Connect path. Networks and
 * pools are named by UUID, volumes by key, node devices and interfaces by name. */
enum dbus_kind {
    DBUS_KIND_NETWORK,
    DBUS_KIND_POOL,
    DBUS_KIND_VOL,
    DBUS_KIND_NODEDEV,
    DBUS_KIND_IFACE,
    DBUS_KIND_COUNT,
};

/* An object of those kinds, decoded from its path once by the lookup (dbus/object_calls.c). */
struct dbus_object {
    struct dbus_connect *dc;
    enum dbus_kind kind;
    unsigned char uuid[VB_UUID_LEN]; /* networks, pools */
    char *name;                      /* volumes: the key; node devices, interfaces: the name */
};

struct dbus_connect;

/* The domain a call on a domain path is about, decoded from the path once, by the object
 * lookup (dbus_domain_find), and handed to the handlers as their userdata. */
struct dbus_domain {
    struct dbus_connect *dc;
    unsigned char uuid[VB_UUID_LEN];
};

/* The same for a snapshot path: its domain and its name. */
struct dbus_snapshot {
    struct dbus_connect *dc;
    unsigned char uuid[VB_UUID_LEN];
    char *name;
};

/* One served connection: the Connect object and its domain and snapshot subtrees. */
struct dbus_connect {
    struct dbus_frontend *frontend;
    sd_bus *bus;
    struct vb_connect *conn;
    char *path;            /* /org/libvirt/Test */
    char *domain_prefix;   /* /org/libvirt/Test/domain */
    char *snapshot_prefix; /* /org/libvirt/Test/domainsnapshot */
    /* What the object lookups decoded last: handlers run right after their lookup, on the one
     * thread, and copy what they keep beyond that. */
    struct dbus_domain found_domain;
    struct dbus_snapshot found_snapshot;
    char *object_prefix[DBUS_KIND_COUNT];           /* /org/libvirt/Test/network, ... */
    struct dbus_object found_object[DBUS_KIND_COUNT];
    struct vb_hashmap *announced_objects;           /* dbus/object_signals.c: paths announced */
    struct vb_hashmap *announced; /* dbus/objects.c: what each domain was last announced as */
};

struct dbus_frontend {
    sd_bus *bus;
    struct dbus_connect *connects;
    size_t n_connects;
    struct vb_event_stream *events;
    int event_subscription;
    struct policy_engine *engine;
    struct dbus_authorizer *authorizer; /* NULL when the engine checks nothing (the session bus) */
    struct dbus_call *pending_calls;    /* dbus/call.c */
    struct vb_hashmap *relays;          /* dbus/signal_relay.c: peer → signals waiting for it */
    bool broadcast_signals;             /* every signal to everyone, even with an authorizer */
    sd_bus_slot *owner_slot;
};

/* Registers the objects of every connection on bus, puts the authorization filter in front of
 * them (when engine checks anything) and subscribes to events. Does not request the bus name
 * (the daemon does, once everything is in place). With an authorizer, signals about a domain
 * go to each peer that may see it, unless broadcast_signals says to leave that to the bus
 * policy. */
int dbus_frontend_new(sd_bus *bus, struct vb_connect **conns, size_t n_conns, struct vb_event_stream *events,
                      struct policy_engine *engine, bool broadcast_signals, struct dbus_frontend **out);
/* Cancels the calls still pending; they end from the loop (dbus_calls_any_pending says when). */
void dbus_frontend_stop(struct dbus_frontend *frontend);
void dbus_frontend_free(struct dbus_frontend *frontend);

/* The check of the call being dispatched, for what a handler or enumerator returns (NULL: show
 * everything). */
struct policy_check *dbus_frontend_current_check(struct dbus_frontend *frontend, sd_bus_message *m);

/* --- objects (dbus/objects.c) ---------------------------------------------------------------- */

/* The lookup every Domain vtable uses: a path below the domain prefix that encodes a UUID is an
 * object (calls on a UUID with no domain answer "Domain not found" from the core); any other
 * path answers "Domain not found" here. */
int dbus_domain_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error);
int dbus_snapshot_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                       sd_bus_error *error);
/* The domain subtree's children: the domains the caller may see. */
int dbus_domain_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);

int dbus_objects_init(struct dbus_connect *dc);
void dbus_objects_free(struct dbus_connect *dc);
/* Compares the domain with what was last announced and announces the difference
 * (InterfacesAdded/Removed, PropertiesChanged) to those who may see it. */
void dbus_objects_refresh(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const char *name);

/* --- signals (dbus/signals.c) ---------------------------------------------------------------- */

/* Events from the internal stream as org.libvirt signals. */
void dbus_signals_on_event(const struct vb_event *event, void *userdata);
/* Sends m (a signal) to every peer that may see domain uuid of dc (on the session bus: to
 * everyone). Takes m. */
void dbus_signals_send(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const char *name,
                       sd_bus_message *m);

/* --- registration, one per file -------------------------------------------------------------- */
int dbus_connect_register(struct dbus_connect *dc);       /* dbus/connect.c */
int dbus_connect_node_register(struct dbus_connect *dc);  /* dbus/connect_node.c */
int dbus_domain_register(struct dbus_connect *dc);        /* dbus/domain.c */
int dbus_domain_config_register(struct dbus_connect *dc); /* dbus/domain_config.c */
int dbus_domain_info_register(struct dbus_connect *dc);   /* dbus/domain_info.c */
int dbus_domain_unsupported_register(struct dbus_connect *dc); /* dbus/domain_unsupported.c */
int dbus_domain_guest_register(struct dbus_connect *dc);  /* dbus/domain_guest.c */
int dbus_domain_guest_io_register(struct dbus_connect *dc); /* dbus/domain_guest_io.c */
int dbus_domain_tunables_register(struct dbus_connect *dc); /* dbus/domain_tunables.c */
int dbus_snapshot_register(struct dbus_connect *dc);      /* dbus/snapshot.c */
int dbus_network_register(struct dbus_connect *dc);       /* dbus/network.c */
int dbus_storage_pool_register(struct dbus_connect *dc);  /* dbus/storage_pool.c */
int dbus_storage_vol_register(struct dbus_connect *dc);   /* dbus/storage_vol.c */
int dbus_nodedev_register(struct dbus_connect *dc);       /* dbus/nodedev.c */
int dbus_interface_register(struct dbus_connect *dc);     /* dbus/interface.c */
int dbus_secret_nwfilter_register(struct dbus_connect *dc); /* dbus/secret_nwfilter.c */
int dbus_object_signals_init(struct dbus_connect *dc);    /* dbus/object_signals.c */
void dbus_object_signals_free(struct dbus_connect *dc);
/* An event about a network, pool or node device as libvirt-dbus's signals, then the object
 * announcements (InterfacesAdded/Removed, PropertiesChanged). */
void dbus_object_signals_on_event(struct dbus_connect *dc, const struct vb_event *event);

/* Reads an "ab" CPU map argument (dbus/domain_guest.c); an empty one gives NULL. */
int dbus_read_cpumap(sd_bus_message *m, bool **out, unsigned int *n);
