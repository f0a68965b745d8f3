/* The test driver's storage pools: libvirt's testStoragePool* rules, states, errors and events
 * (every pool a 100 GiB directory that exists only in memory). Volumes: test_storage_vol.c. */
#include <stdlib.h>
#include <string.h>

#include "conf/xml_util.h"
#include "drivers/storage_pool_rules.h"
#include "drivers/test/test_objects.h"

#define POOLS(conn) ((conn)->objects->pools)
#define N_POOLS(conn) ((conn)->objects->n_pools)

/* libvirt's test driver: every pool is 100 GiB, all of it free until volumes take some. */
#define TEST_POOL_CAPACITY (100ull * 1024 * 1024 * 1024)

void test_pool_free(struct test_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->n_vols; i++)
        vb_vol_def_free(pool->vols[i]);
    free(pool->vols);
    vb_hashmap_free(pool->vols_by_name);
    vb_pool_def_free(pool->def);
    free(pool);
}

static ssize_t index_by_uuid(struct test_conn *conn, vb_uuid_t uuid)
{
    for (size_t i = 0; i < N_POOLS(conn); i++)
        if (memcmp(POOLS(conn)[i]->def->uuid, uuid, VB_UUID_LEN) == 0)
            return (ssize_t) i;
    return -1;
}

static struct test_pool *find_by_name(struct test_conn *conn, const char *name)
{
    for (size_t i = 0; i < N_POOLS(conn); i++)
        if (streq(POOLS(conn)[i]->def->name, name))
            return POOLS(conn)[i];
    return NULL;
}

struct test_pool *test_pool_find_by_uuid(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    ssize_t i = index_by_uuid(conn, uuid);
    char text[VB_UUID_STRING_LEN];

    if (i >= 0)
        return POOLS(conn)[i];
    vb_uuid_format(uuid, text);
    vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching uuid '%s'", text);
    return NULL;
}

/* The pool, checked to be (in)active as libvirt's FindActiveByName / FindInactiveByName. */
static struct test_pool *find_in_state(struct test_conn *conn, vb_uuid_t uuid, bool active, struct vb_error *err)
{
    struct test_pool *pool = test_pool_find_by_uuid(conn, uuid, err);

    return pool && vb_pool_check_state(pool->def, pool->active, active, err) == 0 ? pool : NULL;
}

static int fill_ref(const struct test_pool *pool, struct vb_object_ref *ref, struct vb_error *err)
{
    if (test_ref_named(ref, pool->def->name, err) < 0)
        return -1;
    memcpy(ref->uuid, pool->def->uuid, VB_UUID_LEN);
    ref->path = pool->def->target_path ? strdup(pool->def->target_path) : NULL;
    ref->active = pool->active;
    ref->persistent = pool->persistent;
    ref->autostart = pool->persistent && pool->autostart;
    ref->capacity = pool->def->capacity;
    ref->allocation = pool->def->allocation;
    ref->available = pool->def->available;
    if (pool->def->target_path && !ref->path) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

static void emit(struct test_conn *conn, const struct test_pool *pool, int id, int event)
{
    test_emit_object(conn, VB_OBJECT_STORAGE_POOL, pool->def->uuid, pool->def->name, id, event);
}

static const struct vb_pool_def *pool_def_at(const void *pools, size_t i, bool *active)
{
    const struct test_pool *pool = ((struct test_pool *const *) pools)[i];

    *active = pool->active;
    return pool->def;
}

/* libvirt's virStoragePoolObjIsDuplicate: the pool the definition replaces, a new one, or NULL. */
static struct test_pool *assign_def(struct test_conn *conn, struct vb_pool_def *def, bool live, struct vb_error *err)
{
    struct vb_pool_list_view list = { .pools = POOLS(conn), .n = N_POOLS(conn), .def_at = pool_def_at };
    ssize_t i = vb_pool_find_duplicate(&list, def, live, err);
    struct test_pool *pool;

    if (i == -2)
        return NULL;
    if (i >= 0) {
        pool = POOLS(conn)[i];
        vb_pool_def_free(pool->def);
        pool->def = def;
        return pool;
    }
    pool = calloc(1, sizeof(*pool));
    if (!pool ||
        test_array_append((void ***) &POOLS(conn), &N_POOLS(conn), &conn->objects->pools_allocated, pool) < 0) {
        free(pool);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    }
    pool->def = def;
    return pool;
}

/* Parses and assigns a definition with the test driver's sizes; nothing changes on failure. */
static struct test_pool *add_def(struct test_conn *conn, const char *xml, bool live, struct vb_error *err)
{
    struct vb_pool_def *def = vb_pool_def_parse_string(xml, err);
    struct test_pool *pool;

    if (!def)
        return NULL;
    def->capacity = TEST_POOL_CAPACITY;
    def->available = TEST_POOL_CAPACITY;
    pool = assign_def(conn, def, live, err);
    if (!pool) {
        vb_pool_def_free(def);
        return NULL;
    }
    pool->persistent = !live;
    return pool;
}

int test_pool_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err)
{
    struct test_pool *pool = add_def(conn, xml, false, err);

    if (pool)
        pool->active = active;
    return pool ? 0 : -1;
}

static void remove_pool(struct test_conn *conn, struct test_pool *pool)
{
    test_array_remove((void **) POOLS(conn), &N_POOLS(conn), (size_t) index_by_uuid(conn, pool->def->uuid));
    test_pool_free(pool);
}

/* --- registry -------------------------------------------------------------------------------- */

/* libvirt's VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE> bits, in virStoragePoolType order. */
static const char *const type_flags[] = { "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd",
                                          "sheepdog", "gluster", "zfs", "vstorage", "iscsi-direct" };
#define POOL_TYPE_FLAGS_SHIFT 6

static bool type_matches(const char *type, unsigned int flags)
{
    unsigned int wanted = flags >> POOL_TYPE_FLAGS_SHIFT;

    for (size_t i = 0; wanted && i < ARRAY_SIZE(type_flags); i++)
        if (streq(type_flags[i], type))
            return (wanted >> i) & 1;
    return wanted == 0;
}

static int test_list_pools(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err)
{
    struct test_conn *conn = priv;
    size_t allocated = 0;

    VB_CHECK_FLAGS(flags, VB_LIST_OBJ_FILTERS | (((1u << ARRAY_SIZE(type_flags)) - 1) << POOL_TYPE_FLAGS_SHIFT),
                   err);
    for (size_t i = 0; i < N_POOLS(conn); i++) {
        struct vb_object_ref ref;

        if (fill_ref(POOLS(conn)[i], &ref, err) < 0)
            return -1;
        if (!vb_object_ref_matches(&ref, flags) || !type_matches(POOLS(conn)[i]->def->type, flags))
            vb_object_ref_clear(&ref);
        else if (test_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

static int test_pool_lookup_by_uuid(void *priv, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_pool *pool = test_pool_find_by_uuid(priv, uuid, err);

    return pool ? fill_ref(pool, ref, err) : -1;
}

static int test_pool_lookup_by_name(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_pool *pool = find_by_name(priv, name);

    if (!pool)
        return vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", name);
    return fill_ref(pool, ref, err);
}

/* --- operations ------------------------------------------------------------------------------ */

static int test_pool_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                struct vb_object_ref *ref)
{
    struct test_pool *pool;

    VB_CHECK_FLAGS(flags, VB_POOL_DEFINE_VALIDATE, &call->err);
    pool = add_def(priv, xml, false, &call->err);
    if (!pool)
        return -1;
    emit(priv, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_POOL_EVENT_DEFINED);
    return test_done(priv, call, fill_ref(pool, ref, &call->err));
}

static int test_pool_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                struct vb_object_ref *ref)
{
    struct test_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = add_def(priv, xml, true, &call->err);
    if (!pool)
        return -1;
    pool->active = true;
    emit(priv, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_POOL_EVENT_STARTED);
    return test_done(priv, call, fill_ref(pool, ref, &call->err));
}

/* Build, Create, Delete: on an inactive pool, one event. */
static int on_inactive(struct test_conn *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, int event)
{
    struct test_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = find_in_state(conn, uuid, false, &call->err);
    if (!pool)
        return -1;
    if (event == VB_POOL_EVENT_STARTED)
        pool->active = true;
    emit(conn, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, event);
    return test_done(conn, call, 0);
}

static int test_pool_build(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return on_inactive(priv, call, uuid, flags, VB_POOL_EVENT_CREATED);
}

static int test_pool_create(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return on_inactive(priv, call, uuid, flags, VB_POOL_EVENT_STARTED);
}

static int test_pool_delete(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return on_inactive(priv, call, uuid, flags, VB_POOL_EVENT_DELETED);
}

static int test_pool_destroy(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct test_pool *pool = find_in_state(priv, uuid, true, &call->err);

    if (!pool)
        return -1;
    pool->active = false;
    emit(priv, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_POOL_EVENT_STOPPED);
    if (!pool->persistent)
        remove_pool(priv, pool);
    return test_done(priv, call, 0);
}

static int test_pool_undefine(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct test_pool *pool = find_in_state(priv, uuid, false, &call->err);

    if (!pool)
        return -1;
    emit(priv, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_POOL_EVENT_UNDEFINED);
    remove_pool(priv, pool);
    return test_done(priv, call, 0);
}

static int test_pool_refresh(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    struct test_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = find_in_state(priv, uuid, true, &call->err);
    if (!pool)
        return -1;
    emit(priv, pool, VB_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    return test_done(priv, call, 0);
}

static int test_pool_get_info(void *priv, struct vb_call *call, vb_uuid_t uuid, struct vb_pool_info *info)
{
    struct test_pool *pool = test_pool_find_by_uuid(priv, uuid, &call->err);

    if (!pool)
        return -1;
    *info = (struct vb_pool_info){ .state = pool->active ? VB_POOL_STATE_RUNNING : VB_POOL_STATE_INACTIVE,
                                   .capacity = pool->def->capacity, .allocation = pool->def->allocation,
                                   .available = pool->def->available };
    return test_done(priv, call, 0);
}

static int test_pool_get_xml_desc(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char **xml)
{
    struct test_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = test_pool_find_by_uuid(priv, uuid, &call->err);
    if (!pool || !(*xml = vb_pool_def_format(pool->def, &call->err)))
        return -1;
    return test_done(priv, call, 0);
}

static int test_pool_set_autostart(void *priv, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    struct test_pool *pool = test_pool_find_by_uuid(priv, uuid, &call->err);

    if (!pool)
        return -1;
    if (!pool->persistent)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "pool has no config file");
    if (pool->autostart != autostart) {
        pool->autostart = autostart;
        emit(priv, pool, VB_EVENT_ID_CHANGED, 0);
    }
    return test_done(priv, call, 0);
}

static const char logical_sources_xml[] =
    "<sources>\n"
    "  <source>\n"
    "    <device path='/dev/sda20'/>\n"
    "    <name>testvg1</name>\n"
    "    <format type='lvm2'/>\n"
    "  </source>\n"
    "  <source>\n"
    "    <device path='/dev/sda21'/>\n"
    "    <name>testvg2</name>\n"
    "    <format type='lvm2'/>\n"
    "  </source>\n"
    "</sources>\n";

/* The host a netfs source specification names (NULL when none). */
static char *spec_host(const char *spec, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = spec ? vb_xml_parse_string(spec, "(storage_source_specification)",
                                                                           err) : NULL;

    return doc ? vb_xml_child_prop(xmlDocGetRootElement(doc), "host", "name") : NULL;
}

/* libvirt's testConnectFindStoragePoolSources, whose check refuses "dir" as unknown. */
static int test_find_pool_sources(void *priv, struct vb_call *call, const char *type, const char *spec,
                                  unsigned int flags, char **xml)
{
    _cleanup_free_ char *host = NULL;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (streq(type, "dir"))
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "unknown storage pool type %s", type);
    if (streq(type, "logical"))
        *xml = strdup(logical_sources_xml);
    else if (streq(type, "netfs")) {
        host = spec_host(spec, &call->err);
        if (!host)
            return vb_error_is_set(&call->err) ? -1
                   : vb_error_set(&call->err, VB_ERR_INVALID_ARG, "hostname must be specified for netfs sources");
        if (asprintf(xml, "<sources>\n  <source>\n    <host name='%s'/>\n    <dir path='/testshare'/>\n"
                          "    <format type='nfs'/>\n  </source>\n</sources>\n", host) < 0)
            *xml = NULL;
    } else
        return vb_error_set(&call->err, VB_ERR_NO_SUPPORT, "pool type '%s' does not support source discovery",
                            type);
    return *xml ? test_done(priv, call, 0) : vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
}

const struct vb_storage_driver vb_test_storage_driver = {
    .list_pools = test_list_pools,
    .pool_lookup_by_uuid = test_pool_lookup_by_uuid,
    .pool_lookup_by_name = test_pool_lookup_by_name,
    .list_volumes = test_pool_list_volumes,
    .vol_lookup_by_key = test_vol_lookup_by_key,
    .vol_lookup_by_path = test_vol_lookup_by_path,
    .vol_lookup_by_name = test_vol_lookup_by_name,
    .find_pool_sources = test_find_pool_sources,
    .pool_define_xml = test_pool_define_xml,
    .pool_create_xml = test_pool_create_xml,
    .pool_build = test_pool_build,
    .pool_create = test_pool_create,
    .pool_destroy = test_pool_destroy,
    .pool_delete = test_pool_delete,
    .pool_undefine = test_pool_undefine,
    .pool_refresh = test_pool_refresh,
    .pool_get_info = test_pool_get_info,
    .pool_get_xml_desc = test_pool_get_xml_desc,
    .pool_set_autostart = test_pool_set_autostart,
    .vol_create_xml = test_vol_create_xml,
    .vol_create_xml_from = test_vol_create_xml_from,
    .vol_delete = test_vol_delete,
    .vol_get_info = test_vol_get_info,
    .vol_get_xml_desc = test_vol_get_xml_desc,
};
