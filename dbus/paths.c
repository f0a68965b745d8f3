/* Encoding and decoding of org.libvirt object paths. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus/paths.h"
#include "util/macros.h"

struct driver_path {
    const char *driver;
    const char *path;
};

static const struct driver_path driver_paths[] = {
    { "test", DBUS_ROOT_PATH "/Test" },
    { "qemu", DBUS_ROOT_PATH "/QEMU" },
};

const char *dbus_connect_path_for_driver(const char *driver)
{
    for (size_t i = 0; i < ARRAY_SIZE(driver_paths); i++)
        if (streq(driver_paths[i].driver, driver))
            return driver_paths[i].path;
    return NULL;
}

size_t dbus_domain_path_format(const char *domain_prefix, size_t prefix_len, const unsigned char uuid[VB_UUID_LEN],
                               char *out)
{
    char *p = out;

    memcpy(p, domain_prefix, prefix_len);
    p += prefix_len;
    *p++ = '/';
    *p++ = '_';
    vb_uuid_format(uuid, p);
    for (; *p; p++)
        if (*p == '-')
            *p = '_';
    return (size_t) (p - out);
}

char *dbus_domain_path(const char *domain_prefix, const unsigned char uuid[VB_UUID_LEN])
{
    size_t prefix_len = strlen(domain_prefix);
    char *path = malloc(prefix_len + DBUS_DOMAIN_LEAF_MAX);

    if (path)
        dbus_domain_path_format(domain_prefix, prefix_len, uuid, path);
    return path;
}

int dbus_domain_uuid_from_path(const char *domain_prefix, const char *path, unsigned char uuid[VB_UUID_LEN])
{
    size_t prefix_len = strlen(domain_prefix);
    char text[VB_UUID_STRING_LEN];
    const char *leaf;

    if (strncmp(path, domain_prefix, prefix_len) != 0 || path[prefix_len] != '/')
        return -EINVAL;
    leaf = path + prefix_len + 1;
    if (leaf[0] != '_' || strlen(leaf + 1) != VB_UUID_STRING_LEN - 1)
        return -EINVAL;
    memcpy(text, leaf + 1, VB_UUID_STRING_LEN);
    for (char *p = text; *p; p++) {
        if (*p == '-')
            return -EINVAL; /* only the escaped form names an object */
        if (*p == '_')
            *p = '-';
    }
    return vb_uuid_parse(text, uuid);
}
