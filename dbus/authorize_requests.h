/* From one D-Bus call to the policy requests that authorize it: the operation the method or
 * property is (dbus/operation_map.c), the object its path or arguments name, the flags its
 * arguments carry. Arguments are peeked and the message rewound, so handlers see it untouched.
 * Private to dbus/authorize.c. */
#pragma once

#include <systemd/sd-bus.h>

#include "dbus/bus.h"
#include "policy/engine.h"

/* Properties.GetAll of every interface, or GetManagedObjects over every connection. */
#define DBUS_MAX_REQUESTS 48

struct dbus_requests {
    struct policy_request items[DBUS_MAX_REQUESTS];
    size_t n;
    unsigned char uuids[DBUS_MAX_REQUESTS][VB_UUID_LEN]; /* what items[i].uuid points into */
    char *object_name; /* the name or key the call's path names (one path per call), owned */
};

void dbus_requests_clear(struct dbus_requests *reqs);

/* Fills reqs for call m. 0 (possibly with no requests: nothing to check), or -EACCES with error
 * set when no rule covers the call (it must be refused). Strings point into m. */
int dbus_requests_build(const struct dbus_frontend *frontend, sd_bus_message *m, struct dbus_requests *reqs,
                        sd_bus_error *error);

/* The connection whose subtree holds path, or NULL. */
struct dbus_connect *dbus_connect_for_path(const struct dbus_frontend *frontend, const char *path);
