/* What one D-Bus call needs authorized: the polkit questions (action + object identity) that
 * the ACL table and the call's path and arguments give. Private to dbus/authorize*.c. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "dbus/bus.h"
#include "policy/polkit.h"

enum auth_need_kind {
    AUTH_NEED_REQUIRED, /* denied: the call is refused with AccessDenied */
    AUTH_NEED_VISIBLE,  /* denied: the object is hidden, the call answers "not found" */
    AUTH_NEED_FILTER,   /* denied: the domain is left out of the list the call returns */
};

struct auth_need {
    enum auth_need_kind kind;
    char action[96];
    const char *connect_driver;
    char *domain_name; /* NULL for connection-level questions */
    char domain_uuid[VB_UUID_STRING_LEN]; /* "" when unknown */
    char *key;         /* policy_polkit_key() of the caller's question */
};

/* How the handler would name a missing object, which a hidden one must look like. */
enum auth_not_found {
    AUTH_NOT_FOUND_UUID,
    AUTH_NOT_FOUND_NAME,
    AUTH_NOT_FOUND_ID,
};

struct auth_needs {
    struct auth_need *items;
    size_t n, allocated;
    enum auth_not_found not_found;
    int32_t not_found_id;
};

/* Fills needs for call m from sender. 0 when nothing is needed; -EACCES with error set when
 * no rule covers the call (it must be refused); other negative values on failure. */
int auth_needs_build(const struct dbus_frontend *frontend, sd_bus_message *m, const char *sender,
                     struct auth_needs *needs, sd_bus_error *error);
void auth_needs_clear(struct auth_needs *needs);

/* The message of the "not found" error a hidden object answers, as the handler words it for a
 * missing one (malloc'd; NULL when out of memory). Only formatted when needed. */
char *auth_needs_not_found(const struct auth_needs *needs);

/* The details polkit sees for need. */
struct policy_details auth_need_details(const struct auth_need *need);

/* "Test" for /org/libvirt/Test: libvirt's driver name, polkit's connect_driver. */
const char *auth_connect_driver(const struct dbus_connect *dc);

/* The key of "may sender have domain:permission on ref" (malloc'd). */
char *auth_domain_key(const char *sender, const struct dbus_connect *dc, const char *permission,
                      const struct vb_domain_ref *ref);
