/* Paths, lookups, enumerators and calls shared by the non-domain org.libvirt objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/node.h"
#include "dbus/errors.h"
#include "dbus/object_calls.h"
#include "dbus/paths.h"
#include "dbus/properties.h"
#include "policy/engine.h"

struct kind_info {
    const char *leaf;      /* the prefix below the Connect path, as libvirt-dbus names it */
    bool by_uuid;          /* named by UUID; else by an escaped name */
    const char *not_found; /* what a path that names no object answers */
    const char *interface;
    enum policy_object policy; /* what polkit calls it */
};

static const struct kind_info kinds[DBUS_KIND_COUNT] = {
    [DBUS_KIND_NETWORK] = { "network", true, "Network not found", DBUS_NETWORK_INTERFACE, POLICY_OBJECT_NETWORK },
    [DBUS_KIND_POOL] = { "storagepool", true, "Storage pool not found", DBUS_POOL_INTERFACE, POLICY_OBJECT_STORAGE_POOL },
    [DBUS_KIND_VOL] = { "storagevol", false, "Storage volume not found", DBUS_VOL_INTERFACE, POLICY_OBJECT_STORAGE_VOL },
    [DBUS_KIND_NODEDEV] = { "nodedev", false, "Node device not found", DBUS_NODEDEV_INTERFACE, POLICY_OBJECT_NODE_DEVICE },
    [DBUS_KIND_IFACE] = { "interface", false, "Interface not found", DBUS_IFACE_INTERFACE, POLICY_OBJECT_INTERFACE },
};

const char *dbus_kind_interface(enum dbus_kind kind)
{
    return (unsigned int) kind < DBUS_KIND_COUNT ? kinds[kind].interface : NULL;
}

enum policy_object dbus_kind_policy_object(enum dbus_kind kind)
{
    return kinds[kind].policy;
}

int dbus_object_prefixes_init(struct dbus_connect *dc, const char *connect_path)
{
    for (int k = 0; k < DBUS_KIND_COUNT; k++) {
        dc->found_object[k] = (struct dbus_object){ .dc = dc, .kind = (enum dbus_kind) k };
        if (asprintf(&dc->object_prefix[k], "%s/%s", connect_path, kinds[k].leaf) < 0) {
            dc->object_prefix[k] = NULL;
            return -ENOMEM;
        }
    }
    return 0;
}

void dbus_object_prefixes_free(struct dbus_connect *dc)
{
    for (int k = 0; k < DBUS_KIND_COUNT; k++) {
        free(dc->object_prefix[k]);
        free(dc->found_object[k].name);
        dc->object_prefix[k] = NULL;
        dc->found_object[k].name = NULL;
    }
}

char *dbus_object_path(struct dbus_connect *dc, enum dbus_kind kind, const struct vb_object_ref *ref)
{
    if (kinds[kind].by_uuid)
        return dbus_domain_path(dc->object_prefix[kind], ref->uuid);
    return dbus_escaped_path(dc->object_prefix[kind], kind == DBUS_KIND_VOL ? ref->key : ref->name);
}

struct dbus_object *dbus_object_from_path(struct dbus_connect *dc, enum dbus_kind kind, const char *path)
{
    struct dbus_object *o = &dc->found_object[kind];
    char *name = NULL;

    if (kinds[kind].by_uuid)
        return dbus_domain_uuid_from_path(dc->object_prefix[kind], path, o->uuid) < 0 ? NULL : o;
    if (dbus_name_from_escaped_path(dc->object_prefix[kind], path, &name) < 0)
        return NULL;
    free(o->name);
    o->name = name;
    return o;
}

static int find_kind(struct dbus_connect *dc, enum dbus_kind kind, const char *path, void **found,
                     sd_bus_error *error)
{
    struct dbus_object *o;

    if (streq(path, dc->object_prefix[kind]))
        return 0; /* the prefix itself is not an object */
    o = dbus_object_from_path(dc, kind, path);
    if (!o)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, kinds[kind].not_found);
    *found = o;
    return 1;
}

#define FIND_FUNCTION(name, kind)                                                                      \
    int name(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,       \
             sd_bus_error *error)                                                                      \
    {                                                                                                  \
        return find_kind(userdata, kind, path, found, error);                                          \
    }

FIND_FUNCTION(dbus_network_find, DBUS_KIND_NETWORK)
FIND_FUNCTION(dbus_pool_find, DBUS_KIND_POOL)
FIND_FUNCTION(dbus_vol_find, DBUS_KIND_VOL)
FIND_FUNCTION(dbus_nodedev_find, DBUS_KIND_NODEDEV)
FIND_FUNCTION(dbus_iface_find, DBUS_KIND_IFACE)

static const sd_bus_object_find_t finders[DBUS_KIND_COUNT] = {
    dbus_network_find, dbus_pool_find, dbus_vol_find, dbus_nodedev_find, dbus_iface_find,
};

/* Every volume of every active pool. */
static int list_volumes(struct dbus_connect *dc, struct vb_object_ref **refs, size_t *n, struct vb_error *err)
{
    struct vb_object_ref *pools = NULL;
    size_t n_pools = 0;
    int r = vb_pool_list(dc->conn, VB_LIST_OBJ_ACTIVE, &pools, &n_pools, err);

    for (size_t i = 0; r >= 0 && i < n_pools; i++) {
        struct vb_object_ref *vols = NULL, *grown;
        size_t n_vols = 0;

        r = vb_pool_list_volumes(dc->conn, pools[i].uuid, 0, &vols, &n_vols, err);
        grown = r >= 0 && n_vols ? reallocarray(*refs, *n + n_vols, sizeof(*grown)) : NULL;
        if (grown) {
            memcpy(grown + *n, vols, n_vols * sizeof(*vols));
            *refs = grown;
            *n += n_vols;
            free(vols);
        } else {
            vb_object_refs_free(vols, n_vols);
            if (r >= 0 && n_vols)
                r = vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    vb_object_refs_free(pools, n_pools);
    return r;
}

int dbus_objects_list(struct dbus_connect *dc, enum dbus_kind kind, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    switch (kind) {
    case DBUS_KIND_NETWORK:
        return vb_network_list(dc->conn, 0, refs, n, err);
    case DBUS_KIND_POOL:
        return vb_pool_list(dc->conn, 0, refs, n, err);
    case DBUS_KIND_VOL:
        return list_volumes(dc, refs, n, err);
    case DBUS_KIND_NODEDEV:
        return vb_nodedev_list(dc->conn, 0, refs, n, err);
    case DBUS_KIND_IFACE:
        return vb_interface_list(dc->conn, 0, refs, n, err);
    case DBUS_KIND_COUNT:
        break;
    }
    return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unknown object kind");
}

/* The NULL-terminated paths of refs (NULL when out of memory). */
static char **paths_of(struct dbus_connect *dc, enum dbus_kind kind, const struct vb_object_ref *refs, size_t n)
{
    char **paths = calloc(n + 1, sizeof(*paths));

    for (size_t i = 0; paths && i < n; i++)
        if (!(paths[i] = dbus_object_path(dc, kind, &refs[i]))) {
            vb_strv_free(paths);
            return NULL;
        }
    return paths;
}

/* The operation that lists each kind (its rule says which objects a caller sees). */
static const enum vb_operation list_operations[DBUS_KIND_COUNT] = {
    [DBUS_KIND_NETWORK] = VB_OP_CONNECT_LIST_ALL_NETWORKS,
    [DBUS_KIND_POOL] = VB_OP_CONNECT_LIST_ALL_STORAGE_POOLS,
    [DBUS_KIND_VOL] = VB_OP_STORAGE_POOL_LIST_ALL_VOLUMES,
    [DBUS_KIND_NODEDEV] = VB_OP_CONNECT_LIST_ALL_NODE_DEVICES,
    [DBUS_KIND_IFACE] = VB_OP_CONNECT_LIST_ALL_INTERFACES,
};

enum vb_operation dbus_kind_list_operation(enum dbus_kind kind)
{
    return list_operations[kind];
}

#define ENUMERATOR(name, kind)                                                                           \
    static int name(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error)   \
    {                                                                                                    \
        return enumerate_kind(userdata, kind, nodes, error);                                             \
    }

/* A driver without the kind has no objects of it: an empty subtree, not an error. */
static int enumerate_kind(struct dbus_connect *dc, enum dbus_kind kind, char ***nodes, sd_bus_error *error)
{
    sd_bus_message *current = sd_bus_get_current_message(dc->bus);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *refs = NULL;
    size_t n = 0;

    if (dbus_objects_list(dc, kind, &refs, &n, &err) < 0)
        vb_error_clear(&err);
    /* Introspect and GetManagedObjects show only the objects the caller may getattr (their rules
     * asked about every object of every kind). */
    if (current)
        policy_check_filter_objects(dbus_frontend_current_check(dc->frontend, current), list_operations[kind],
                                    dc->conn, refs, &n);
    *nodes = paths_of(dc, kind, refs, n);
    vb_object_refs_free(refs, n);
    return *nodes ? 1 : -ENOMEM;
}

ENUMERATOR(enumerate_networks, DBUS_KIND_NETWORK)
ENUMERATOR(enumerate_pools, DBUS_KIND_POOL)
ENUMERATOR(enumerate_vols, DBUS_KIND_VOL)
ENUMERATOR(enumerate_nodedevs, DBUS_KIND_NODEDEV)
ENUMERATOR(enumerate_ifaces, DBUS_KIND_IFACE)

static const sd_bus_node_enumerator_t enumerators[DBUS_KIND_COUNT] = {
    enumerate_networks, enumerate_pools, enumerate_vols, enumerate_nodedevs, enumerate_ifaces,
};

int dbus_object_subtree_register(struct dbus_connect *dc, enum dbus_kind kind, const char *interface,
                                 const sd_bus_vtable *vtable)
{
    const char *prefix = dc->object_prefix[kind];
    int r = dbus_properties_add_get_all(dc->bus, prefix, true, interface, vtable, &dc->found_object[kind]);

    if (r >= 0)
        r = sd_bus_add_fallback_vtable(dc->bus, NULL, prefix, interface, vtable, finders[kind], dc);
    if (r >= 0)
        r = sd_bus_add_node_enumerator(dc->bus, NULL, prefix, enumerators[kind], dc);
    return r;
}

/* --- calls ----------------------------------------------------------------------------------- */

static void clear_object_call(struct dbus_call *call)
{
    struct dbus_object_call *c = (struct dbus_object_call *) call;

    free(c->name);
    vb_object_ref_clear(&c->ref);
    vb_object_refs_free(c->refs, c->n);
    free(c->text);
    vb_strv_free(c->strv);
}

struct dbus_object_call *dbus_object_call_new(struct dbus_connect *dc, sd_bus_message *m, enum dbus_kind kind,
                                              const struct dbus_object *target, dbus_call_append_fn append)
{
    char *name = target && target->name ? strdup(target->name) : NULL;
    struct dbus_object_call *call = NULL;

    if (!(target && target->name) || name)
        call = dbus_call_new(dc->frontend, m, sizeof(*call), append, clear_object_call);
    if (!call) {
        free(name);
        return NULL;
    }
    call->dc = dc;
    call->kind = kind;
    call->name = name;
    if (target)
        memcpy(call->uuid, target->uuid, VB_UUID_LEN);
    return call;
}

int dbus_object_append_path(struct dbus_call *call, sd_bus_message *reply)
{
    struct dbus_object_call *c = (struct dbus_object_call *) call;
    _cleanup_free_ char *path = dbus_object_path(c->dc, c->kind, &c->ref);

    return path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
}

static int append_ref_paths(sd_bus_message *reply, struct dbus_connect *dc, enum dbus_kind kind,
                            const struct vb_object_ref *refs, size_t n)
{
    int r = sd_bus_message_open_container(reply, 'a', "o");

    for (size_t i = 0; r >= 0 && i < n; i++) {
        _cleanup_free_ char *path = dbus_object_path(dc, kind, &refs[i]);

        r = path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

int dbus_object_append_paths(struct dbus_call *call, sd_bus_message *reply)
{
    struct dbus_object_call *c = (struct dbus_object_call *) call;

    return append_ref_paths(reply, c->dc, c->kind, c->refs, c->n);
}

int dbus_object_append_text(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "s", ((struct dbus_object_call *) call)->text);
}

int dbus_object_append_strv(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append_strv(reply, ((struct dbus_object_call *) call)->strv);
}

int dbus_object_reply_ref(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, int r,
                          struct vb_object_ref *ref, struct vb_error *err, sd_bus_error *error)
{
    _cleanup_free_ char *path = NULL;

    if (r < 0)
        return dbus_error_take_vb(error, err);
    path = dbus_object_path(dc, kind, ref);
    vb_object_ref_clear(ref);
    return path ? sd_bus_reply_method_return(m, "o", path) : -ENOMEM;
}

int dbus_object_reply_refs(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, int r,
                           struct vb_object_ref *refs, size_t n, struct vb_error *err, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

    if (r < 0) {
        vb_object_refs_free(refs, n);
        return dbus_error_take_vb(error, err);
    }
    /* Only the objects the caller may see (libvirt's *_ACL_FILTER). */
    policy_check_filter_objects(dbus_frontend_current_check(dc->frontend, m), list_operations[kind], dc->conn, refs,
                                &n);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = append_ref_paths(reply, dc, kind, refs, n);
    vb_object_refs_free(refs, n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

int dbus_object_lookup(const struct dbus_object *o, struct vb_object_ref *ref, struct vb_error *err)
{
    struct vb_connect *conn = o->dc->conn;

    *ref = (struct vb_object_ref){ 0 };
    switch (o->kind) {
    case DBUS_KIND_NETWORK:
        return vb_network_lookup_by_uuid(conn, o->uuid, ref, err);
    case DBUS_KIND_POOL:
        return vb_pool_lookup_by_uuid(conn, o->uuid, ref, err);
    case DBUS_KIND_VOL:
        return vb_vol_lookup_by_key(conn, o->name, ref, err);
    case DBUS_KIND_NODEDEV:
        return vb_nodedev_lookup_by_name(conn, o->name, ref, err);
    case DBUS_KIND_IFACE:
        return vb_interface_lookup_by_name(conn, o->name, ref, err);
    case DBUS_KIND_COUNT:
        break;
    }
    return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unknown object kind");
}

static int set_autostart(struct dbus_object *o, sd_bus_message *m, sd_bus_error *error)
{
    struct dbus_object_call *call;
    int autostart, r = sd_bus_message_enter_container(m, 'v', "b");

    if (r <= 0)
        return r < 0 ? r : sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Autostart is a boolean");
    r = sd_bus_message_read(m, "b", &autostart);
    if (r < 0)
        return r;
    call = dbus_object_call_new(o->dc, m, o->kind, o, NULL);
    if (!call)
        return -ENOMEM;
    r = o->kind == DBUS_KIND_NETWORK ? vb_network_set_autostart(o->dc->conn, &call->base.core, call->uuid, autostart)
                                     : vb_pool_set_autostart(o->dc->conn, &call->base.core, call->uuid, autostart);
    return dbus_call_finish(&call->base, r, error);
}

int dbus_object_handle_set_autostart(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_object *kind_object = userdata;
    const char *interface, *property;
    struct dbus_object *o;

    if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Set"))
        return 0;
    if (sd_bus_message_read(m, "ss", &interface, &property) < 0 ||
        !streq(interface, kinds[kind_object->kind].interface) || !streq(property, "Autostart")) {
        sd_bus_message_rewind(m, true);
        return 0;
    }
    o = dbus_object_from_path(kind_object->dc, kind_object->kind, sd_bus_message_get_path(m));
    if (!o)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, kinds[kind_object->kind].not_found);
    return set_autostart(o, m, error);
}

static int append_property(sd_bus_message *reply, const char *property, const struct vb_object_ref *ref,
                           sd_bus_error *error)
{
    if (streq(property, "Active"))
        return sd_bus_message_append(reply, "b", (int) ref->active);
    if (streq(property, "Autostart"))
        return sd_bus_message_append(reply, "b", (int) ref->autostart);
    if (streq(property, "Persistent"))
        return sd_bus_message_append(reply, "b", (int) ref->persistent);
    if (streq(property, "Name"))
        return sd_bus_message_append(reply, "s", ref->name);
    if (streq(property, "UUID")) {
        char uuid[VB_UUID_STRING_LEN];

        vb_uuid_format(ref->uuid, uuid);
        return sd_bus_message_append(reply, "s", uuid);
    }
    if (streq(property, "Key") || streq(property, "Path") || streq(property, "MAC")) {
        const char *value = streq(property, "Key") ? ref->key : streq(property, "Path") ? ref->path : ref->mac;

        return sd_bus_message_append(reply, "s", value ? value : "");
    }
    /* The root device has no parent: "" (libvirt-dbus fails the read; the ObjectManager, which
     * reads every property of every object at once, must not). */
    if (streq(property, "Parent"))
        return sd_bus_message_append(reply, "s", ref->parent ? ref->parent : "");
    return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "unknown property %s", property);
}

int dbus_object_properties_append(sd_bus_message *m, const struct vb_object_ref *ref, const char *const *names)
{
    int r = sd_bus_message_open_container(m, 'a', "{sv}");

    for (size_t i = 0; r >= 0 && names[i]; i++) {
        const char *type = streq(names[i], "Active") || streq(names[i], "Autostart") || streq(names[i], "Persistent")
                               ? "b"
                               : "s";

        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
            r = sd_bus_message_append(m, "s", names[i]);
        if (r >= 0)
            r = sd_bus_message_open_container(m, 'v', type);
        if (r >= 0)
            r = append_property(m, names[i], ref, NULL);
        if (r >= 0)
            r = sd_bus_message_close_container(m);
        if (r >= 0)
            r = sd_bus_message_close_container(m);
    }
    return r < 0 ? r : sd_bus_message_close_container(m);
}

int dbus_object_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    struct dbus_object *kind_object = userdata, *o = dbus_object_from_path(kind_object->dc, kind_object->kind, path);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref;
    int r;

    if (!o)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, kinds[kind_object->kind].not_found);
    if (dbus_object_lookup(o, &ref, &err) < 0)
        return dbus_error_take_vb(error, &err);
    r = append_property(reply, property, &ref, error);
    vb_object_ref_clear(&ref);
    return r;
}
