/* Object identities as libvirt's polkit access driver names them, and resolving, listing and
 * "not found" for the object kinds beside domains. */
#include <stdlib.h>
#include <string.h>

#include "api/checks.h"
#include "conf/host_device_def.h"
#include "conf/network_def.h"
#include "conf/storage_def.h"
#include "policy/objects.h"
#include "util/macros.h"

void policy_identity_clear(struct policy_identity *id)
{
    for (size_t i = 0; i < id->n; i++)
        free(id->values[i]);
    *id = (struct policy_identity){ 0 };
}

int policy_identity_add(struct policy_identity *id, const char *name, const char *value)
{
    char *copy = NULL;

    if (id->n == POLICY_MAX_DETAILS)
        return -E2BIG;
    if (value && *value && !(copy = strdup(value)))
        return -ENOMEM;
    id->names[id->n] = name;
    id->values[id->n++] = copy;
    return 0;
}

const char *policy_identity_get(const struct policy_identity *id, const char *name)
{
    for (size_t i = 0; i < id->n; i++)
        if (streq(id->names[i], name))
            return id->values[i];
    return NULL;
}

static bool is_storage(enum policy_object kind)
{
    return kind == POLICY_OBJECT_STORAGE_POOL || kind == POLICY_OBJECT_STORAGE_VOL;
}

/* Which attributes of an identity of kind a permission on object sees: all of its own kind's;
 * among storage objects the pool_* ones, and vol_* ones for a volume permission (a pool asked
 * to create a volume carries the new volume's name). */
static bool attribute_reaches(const char *name, enum policy_object kind, enum policy_object object)
{
    if (!is_storage(object) || !is_storage(kind))
        return object == kind;
    return !strncmp(name, "pool_", 5) || (object == POLICY_OBJECT_STORAGE_VOL && !strncmp(name, "vol_", 4));
}

int policy_identity_for(const struct policy_identity *id, enum policy_object object, struct policy_identity *dst)
{
    int r = 0;

    *dst = (struct policy_identity){ .kind = id->kind };
    for (size_t i = 0; r >= 0 && i < id->n; i++)
        if (attribute_reaches(id->names[i], id->kind, object))
            r = policy_identity_add(dst, id->names[i], id->values[i]);
    if (r < 0)
        policy_identity_clear(dst);
    return r;
}

int policy_identity_of_domain(const unsigned char uuid[VB_UUID_LEN], const char *name, struct policy_identity *id)
{
    char text[VB_UUID_STRING_LEN] = "";
    int r;

    *id = (struct policy_identity){ .kind = POLICY_OBJECT_DOMAIN };
    if (uuid)
        vb_uuid_format(uuid, text);
    r = policy_identity_add(id, "domain_name", name);
    if (r >= 0)
        r = policy_identity_add(id, "domain_uuid", text);
    if (r < 0)
        policy_identity_clear(id);
    return r;
}

/* A volume's pool UUID: the core hands it in the volume's ref; else looked up by name. */
static void pool_uuid_of_volume(struct vb_connect *conn, const struct vb_object_ref *ref,
                                char text[VB_UUID_STRING_LEN])
{
    static const unsigned char none[VB_UUID_LEN];
    struct vb_object_ref pool = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    text[0] = '\0';
    if (memcmp(ref->uuid, none, VB_UUID_LEN) != 0)
        vb_uuid_format(ref->uuid, text);
    else if (ref->parent && vb_pool_lookup_by_name(conn, ref->parent, &pool, &err) >= 0)
        vb_uuid_format(pool.uuid, text);
    vb_object_ref_clear(&pool);
    vb_error_clear(&err);
}

int policy_identity_of_object(struct vb_connect *conn, enum policy_object kind, const struct vb_object_ref *ref,
                              struct policy_identity *id)
{
    char uuid[VB_UUID_STRING_LEN];
    int r = 0;

    *id = (struct policy_identity){ .kind = kind };
    switch (kind) {
    case POLICY_OBJECT_NETWORK:
        vb_uuid_format(ref->uuid, uuid);
        r = policy_identity_add(id, "network_name", ref->name);
        r = r < 0 ? r : policy_identity_add(id, "network_uuid", uuid);
        break;
    case POLICY_OBJECT_STORAGE_POOL:
        vb_uuid_format(ref->uuid, uuid);
        r = policy_identity_add(id, "pool_name", ref->name);
        r = r < 0 ? r : policy_identity_add(id, "pool_uuid", uuid);
        break;
    case POLICY_OBJECT_STORAGE_VOL:
        pool_uuid_of_volume(conn, ref, uuid);
        r = policy_identity_add(id, "pool_name", ref->parent);
        r = r < 0 ? r : policy_identity_add(id, "pool_uuid", uuid);
        r = r < 0 ? r : policy_identity_add(id, "vol_name", ref->name);
        r = r < 0 ? r : policy_identity_add(id, "vol_key", ref->key);
        break;
    case POLICY_OBJECT_NODE_DEVICE:
        r = policy_identity_add(id, "node_device_name", ref->name);
        break;
    case POLICY_OBJECT_INTERFACE:
        r = policy_identity_add(id, "interface_name", ref->name);
        r = r < 0 ? r : policy_identity_add(id, "interface_macaddr", ref->mac);
        break;
    default:
        break;
    }
    if (r < 0)
        policy_identity_clear(id);
    return r;
}

/* The core's lookup for the request: 0 found, -1 not (err set). */
static int lookup(const struct policy_request *req, struct vb_object_ref *ref, struct vb_error *err)
{
    const char *text = req->name;

    if (req->ref == POLICY_REF_UUID && !req->uuid)
        return -1;
    if (req->ref != POLICY_REF_UUID && !text)
        return -1;
    switch (req->object) {
    case POLICY_OBJECT_NETWORK:
        return req->ref == POLICY_REF_UUID ? vb_network_lookup_by_uuid(req->conn, req->uuid, ref, err)
                                           : vb_network_lookup_by_name(req->conn, text, ref, err);
    case POLICY_OBJECT_STORAGE_POOL:
        return req->ref == POLICY_REF_UUID ? vb_pool_lookup_by_uuid(req->conn, req->uuid, ref, err)
                                           : vb_pool_lookup_by_name(req->conn, text, ref, err);
    case POLICY_OBJECT_STORAGE_VOL:
        if (req->ref == POLICY_REF_KEY)
            return vb_vol_lookup_by_key(req->conn, text, ref, err);
        if (req->ref == POLICY_REF_PATH)
            return vb_vol_lookup_by_path(req->conn, text, ref, err);
        return req->uuid ? vb_vol_lookup_by_name(req->conn, req->uuid, text, ref, err) : -1;
    case POLICY_OBJECT_NODE_DEVICE:
        if (req->ref == POLICY_REF_WWN)
            return req->wwpn ? vb_nodedev_lookup_scsi_host_by_wwn(req->conn, text, req->wwpn, 0, ref, err) : -1;
        return vb_nodedev_lookup_by_name(req->conn, text, ref, err);
    case POLICY_OBJECT_INTERFACE:
        return req->ref == POLICY_REF_MAC ? vb_interface_lookup_by_mac(req->conn, text, ref, err)
                                          : vb_interface_lookup_by_name(req->conn, text, ref, err);
    default:
        return -1;
    }
}

/* What a network, pool or interface definition names: its name, and its uuid (networks, pools:
 * only when the XML gives one; else the driver makes one up later) or its MAC (interfaces).
 * false when it cannot be parsed. */
static bool names_of_definition(enum policy_object kind, const char *xml, char **name, char **second)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_network_def *net = NULL;
    struct vb_pool_def *pool = NULL;
    struct vb_iface_def *iface = NULL;
    char uuid[VB_UUID_STRING_LEN];

    /* Longer than any libvirt client can send: the core refuses it unparsed, so does this. */
    if (!xml || vb_check_string_max(xml, "xml", "", &err) < 0) {
        vb_error_clear(&err);
        return false;
    }
    if (kind == POLICY_OBJECT_NETWORK && (net = vb_network_def_parse_string(xml, &err))) {
        *name = strdup(net->name);
        vb_uuid_format(net->uuid, uuid);
    } else if (kind == POLICY_OBJECT_STORAGE_POOL && (pool = vb_pool_def_parse_string(xml, &err))) {
        *name = strdup(pool->name);
        vb_uuid_format(pool->uuid, uuid);
    } else if (kind == POLICY_OBJECT_INTERFACE && (iface = vb_iface_def_parse_string(xml, &err))) {
        *name = strdup(iface->name);
        *second = iface->mac ? strdup(iface->mac) : NULL;
    }
    if ((net || pool) && strstr(xml, "<uuid"))
        *second = strdup(uuid);
    vb_error_clear(&err);
    vb_network_def_free(net);
    vb_pool_def_free(pool);
    vb_iface_def_free(iface);
    return *name != NULL;
}

/* The network, pool or interface a definition describes, as libvirt's *DefineXMLEnsureACL and
 * *CreateXMLEnsureACL see the parsed definition: the existing object of that name, else the
 * name and the uuid or MAC the XML gives. Unparsable (the core then says why): the kind with
 * no attributes. 1, or -ENOMEM. */
static int identity_of_definition(const struct policy_request *req, struct policy_identity *id)
{
    static const char *const attributes[][2] = {
        [POLICY_OBJECT_NETWORK] = { "network_name", "network_uuid" },
        [POLICY_OBJECT_STORAGE_POOL] = { "pool_name", "pool_uuid" },
        [POLICY_OBJECT_INTERFACE] = { "interface_name", "interface_macaddr" },
    };
    _cleanup_free_ char *name = NULL, *second = NULL;
    struct policy_request by_name = *req;
    int r;

    *id = (struct policy_identity){ .kind = req->object };
    if ((size_t) req->object >= ARRAY_SIZE(attributes) || !attributes[req->object][0] ||
        !names_of_definition(req->object, req->xml, &name, &second))
        return 1;
    by_name.ref = POLICY_REF_NAME;
    by_name.name = name;
    if ((r = policy_object_resolve(&by_name, id)) != 0)
        return r;
    *id = (struct policy_identity){ .kind = req->object };
    r = policy_identity_add(id, attributes[req->object][0], name);
    if (r >= 0)
        r = policy_identity_add(id, attributes[req->object][1], second);
    if (r < 0)
        policy_identity_clear(id);
    return r < 0 ? r : 1;
}

/* A pool asked to create a volume: the new volume's vol_name, as libvirt's
 * virStorageVolCreateXMLEnsureACL sees the parsed volume (its key does not exist yet). An
 * unparsable definition adds nothing (the core then says why). 0 or -ENOMEM. */
static int add_new_volume_name(struct policy_identity *id, const char *xml)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_vol_def *vol = NULL;
    int r = 0;

    if (vb_check_string_max(xml, "xml", "", &err) == 0 && (vol = vb_vol_def_parse_string(xml, &err)))
        r = policy_identity_add(id, "vol_name", vol->name);
    vb_error_clear(&err);
    vb_vol_def_free(vol);
    return r == -E2BIG ? 0 : r;
}

int policy_object_resolve(const struct policy_request *req, struct policy_identity *id)
{
    struct vb_object_ref ref = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    int r;

    if (req->ref == POLICY_REF_XML)
        return identity_of_definition(req, id);
    r = lookup(req, &ref, &err);

    vb_error_clear(&err); /* the core reports a missing object itself */
    if (r >= 0)
        r = policy_identity_of_object(req->conn, req->object, &ref, id) < 0 ? -ENOMEM : 1;
    else
        r = 0;
    if (r > 0 && req->object == POLICY_OBJECT_STORAGE_POOL && req->xml && add_new_volume_name(id, req->xml) < 0)
        r = -ENOMEM;
    vb_object_ref_clear(&ref);
    return r;
}

int policy_objects_list(const struct policy_request *req, enum policy_object kind, struct vb_object_ref **refs,
                        size_t *n)
{
    struct vb_error err = VB_ERROR_INIT;
    int r = -1;

    switch (kind) {
    case POLICY_OBJECT_NETWORK: r = vb_network_list(req->conn, 0, refs, n, &err); break;
    case POLICY_OBJECT_STORAGE_POOL: r = vb_pool_list(req->conn, 0, refs, n, &err); break;
    case POLICY_OBJECT_STORAGE_VOL:
        if (req->object == POLICY_OBJECT_STORAGE_POOL && req->ref == POLICY_REF_UUID && req->uuid)
            r = vb_pool_list_volumes(req->conn, req->uuid, 0, refs, n, &err);
        break;
    case POLICY_OBJECT_NODE_DEVICE: r = vb_nodedev_list(req->conn, 0, refs, n, &err); break;
    case POLICY_OBJECT_INTERFACE: r = vb_interface_list(req->conn, 0, refs, n, &err); break;
    default: break;
    }
    vb_error_clear(&err);
    return r < 0 ? -1 : 0;
}

static int list_every_volume(struct vb_connect *conn, struct vb_object_ref **refs, size_t *n)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *pools = NULL, *all = NULL;
    size_t n_pools = 0, n_all = 0;
    int r = vb_pool_list(conn, VB_LIST_OBJ_ACTIVE, &pools, &n_pools, &err);

    for (size_t i = 0; r >= 0 && i < n_pools; i++) {
        struct vb_object_ref *vols = NULL, *grown;
        size_t n_vols = 0;

        if (vb_pool_list_volumes(conn, pools[i].uuid, 0, &vols, &n_vols, &err) < 0) {
            vb_error_clear(&err); /* gone meanwhile */
            continue;
        }
        if (n_vols == 0) {
            vb_object_refs_free(vols, n_vols);
            continue;
        }
        grown = realloc(all, (n_all + n_vols) * sizeof(*all));
        if (!grown) {
            vb_object_refs_free(vols, n_vols);
            r = -1;
            break;
        }
        all = grown;
        memcpy(all + n_all, vols, n_vols * sizeof(*vols)); /* moved: only the array is freed */
        n_all += n_vols;
        free(vols);
    }
    vb_error_clear(&err);
    vb_object_refs_free(pools, n_pools);
    if (r < 0) {
        vb_object_refs_free(all, n_all);
        return -1;
    }
    *refs = all;
    *n = n_all;
    return 0;
}

int policy_objects_list_all(struct vb_connect *conn, enum policy_object kind, struct vb_object_ref **refs,
                            size_t *n)
{
    const struct policy_request req = { .conn = conn };

    if (kind == POLICY_OBJECT_STORAGE_VOL)
        return list_every_volume(conn, refs, n);
    return policy_objects_list(&req, kind, refs, n);
}

void policy_object_not_found(const struct policy_request *req, struct vb_error *err)
{
    char uuid[VB_UUID_STRING_LEN] = "";
    const char *text = req->name ? req->name : "";

    if (req->uuid)
        vb_uuid_format(req->uuid, uuid);
    switch (req->object) {
    case POLICY_OBJECT_NETWORK:
        if (req->ref == POLICY_REF_UUID)
            vb_error_set(err, VB_ERR_NO_NETWORK, "no network with matching uuid '%s'", uuid);
        else
            vb_error_set(err, VB_ERR_NO_NETWORK, "no network with matching name '%s'", text);
        break;
    case POLICY_OBJECT_STORAGE_POOL:
        if (req->ref == POLICY_REF_UUID)
            vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching uuid '%s'", uuid);
        else
            vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", text);
        break;
    case POLICY_OBJECT_STORAGE_VOL:
        vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching %s '%s'",
                     req->ref == POLICY_REF_KEY ? "key" : req->ref == POLICY_REF_PATH ? "path" : "name", text);
        break;
    case POLICY_OBJECT_NODE_DEVICE:
        if (req->ref == POLICY_REF_WWN) /* the test driver's words for a device that is not there */
            vb_error_set(err, VB_ERR_NO_NODE_DEVICE, "no node device with matching wwnn '%s' and wwpn '%s'", text,
                         req->wwpn ? req->wwpn : "");
        else
            vb_error_set(err, VB_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'", text);
        break;
    default:
        vb_error_set(err, VB_ERR_NO_INTERFACE, "no interface with matching %s '%s'",
                     req->ref == POLICY_REF_MAC ? "mac" : "name", text);
        break;
    }
}
