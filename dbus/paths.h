/* Object paths of the org.libvirt API: connect objects and their domain children. */
#pragma once

#include "util/uuid.h"

#define DBUS_ROOT_PATH "/org/libvirt"

/* "/org/libvirt/Test" for driver "test", "/org/libvirt/QEMU" for "qemu"; NULL if unknown. */
const char *dbus_connect_path_for_driver(const char *driver);

#include <stddef.h>

/* Bytes a domain path needs beyond its prefix: "/_" + 36 characters + NUL. */
#define DBUS_DOMAIN_LEAF_MAX (2 + VB_UUID_STRING_LEN)

/* Writes "<prefix>/_<uuid with - as _>" into out (prefix_len + DBUS_DOMAIN_LEAF_MAX bytes);
 * returns its length. For hot paths that must not allocate. */
size_t dbus_domain_path_format(const char *domain_prefix, size_t prefix_len, const unsigned char uuid[VB_UUID_LEN],
                               char *out);

/* "<connect>/domain/_6695eb01_f6a4_..." as libvirt-dbus names domains. malloc'd. */
char *dbus_domain_path(const char *domain_prefix, const unsigned char uuid[VB_UUID_LEN]);

/* Decodes a domain path under domain_prefix; -EINVAL if it is not one. */
int dbus_domain_uuid_from_path(const char *domain_prefix, const char *path, unsigned char uuid[VB_UUID_LEN]);

/* "<snapshot prefix>/_<domain uuid with - as _>_<name, every byte outside [A-Za-z0-9] as _ and
 * two lowercase hex digits>", as libvirt-dbus names snapshots. malloc'd. */
char *dbus_snapshot_path(const char *snapshot_prefix, const unsigned char uuid[VB_UUID_LEN], const char *name);
/* Splits a snapshot path into its domain's UUID and the snapshot name (malloc'd); -EINVAL when
 * it is not one this side would have produced. */
int dbus_snapshot_from_path(const char *snapshot_prefix, const char *path, unsigned char uuid[VB_UUID_LEN],
                            char **name);
/* Just the domain's UUID of a snapshot path. */
int dbus_snapshot_uuid_from_path(const char *snapshot_prefix, const char *path, unsigned char uuid[VB_UUID_LEN]);

/* "<prefix>/<name, every byte outside [A-Za-z0-9] as _ and two lowercase hex digits>", as
 * libvirt-dbus names storage volumes (by key), node devices and host interfaces. malloc'd. */
char *dbus_escaped_path(const char *prefix, const char *name);
/* The name an escaped path under prefix names (malloc'd); -EINVAL when it is not one. */
int dbus_name_from_escaped_path(const char *prefix, const char *path, char **name);
