/* Authorization of every org.libvirt call on the system bus: one sd-bus filter in front of
 * object dispatch maps the call to its operations and object (dbus/authorize_requests.c) and
 * asks policy/'s engine before any handler runs. What is D-Bus here: the caller's credentials,
 * parking a call while polkit is asked, and re-queueing it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-bus.h>

#include "policy/engine.h"

struct dbus_frontend;
struct dbus_authorizer;

int dbus_authorizer_new(sd_bus *bus, struct dbus_frontend *frontend, struct policy_engine *engine,
                        struct dbus_authorizer **out);
void dbus_authorizer_free(struct dbus_authorizer *auth);

/* The check of the call being dispatched right now, for handlers and object enumerators that
 * filter what they return (NULL: nothing is filtered: no authorization, or a trusted caller). */
struct policy_check *dbus_authorizer_current(struct dbus_authorizer *auth, const sd_bus_message *m);

/* A caller that has called us (we know its uid), for sending it signals it may see. */
struct dbus_peer {
    char *name; /* unique bus name */
    struct policy_subject subject;
    bool trusted;
};

/* Every peer seen, until it leaves the bus. */
size_t dbus_authorizer_peers(struct dbus_authorizer *auth, struct dbus_peer ***peers);
struct policy_engine *dbus_authorizer_engine(struct dbus_authorizer *auth);
