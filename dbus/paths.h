/* Object paths of the org.libvirt API: connect objects and their domain children. */
#pragma once

#include "util/uuid.h"

#define DBUS_ROOT_PATH "/org/libvirt"

/* "/org/libvirt/Test" for driver "test", "/org/libvirt/QEMU" for "qemu"; NULL if unknown. */
const char *dbus_connect_path_for_driver(const char *driver);

/* "<connect>/domain/_6695eb01_f6a4_..." as libvirt-dbus names domains. malloc'd. */
char *dbus_domain_path(const char *domain_prefix, const unsigned char uuid[VB_UUID_LEN]);

/* Decodes a domain path under domain_prefix; -EINVAL if it is not one. */
int dbus_domain_uuid_from_path(const char *domain_prefix, const char *path, unsigned char uuid[VB_UUID_LEN]);
