/* Authorization of every org.libvirt call on the system bus: one sd-bus filter in front of
 * object dispatch asks policy/ (libvirt's ACL table, polkit) before any handler runs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-bus.h>

#include "drivers/driver.h"

struct dbus_frontend;
struct dbus_connect;
struct dbus_authorizer;

struct dbus_authorize_options {
    bool enabled;               /* false on the session bus: the caller is the daemon's own user */
    unsigned int cache_seconds; /* how long a polkit decision is reused; 0: never */
};

int dbus_authorizer_new(sd_bus *bus, struct dbus_frontend *frontend, const struct dbus_authorize_options *options,
                        struct dbus_authorizer **out);
void dbus_authorizer_free(struct dbus_authorizer *auth);

/* For list handlers, while m is being dispatched: drops from refs the domains the caller may
 * not see (libvirt's @aclfilter; permission "getattr" or "read"), keeping the order. Without
 * authorization, or for a trusted caller, nothing is dropped; an undecided domain is dropped. */
void dbus_authorize_filter_domains(struct dbus_authorizer *auth, sd_bus_message *m, const struct dbus_connect *dc,
                                   const char *permission, struct vb_domain_ref *refs, size_t *n);
