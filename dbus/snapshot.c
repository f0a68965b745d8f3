/* Domain snapshots on D-Bus: the snapshot methods of org.libvirt.Domain, and one
 * org.libvirt.DomainSnapshot object per snapshot under <connect>/domainsnapshot, named
 * `_<domain uuid, - as _>_<name, escaped byte by byte>` as libvirt-dbus names them. Every path
 * in that subtree is dispatched, so a path naming no snapshot answers libvirt's error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "api/snapshot.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"

#define DBUS_SNAPSHOT_INTERFACE "org.libvirt.DomainSnapshot"

/* --- paths --------------------------------------------------------------------------------- */

static char *snapshot_prefix(const struct dbus_connect *dc)
{
    char *prefix = NULL;

    if (asprintf(&prefix, "%s/domainsnapshot", dc->path) < 0)
        return NULL;
    return prefix;
}

static bool is_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* "<prefix>/_<uuid>_<escaped name>": every byte outside [A-Za-z0-9] as _ and two lowercase hex digits. */
static char *snapshot_path(const struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const char *name)
{
    static const char hex[] = "0123456789abcdef";
    _cleanup_free_ char *domain = dbus_domain_path("", uuid); /* "/_<uuid>" */
    _cleanup_free_ char *prefix = snapshot_prefix(dc);
    size_t len, at;
    char *path;

    if (!domain || !prefix)
        return NULL;
    len = strlen(prefix) + strlen(domain) + 1 + 3 * strlen(name) + 1;
    path = malloc(len);
    if (!path)
        return NULL;
    at = (size_t) snprintf(path, len, "%s%s_", prefix, domain);
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

/* Splits a snapshot path into its domain UUID and snapshot name (malloc'd). */
static int snapshot_from_path(const struct dbus_connect *dc, const char *path, unsigned char uuid[VB_UUID_LEN],
                              char **name)
{
    _cleanup_free_ char *prefix = snapshot_prefix(dc);
    _cleanup_free_ char *domain_path = NULL;
    size_t prefix_len, uuid_len = 1 + VB_UUID_STRING_LEN - 1; /* "_" + the uuid */
    const char *leaf;

    if (!prefix)
        return -ENOMEM;
    prefix_len = strlen(prefix);
    if (strncmp(path, prefix, prefix_len) != 0 || path[prefix_len] != '/')
        return -EINVAL;
    leaf = path + prefix_len + 1;
    if (strnlen(leaf, uuid_len + 1) <= uuid_len || leaf[uuid_len] != '_')
        return -EINVAL;
    if (asprintf(&domain_path, "%s/%.*s", prefix, (int) uuid_len, leaf) < 0)
        return -ENOMEM;
    if (dbus_domain_uuid_from_path(prefix, domain_path, uuid) < 0)
        return -EINVAL;
    *name = unescape_name(leaf + uuid_len + 1);
    return *name ? 0 : -EINVAL;
}

/* --- helpers ------------------------------------------------------------------------------- */

/* The snapshot a DomainSnapshot call is addressed to; *name is malloc'd. */
static int snapshot_from_message(sd_bus_message *m, struct dbus_connect *dc, unsigned char uuid[VB_UUID_LEN],
                                 char **name, sd_bus_error *error)
{
    int r = snapshot_from_path(dc, sd_bus_message_get_path(m), uuid, name);

    if (r == -ENOMEM)
        return r;
    if (r < 0)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, "Domain snapshot not found");
    return 0;
}

static int reply_path(sd_bus_message *m, struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN],
                      const char *name)
{
    _cleanup_free_ char *path = snapshot_path(dc, uuid, name);

    if (!path)
        return -ENOMEM;
    return sd_bus_reply_method_return(m, "o", path);
}

static int reply_paths(sd_bus_message *m, struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN],
                       char **names, size_t n)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r = sd_bus_message_new_method_return(m, &reply);

    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "o");
    for (size_t i = 0; r >= 0 && i < n; i++) {
        _cleanup_free_ char *path = snapshot_path(dc, uuid, names[i]);

        r = path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
    }
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_snapshot_names_free(names, n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

/* --- org.libvirt.Domain: snapshot methods ---------------------------------------------------- */

static int method_snapshot_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *name = NULL;
    const char *xml;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "su", &xml, &flags);
    if (r < 0)
        return r;
    r = dbus_message_domain_uuid(m, dc, uuid, error);
    if (r < 0)
        return r;
    if (vb_snapshot_create_xml(dc->conn, uuid, xml, flags, &name, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_path(m, dc, uuid, name);
}

static int method_snapshot_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *name;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "su", &name, &flags);
    if (r < 0)
        return r;
    r = dbus_message_domain_uuid(m, dc, uuid, error);
    if (r < 0)
        return r;
    if (vb_snapshot_lookup_by_name(dc->conn, uuid, name, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_path(m, dc, uuid, name);
}

static int method_snapshot_current(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *name = NULL;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    r = dbus_message_domain_uuid(m, dc, uuid, error);
    if (r < 0)
        return r;
    if (vb_snapshot_current(dc->conn, uuid, flags, &name, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_path(m, dc, uuid, name);
}

static int method_list_domain_snapshots(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    char **names = NULL;
    uint32_t flags;
    size_t n = 0;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    r = dbus_message_domain_uuid(m, dc, uuid, error);
    if (r < 0)
        return r;
    if (vb_snapshot_list(dc->conn, uuid, flags, &names, &n, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_paths(m, dc, uuid, names, n);
}

/* --- org.libvirt.DomainSnapshot ------------------------------------------------------------ */

/* What every DomainSnapshot method starts with: its flags and the snapshot it names. */
struct snapshot_call {
    struct dbus_connect *dc;
    unsigned char uuid[VB_UUID_LEN];
    char *name;
    uint32_t flags;
    struct vb_error err;
};

static int snapshot_call_begin(sd_bus_message *m, void *userdata, struct snapshot_call *call, sd_bus_error *error)
{
    int r;

    call->dc = userdata;
    call->err = VB_ERROR_INIT;
    r = sd_bus_message_read(m, "u", &call->flags);
    if (r < 0)
        return r;
    return snapshot_from_message(m, call->dc, call->uuid, &call->name, error);
}

static void snapshot_call_clear(struct snapshot_call *call)
{
    free(call->name);
    vb_error_clear(&call->err);
}

typedef int (*snapshot_op)(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                           struct vb_error *err);

/* Methods with no result: Delete, Revert. */
static int run_snapshot_op(sd_bus_message *m, void *userdata, snapshot_op op, sd_bus_error *error)
{
    _cleanup_(snapshot_call_clear) struct snapshot_call call = { 0 };
    int r = snapshot_call_begin(m, userdata, &call, error);

    if (r < 0)
        return r;
    if (op(call.dc->conn, call.uuid, call.name, call.flags, &call.err) < 0)
        return dbus_error_from_vb(error, &call.err);
    return sd_bus_reply_method_return(m, NULL);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_snapshot_op(m, userdata, vb_snapshot_delete, error);
}

static int method_revert(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_snapshot_op(m, userdata, vb_snapshot_revert, error);
}

static int method_get_parent(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(snapshot_call_clear) struct snapshot_call call = { 0 };
    _cleanup_free_ char *parent = NULL;
    int r = snapshot_call_begin(m, userdata, &call, error);

    if (r < 0)
        return r;
    if (vb_snapshot_get_parent(call.dc->conn, call.uuid, call.name, call.flags, &parent, &call.err) < 0)
        return dbus_error_from_vb(error, &call.err);
    return reply_path(m, call.dc, call.uuid, parent);
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(snapshot_call_clear) struct snapshot_call call = { 0 };
    _cleanup_free_ char *xml = NULL;
    int r = snapshot_call_begin(m, userdata, &call, error);

    if (r < 0)
        return r;
    xml = vb_snapshot_get_xml_desc(call.dc->conn, call.uuid, call.name, call.flags, &call.err);
    if (!xml)
        return dbus_error_from_vb(error, &call.err);
    return sd_bus_reply_method_return(m, "s", xml);
}

static int method_is_current(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(snapshot_call_clear) struct snapshot_call call = { 0 };
    int r = snapshot_call_begin(m, userdata, &call, error);

    if (r < 0)
        return r;
    r = vb_snapshot_is_current(call.dc->conn, call.uuid, call.name, call.flags, &call.err);
    if (r < 0)
        return dbus_error_from_vb(error, &call.err);
    return sd_bus_reply_method_return(m, "b", r > 0);
}

static int method_list_children(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(snapshot_call_clear) struct snapshot_call call = { 0 };
    char **names = NULL;
    size_t n = 0;
    int r = snapshot_call_begin(m, userdata, &call, error);

    if (r < 0)
        return r;
    if (vb_snapshot_list_children(call.dc->conn, call.uuid, call.name, call.flags, &names, &n, &call.err) < 0)
        return dbus_error_from_vb(error, &call.err);
    return reply_paths(m, call.dc, call.uuid, names, n);
}

/* --- registration -------------------------------------------------------------------------- */

static const sd_bus_vtable domain_snapshot_methods_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("ListDomainSnapshots", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domainSnapshots),
                            method_list_domain_snapshots, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SnapshotCreateXML", SD_BUS_ARGS("s", xml, "u", flags),
                            SD_BUS_RESULT("o", domainSnapshot), method_snapshot_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SnapshotCurrent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("o", domainSnapshot),
                            method_snapshot_current, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SnapshotLookupByName", SD_BUS_ARGS("s", name, "u", flags),
                            SD_BUS_RESULT("o", domainSnapshot), method_snapshot_lookup_by_name,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable snapshot_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_delete,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetParent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("o", domainSnapshot),
                            method_get_parent, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), method_get_xml_desc,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("IsCurrent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("b", domainSnapshot),
                            method_is_current, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListChildren", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domainSnapshots),
                            method_list_children, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Revert", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_revert,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* Every path below the prefixes is an object; the methods decide whether it exists. The
 * snapshot methods of org.libvirt.Domain are a second vtable of that interface on the domain
 * subtree, with a find callback of their own; sd-bus merges the two. */
static int find_any(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                    sd_bus_error *error)
{
    *found = userdata;
    return 1;
}

/* Appends the paths of one domain's snapshots to a NULL-terminated, growing array. */
static int enumerate_domain(struct dbus_connect *dc, const struct vb_domain_ref *ref, char ***paths, size_t *n)
{
    struct vb_error err = VB_ERROR_INIT;
    char **names = NULL, **grown;
    size_t count = 0;
    int r = 0;

    if (vb_snapshot_list(dc->conn, ref->uuid, 0, &names, &count, &err) < 0) {
        vb_error_clear(&err); /* a driver without snapshots has none to list */
        return 0;
    }
    grown = realloc(*paths, (*n + count + 1) * sizeof(**paths));
    if (!grown)
        r = -ENOMEM;
    else
        *paths = grown;
    for (size_t i = 0; r == 0 && i < count; i++) {
        (*paths)[*n] = snapshot_path(dc, ref->uuid, names[i]);
        if (!(*paths)[*n])
            r = -ENOMEM;
        else
            (*n)++;
    }
    if (grown)
        (*paths)[*n] = NULL;
    vb_snapshot_names_free(names, count);
    return r;
}

static int snapshot_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    char **paths = calloc(1, sizeof(*paths));
    size_t n_refs = 0, n = 0;
    int r = paths ? 0 : -ENOMEM;

    if (r == 0 && vb_domain_list(dc->conn, 0, &refs, &n_refs, &err) < 0) {
        free(paths);
        return dbus_reply_core_error(error, &err);
    }
    for (size_t i = 0; r == 0 && i < n_refs; i++)
        r = enumerate_domain(dc, &refs[i], &paths, &n);
    vb_domain_refs_free(refs, n_refs);
    if (r < 0) {
        vb_snapshot_names_free(paths, n);
        return r;
    }
    *nodes = paths;
    return 1;
}

int dbus_snapshot_register(struct dbus_connect *dc)
{
    _cleanup_free_ char *prefix = snapshot_prefix(dc);
    int r;

    if (!prefix)
        return -ENOMEM;
    r = sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE,
                                   domain_snapshot_methods_vtable, find_any, dc);
    if (r < 0)
        return r;
    r = sd_bus_add_fallback_vtable(dc->bus, NULL, prefix, DBUS_SNAPSHOT_INTERFACE, snapshot_vtable, find_any, dc);
    if (r < 0)
        return r;
    return sd_bus_add_node_enumerator(dc->bus, NULL, prefix, snapshot_enumerate, dc);
}
