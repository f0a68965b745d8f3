/* The test driver's storage volumes: libvirt's testStorageVol* rules. A volume lives in an
 * active pool, is named by its key (its path: <pool target>/<name>) and takes its allocation
 * from the pool's free space. */
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_objects.h"

static struct test_pool *active_pool(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    struct test_pool *pool = test_pool_find_by_uuid(conn, uuid, err);

    if (pool && !pool->active) {
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "storage pool '%s' is not active", pool->def->name);
        return NULL;
    }
    return pool;
}

static struct vb_vol_def *vol_named(const struct test_pool *pool, const char *name)
{
    return pool->vols_by_name ? vb_hashmap_get(pool->vols_by_name, name) : NULL;
}

/* The volume whose key (and path: the test driver's are the same) is text: <pool target>/<name>,
 * in an active pool; *pool_out its pool. Pools are few, volumes many: each is found by name. */
static struct vb_vol_def *find_vol(struct test_conn *conn, const char *text, struct test_pool **pool_out)
{
    for (size_t p = 0; p < conn->objects->n_pools; p++) {
        struct test_pool *pool = conn->objects->pools[p];
        const char *target = pool->def->target_path ? pool->def->target_path : "";
        size_t len = strlen(target);
        struct vb_vol_def *vol;

        if (!pool->active || strncmp(text, target, len) != 0 || text[len] != '/')
            continue;
        vol = vol_named(pool, text + len + 1);
        if (vol && streq(vol->key, text)) {
            *pool_out = pool;
            return vol;
        }
    }
    return NULL;
}

static struct vb_vol_def *find_by_key(struct test_conn *conn, const char *key, struct test_pool **pool,
                                      struct vb_error *err)
{
    struct vb_vol_def *vol = find_vol(conn, key, pool);

    if (!vol)
        vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching key '%s'", key);
    return vol;
}

static int fill_ref(const struct test_pool *pool, const struct vb_vol_def *vol, struct vb_object_ref *ref,
                    struct vb_error *err)
{
    if (test_ref_named(ref, vol->name, err) < 0)
        return -1;
    ref->key = strdup(vol->key);
    ref->path = strdup(vol->path);
    ref->parent = strdup(pool->def->name);
    ref->active = true;
    ref->capacity = vol->capacity;
    ref->allocation = vol->allocation;
    memcpy(ref->uuid, pool->def->uuid, VB_UUID_LEN);
    if (!ref->key || !ref->path || !ref->parent) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int test_pool_list_volumes(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err)
{
    struct test_pool *pool;
    size_t allocated = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    pool = test_pool_find_by_uuid(priv, uuid, err);
    if (!pool)
        return -1;
    if (!pool->active)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "storage pool is not active");
    for (size_t i = 0; i < pool->n_vols; i++) {
        struct vb_object_ref ref;

        if (fill_ref(pool, pool->vols[i], &ref, err) < 0 || test_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

int test_vol_lookup_by_key(void *priv, const char *key, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_pool *pool = NULL;
    struct vb_vol_def *vol = find_by_key(priv, key, &pool, err);

    return vol ? fill_ref(pool, vol, ref, err) : -1;
}

int test_vol_lookup_by_path(void *priv, const char *path, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_pool *pool = NULL;
    struct vb_vol_def *vol = find_vol(priv, path, &pool);

    if (!vol)
        return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching path '%s'", path);
    return fill_ref(pool, vol, ref, err);
}

int test_vol_lookup_by_name(void *priv, vb_uuid_t uuid, const char *name, struct vb_object_ref *ref,
                            struct vb_error *err)
{
    struct test_pool *pool = active_pool(priv, uuid, err);
    struct vb_vol_def *vol = pool ? vol_named(pool, name) : NULL;

    if (!pool)
        return -1;
    if (!vol)
        return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", name);
    return fill_ref(pool, vol, ref, err);
}

/* Parses a new volume of pool and checks it fits; NULL (err set) when it may not be added. */
static struct vb_vol_def *new_vol(struct test_pool *pool, const char *xml, struct vb_error *err)
{
    _cleanup_(vb_vol_def_freep) struct vb_vol_def *vol = vb_vol_def_parse_string(xml, err);

    if (!vol)
        return NULL;
    if (vol_named(pool, vol->name))
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "storage vol already exists"), NULL;
    if (vol->allocation > pool->def->capacity - pool->def->allocation)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Not enough free space in pool for volume '%s'", vol->name),
               NULL;
    free(vol->path);
    vol->path = NULL;
    if (asprintf(&vol->path, "%s/%s", pool->def->target_path ? pool->def->target_path : "", vol->name) < 0 ||
        !(vol->key = strdup(vol->path)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    return TAKE_PTR(vol);
}

static int add_vol(struct test_pool *pool, struct vb_vol_def *vol, struct vb_object_ref *ref, struct vb_error *err)
{
    if (!pool->vols_by_name)
        pool->vols_by_name = vb_hashmap_new();
    if (!pool->vols_by_name || fill_ref(pool, vol, ref, err) < 0 ||
        vb_hashmap_put(pool->vols_by_name, vol->name, vol) < 0) {
        vb_object_ref_clear(ref);
        vb_vol_def_free(vol);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (test_array_append((void ***) &pool->vols, &pool->n_vols, &pool->vols_allocated, vol) < 0) {
        vb_hashmap_remove(pool->vols_by_name, vol->name);
        vb_object_ref_clear(ref);
        vb_vol_def_free(vol);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    pool->def->allocation += vol->allocation;
    pool->def->available = pool->def->capacity - pool->def->allocation;
    return 0;
}

int test_vol_create_xml(void *priv, struct vb_call *call, vb_uuid_t uuid, const char *xml, unsigned int flags,
                        struct vb_object_ref *ref)
{
    struct test_pool *pool;
    struct vb_vol_def *vol;

    VB_CHECK_FLAGS(flags, VB_VOL_CREATE_VALIDATE, &call->err);
    pool = active_pool(priv, uuid, &call->err);
    vol = pool ? new_vol(pool, xml, &call->err) : NULL;
    if (!vol || add_vol(pool, vol, ref, &call->err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

/* libvirt's test driver clones nothing but the name check: the clone is a new volume. */
int test_vol_create_xml_from(void *priv, struct vb_call *call, vb_uuid_t uuid, const char *xml, const char *clone_key,
                             unsigned int flags, struct vb_object_ref *ref)
{
    struct test_pool *pool, *clone_pool = NULL;
    struct vb_vol_def *clone, *vol;

    VB_CHECK_FLAGS(flags, VB_VOL_CREATE_VALIDATE, &call->err);
    clone = find_by_key(priv, clone_key, &clone_pool, &call->err);
    pool = clone ? active_pool(priv, uuid, &call->err) : NULL;
    vol = pool ? new_vol(pool, xml, &call->err) : NULL;
    if (!vol)
        return -1;
    if (clone_pool != pool) {
        vb_error_set(&call->err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", clone->name);
        vb_vol_def_free(vol);
        return -1;
    }
    if (add_vol(pool, vol, ref, &call->err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

int test_vol_delete(void *priv, struct vb_call *call, const char *key, unsigned int flags)
{
    struct test_pool *pool = NULL;
    struct vb_vol_def *vol;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    vol = find_by_key(priv, key, &pool, &call->err);
    if (!vol)
        return -1;
    pool->def->allocation -= vol->allocation;
    pool->def->available = pool->def->capacity - pool->def->allocation;
    for (size_t i = 0; i < pool->n_vols; i++)
        if (pool->vols[i] == vol) {
            test_array_remove((void **) pool->vols, &pool->n_vols, i);
            break;
        }
    vb_hashmap_remove(pool->vols_by_name, vol->name);
    vb_vol_def_free(vol);
    return test_done(priv, call, 0);
}

int test_vol_get_info(void *priv, struct vb_call *call, const char *key, struct vb_vol_info *info)
{
    struct test_pool *pool = NULL;
    struct vb_vol_def *vol = find_by_key(priv, key, &pool, &call->err);

    if (!vol)
        return -1;
    *info = (struct vb_vol_info){ .type = vb_pool_vol_type(pool->def->type), .capacity = vol->capacity,
                                  .allocation = vol->allocation };
    return test_done(priv, call, 0);
}

int test_vol_get_xml_desc(void *priv, struct vb_call *call, const char *key, unsigned int flags, char **xml)
{
    struct test_pool *pool = NULL;
    struct vb_vol_def *vol;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    vol = find_by_key(priv, key, &pool, &call->err);
    if (!vol || !(*xml = vb_vol_def_format(vol, vb_vol_type_to_string(vb_pool_vol_type(pool->def->type)),
                                           &call->err)))
        return -1;
    return test_done(priv, call, 0);
}
