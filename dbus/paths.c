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

/* --- snapshots -------------------------------------------------------------------------------- */

static bool is_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Writes name escaped at path + at; returns the new end. */
static size_t escape_into(char *path, size_t at, const char *name)
{
    static const char hex[] = "0123456789abcdef";

    for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
        if (is_plain(*p)) {
            path[at++] = (char) *p;
        } else {
            path[at++] = '_';
            path[at++] = hex[*p >> 4];
            path[at++] = hex[*p & 0xf];
        }
    }
    path[at] = '\0';
    return at;
}

char *dbus_snapshot_path(const char *snapshot_prefix, const unsigned char uuid[VB_UUID_LEN], const char *name)
{
    size_t prefix_len = strlen(snapshot_prefix), at;
    char *path = malloc(prefix_len + DBUS_DOMAIN_LEAF_MAX + 1 + 3 * strlen(name) + 1);

    if (!path)
        return NULL;
    at = dbus_domain_path_format(snapshot_prefix, prefix_len, uuid, path);
    path[at++] = '_';
    escape_into(path, at, name);
    return path;
}

char *dbus_escaped_path(const char *prefix, const char *name)
{
    size_t prefix_len = strlen(prefix);
    char *path = malloc(prefix_len + 1 + 3 * strlen(name) + 1);

    if (!path)
        return NULL;
    memcpy(path, prefix, prefix_len);
    path[prefix_len] = '/';
    escape_into(path, prefix_len + 1, name);
    return path;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes an escaped name; NULL when it is not one this side would have produced. */
static char *unescape_name(const char *text)
{
    char *name = malloc(strlen(text) + 1), *out = name;

    for (const char *p = text; name && *p; p++) {
        int high, low;

        if (is_plain((unsigned char) *p)) {
            *out++ = *p;
            continue;
        }
        high = *p == '_' ? hex_value(p[1]) : -1;
        low = high >= 0 ? hex_value(p[2]) : -1;
        if (low < 0 || (high == 0 && low == 0)) {
            free(name);
            return NULL;
        }
        *out++ = (char) (high << 4 | low);
        p += 2;
    }
    if (out)
        *out = '\0';
    return name;
}

/* The "_<uuid>" part of a snapshot leaf as a domain path under the same prefix, decoded. */
static int leaf_uuid(const char *snapshot_prefix, const char *path, unsigned char uuid[VB_UUID_LEN],
                     const char **rest)
{
    size_t prefix_len = strlen(snapshot_prefix), uuid_len = VB_UUID_STRING_LEN; /* "_" + 36 characters */
    char domain_path[256];
    const char *leaf;

    if (strncmp(path, snapshot_prefix, prefix_len) != 0 || path[prefix_len] != '/')
        return -EINVAL;
    leaf = path + prefix_len + 1;
    if (strnlen(leaf, uuid_len + 1) <= uuid_len || leaf[uuid_len] != '_' ||
        prefix_len + 1 + uuid_len >= sizeof(domain_path))
        return -EINVAL;
    memcpy(domain_path, path, prefix_len + 1 + uuid_len);
    domain_path[prefix_len + 1 + uuid_len] = '\0';
    *rest = leaf + uuid_len + 1;
    return dbus_domain_uuid_from_path(snapshot_prefix, domain_path, uuid);
}

int dbus_snapshot_uuid_from_path(const char *snapshot_prefix, const char *path, unsigned char uuid[VB_UUID_LEN])
{
    const char *rest;

    return leaf_uuid(snapshot_prefix, path, uuid, &rest);
}

int dbus_snapshot_from_path(const char *snapshot_prefix, const char *path, unsigned char uuid[VB_UUID_LEN],
                            char **name)
{
    const char *rest;
    int r = leaf_uuid(snapshot_prefix, path, uuid, &rest);

    if (r < 0)
        return r;
    *name = unescape_name(rest);
    return *name ? 0 : -EINVAL;
}

int dbus_name_from_escaped_path(const char *prefix, const char *path, char **name)
{
    size_t prefix_len = strlen(prefix);

    if (strncmp(path, prefix, prefix_len) != 0 || path[prefix_len] != '/' || !path[prefix_len + 1] ||
        strchr(path + prefix_len + 1, '/'))
        return -EINVAL;
    *name = unescape_name(path + prefix_len + 1);
    return *name ? 0 : -EINVAL;
}
