/* Domain snapshots on D-Bus: the snapshot methods of org.libvirt.Domain, and one
 * org.libvirt.DomainSnapshot object per snapshot under <connect>/domainsnapshot, named as
 * libvirt-dbus names them (dbus/paths.c). The lookups decode a path once (dbus/objects.c);
 * whether the snapshot exists is the core's to say. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "api/snapshot.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "policy/engine.h"

/* --- calls ------------------------------------------------------------------------------------- */

/* A snapshot call: the domain, the snapshot it is about, and what it answers. */
struct snapshot_call {
    struct dbus_call base;
    struct dbus_connect *dc;
    unsigned char uuid[VB_UUID_LEN];
    char *name;    /* the snapshot named (copied: the lookup's copy does not last) */
    char *found;   /* output: a snapshot the core named */
    char **names;  /* output: snapshots the core listed */
    size_t n;
    char *xml;     /* output: GetXMLDesc */
    bool current;  /* output: IsCurrent */
};

/* "o": the snapshot found (CreateXML, Current, GetParent), or the one named (LookupByName). */
static int append_path(struct dbus_call *call, sd_bus_message *reply)
{
    struct snapshot_call *c = (struct snapshot_call *) call;
    _cleanup_free_ char *path = dbus_snapshot_path(c->dc->snapshot_prefix, c->uuid, c->found ? c->found : c->name);

    return path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
}

static int append_paths(struct dbus_call *call, sd_bus_message *reply)
{
    struct snapshot_call *c = (struct snapshot_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "o");

    for (size_t i = 0; r >= 0 && i < c->n; i++) {
        _cleanup_free_ char *path = dbus_snapshot_path(c->dc->snapshot_prefix, c->uuid, c->names[i]);

        r = path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_xml(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "s", ((struct snapshot_call *) call)->xml);
}

static int append_current(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "b", (int) ((struct snapshot_call *) call)->current);
}

static void clear_snapshot_call(struct dbus_call *call)
{
    struct snapshot_call *c = (struct snapshot_call *) call;

    free(c->name);
    free(c->found);
    vb_snapshot_names_free(c->names, c->n);
    free(c->xml);
}

/* A call on domain uuid of dc about snapshot name (NULL: none), answered by append. */
static struct snapshot_call *snapshot_call_new(struct dbus_connect *dc, sd_bus_message *m,
                                               const unsigned char uuid[VB_UUID_LEN], const char *name,
                                               dbus_call_append_fn append)
{
    char *copy = name ? strdup(name) : NULL;
    struct snapshot_call *call = NULL;

    if (!name || copy)
        call = dbus_call_new(dc->frontend, m, sizeof(*call), append, clear_snapshot_call);
    if (!call) {
        free(copy);
        return NULL;
    }
    call->dc = dc;
    memcpy(call->uuid, uuid, VB_UUID_LEN);
    call->name = copy;
    return call;
}

/* --- org.libvirt.Domain: snapshot methods ------------------------------------------------------- */

static int method_snapshot_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct snapshot_call *call;
    const char *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &xml, &flags);

    if (r < 0)
        return r;
    call = snapshot_call_new(d->dc, m, d->uuid, NULL, append_path);
    if (!call)
        return -ENOMEM;
    r = vb_snapshot_create_xml(d->dc->conn, &call->base.core, call->uuid, xml, flags, &call->found);
    return dbus_call_finish(&call->base, r, error);
}

static int method_snapshot_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct snapshot_call *call;
    const char *name;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &name, &flags);

    if (r < 0)
        return r;
    call = snapshot_call_new(d->dc, m, d->uuid, name, append_path);
    if (!call)
        return -ENOMEM;
    r = vb_snapshot_lookup_by_name(d->dc->conn, &call->base.core, call->uuid, call->name, flags);
    return dbus_call_finish(&call->base, r, error);
}

static int method_snapshot_current(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct snapshot_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = snapshot_call_new(d->dc, m, d->uuid, NULL, append_path);
    if (!call)
        return -ENOMEM;
    r = vb_snapshot_current(d->dc->conn, &call->base.core, call->uuid, flags, &call->found);
    return dbus_call_finish(&call->base, r, error);
}

static int method_list_domain_snapshots(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct snapshot_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = snapshot_call_new(d->dc, m, d->uuid, NULL, append_paths);
    if (!call)
        return -ENOMEM;
    r = vb_snapshot_list(d->dc->conn, &call->base.core, call->uuid, flags, &call->names, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

/* --- org.libvirt.DomainSnapshot ---------------------------------------------------------------- */

/* What every DomainSnapshot method starts with: its flags, and a call about its snapshot. */
static int snapshot_object_call(sd_bus_message *m, struct dbus_snapshot *s, dbus_call_append_fn append,
                                struct snapshot_call **call, uint32_t *flags)
{
    int r = sd_bus_message_read(m, "u", flags);

    if (r < 0)
        return r;
    *call = snapshot_call_new(s->dc, m, s->uuid, s->name, append);
    return *call ? 0 : -ENOMEM;
}

typedef int (*snapshot_op)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                           unsigned int flags);

/* Methods with no result: Delete, Revert. */
static int run_snapshot_op(sd_bus_message *m, struct dbus_snapshot *s, snapshot_op op, sd_bus_error *error)
{
    struct snapshot_call *call;
    uint32_t flags;
    int r = snapshot_object_call(m, s, NULL, &call, &flags);

    if (r < 0)
        return r;
    return dbus_call_finish(&call->base, op(call->dc->conn, &call->base.core, call->uuid, call->name, flags), error);
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
    struct snapshot_call *call;
    uint32_t flags;
    int r = snapshot_object_call(m, userdata, append_path, &call, &flags);

    if (r < 0)
        return r;
    r = vb_snapshot_get_parent(call->dc->conn, &call->base.core, call->uuid, call->name, flags, &call->found);
    return dbus_call_finish(&call->base, r, error);
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct snapshot_call *call;
    uint32_t flags;
    int r = snapshot_object_call(m, userdata, append_xml, &call, &flags);

    if (r < 0)
        return r;
    r = vb_snapshot_get_xml_desc(call->dc->conn, &call->base.core, call->uuid, call->name, flags, &call->xml);
    return dbus_call_finish(&call->base, r, error);
}

static int method_is_current(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct snapshot_call *call;
    uint32_t flags;
    int r = snapshot_object_call(m, userdata, append_current, &call, &flags);

    if (r < 0)
        return r;
    r = vb_snapshot_is_current(call->dc->conn, &call->base.core, call->uuid, call->name, flags, &call->current);
    return dbus_call_finish(&call->base, r, error);
}

static int method_list_children(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct snapshot_call *call;
    uint32_t flags;
    int r = snapshot_object_call(m, userdata, append_paths, &call, &flags);

    if (r < 0)
        return r;
    r = vb_snapshot_list_children(call->dc->conn, &call->base.core, call->uuid, call->name, flags, &call->names,
                                  &call->n);
    return dbus_call_finish(&call->base, r, error);
}

/* --- the snapshot subtree's children ------------------------------------------------------------- */

/* Appends the paths of one domain's snapshots to a NULL-terminated, growing array. */
static int enumerate_domain(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], char ***paths, size_t *n)
{
    struct vb_error err = VB_ERROR_INIT;
    char **names = NULL, **grown;
    size_t count = 0;
    int r = 0;

    if (vb_snapshot_names(dc->conn, uuid, &names, &count, &err) < 0) {
        vb_error_clear(&err); /* a driver without snapshots, or a domain just gone: none to list */
        return 0;
    }
    grown = realloc(*paths, (*n + count + 1) * sizeof(**paths));
    if (!grown)
        r = -ENOMEM;
    else
        *paths = grown;
    for (size_t i = 0; r == 0 && i < count; i++) {
        (*paths)[*n] = dbus_snapshot_path(dc->snapshot_prefix, uuid, names[i]);
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

/* The snapshots of every domain the caller may see. */
static int snapshot_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    sd_bus_message *current = sd_bus_get_current_message(bus);
    struct policy_check *check = current ? dbus_frontend_current_check(dc->frontend, current) : NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    char **paths = calloc(1, sizeof(*paths));
    size_t n_refs = 0, n = 0;
    int r;

    if (!paths)
        return -ENOMEM;
    if (vb_domain_list_uuids(dc->conn, 0, &refs, &n_refs, &err) < 0) {
        free(paths);
        return dbus_error_take_vb(error, &err);
    }
    policy_check_filter_domains(check, VB_OP_BUS_INTROSPECT, dc->conn, refs, &n_refs);
    r = 0;
    for (size_t i = 0; r == 0 && i < n_refs; i++)
        r = enumerate_domain(dc, refs[i].uuid, &paths, &n);
    vb_domain_refs_free(refs, n_refs);
    if (r < 0) {
        vb_snapshot_names_free(paths, n);
        return r;
    }
    *nodes = paths;
    return 1;
}

/* --- registration -------------------------------------------------------------------------------- */

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

/* The snapshot methods of org.libvirt.Domain are a second vtable of that interface on the
 * domain subtree; sd-bus merges it with dbus/domain.c's. */
int dbus_snapshot_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE,
                                       domain_snapshot_methods_vtable, dbus_domain_find, dc);

    if (r >= 0)
        r = sd_bus_add_fallback_vtable(dc->bus, NULL, dc->snapshot_prefix, DBUS_SNAPSHOT_INTERFACE, snapshot_vtable,
                                       dbus_snapshot_find, dc);
    if (r >= 0)
        r = sd_bus_add_node_enumerator(dc->bus, NULL, dc->snapshot_prefix, snapshot_enumerate, dc);
    return r;
}
