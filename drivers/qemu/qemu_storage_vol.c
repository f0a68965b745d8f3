/* Volumes of the QEMU connection's directory pools: files of the pool's directory, named by
 * their path (key and path are the same), created, cloned, resized and wiped with qemu-img on
 * the loop (qemu_storage_build.c). A name never leaves the directory (conf refuses '/', "."
 * and ".."), an existing file is never overwritten, and a failed create leaves no file behind. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_storage_private.h"

/* libvirt's VIR_STORAGE_DEFAULT_VOL_PERM_MODE */
#define VOL_MODE 0600

/* What qemu-img creates and libvirt's dir pools accept. */
static const char *const vol_formats[] = { "raw", "qcow2", "qed", "vmdk", "vdi", "vpc", "vhdx", NULL };

struct vb_vol_def *qemu_vol_find_by_name(const struct qemu_pool *pool, const char *name)
{
    for (size_t i = 0; i < pool->n_vols; i++)
        if (streq(pool->vols[i]->name, name))
            return pool->vols[i];
    return NULL;
}

/* The volume whose key (its path) is key, in an active pool. */
static struct vb_vol_def *find_by_key(struct qemu_conn *conn, const char *key, struct qemu_pool **pool_out,
                                      struct vb_error *err)
{
    for (size_t p = 0; p < conn->storage->n_pools; p++) {
        struct qemu_pool *pool = conn->storage->pools[p];

        for (size_t i = 0; pool->active && i < pool->n_vols; i++)
            if (streq(pool->vols[i]->key, key)) {
                *pool_out = pool;
                return pool->vols[i];
            }
    }
    vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching key '%s'", key);
    return NULL;
}

static struct qemu_pool *active_pool(struct qemu_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    return qemu_pool_find_in_state(conn, uuid, true, err);
}

int qemu_vol_fill_ref(const struct qemu_pool *pool, const struct vb_vol_def *vol, struct vb_object_ref *ref,
                    struct vb_error *err)
{
    *ref = (struct vb_object_ref){ .name = strdup(vol->name), .key = strdup(vol->key), .path = strdup(vol->path),
                                   .parent = strdup(pool->def->name), .active = true, .capacity = vol->capacity,
                                   .allocation = vol->allocation };
    memcpy(ref->uuid, pool->def->uuid, VB_UUID_LEN);
    if (!ref->name || !ref->key || !ref->path || !ref->parent) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* --- registry ---------------------------------------------------------------------------- */

int qemu_list_volumes(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err)
{
    struct qemu_pool *pool;
    size_t allocated = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(pool = active_pool(priv, uuid, err)))
        return -1;
    for (size_t i = 0; i < pool->n_vols; i++) {
        struct vb_object_ref ref;

        if (qemu_vol_fill_ref(pool, pool->vols[i], &ref, err) < 0 ||
            vb_object_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

int qemu_vol_lookup_by_key(void *priv, const char *key, struct vb_object_ref *ref, struct vb_error *err)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol = find_by_key(priv, key, &pool, err);

    return vol ? qemu_vol_fill_ref(pool, vol, ref, err) : -1;
}

int qemu_vol_lookup_by_name(void *priv, vb_uuid_t uuid, const char *name, struct vb_object_ref *ref,
                            struct vb_error *err)
{
    struct qemu_pool *pool = active_pool(priv, uuid, err);
    struct vb_vol_def *vol = pool ? qemu_vol_find_by_name(pool, name) : NULL;

    if (!pool)
        return -1;
    if (!vol)
        return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", name);
    return qemu_vol_fill_ref(pool, vol, ref, err);
}

/* --- creating ------------------------------------------------------------------------------ */

static bool format_known(const char *format)
{
    for (size_t i = 0; vol_formats[i]; i++)
        if (streq(vol_formats[i], format))
            return true;
    return false;
}

/* Parses a new volume of pool and checks its name, format and size; its path set. */
static struct vb_vol_def *new_vol(struct qemu_pool *pool, const char *xml, struct vb_error *err)
{
    _cleanup_(vb_vol_def_freep) struct vb_vol_def *vol = vb_vol_def_parse_string(xml, err);

    if (!vol)
        return NULL;
    if (!format_known(vol->format))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unknown storage vol type %s", vol->format), NULL;
    if (qemu_vol_find_by_name(pool, vol->name))
        return vb_error_set(err, VB_ERR_STORAGE_VOL_EXIST, "'%s'", vol->name), NULL;
    if (qemu_pool_update_sizes(pool, err) < 0)
        return NULL;
    if (vol->allocation > pool->def->available)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Not enough free space in pool for volume '%s'", vol->name),
               NULL;
    free(vol->path);
    free(vol->key);
    vol->key = NULL;
    if (asprintf(&vol->path, "%s/%s", pool->def->target_path, vol->name) < 0 || !(vol->key = strdup(vol->path)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    return TAKE_PTR(vol);
}

/* Takes the name in the directory (O_EXCL): a file already there, even one no refresh has
 * seen yet, is never overwritten. */
static int reserve_file(const struct vb_vol_def *vol, struct vb_error *err)
{
    int fd = open(vol->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, VOL_MODE);

    if (fd < 0 && errno == EEXIST)
        return vb_error_set(err, VB_ERR_STORAGE_VOL_EXIST, "'%s'", vol->name);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "cannot create volume '%s'", vol->path);
    close(fd);
    return 0;
}

/* Reads the file's format and sizes back into vol. */
static int read_back(struct vb_vol_def *vol, struct vb_error *err)
{
    struct qemu_img_info info;

    if (qemu_img_info(vol->path, &info, err) < 0)
        return -1;
    free(vol->format);
    vol->format = info.format;
    vol->capacity = info.capacity;
    vol->allocation = info.allocation;
    return 0;
}

/* The new volume listed (being built) and its build started; on failure the file is removed
 * and the pool is as it was. */
static int create_with(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_vol_def *vol,
                       const struct qemu_vol_build_spec *spec, struct vb_call *call, struct vb_object_ref *ref)
{
    _cleanup_(vb_vol_def_freep) struct vb_vol_def *owned = vol;
    int r;

    if (reserve_file(vol, &call->err) < 0)
        return -1;
    if (qemu_vols_append(&pool->vols, &pool->n_vols, &pool->vols_allocated, vol, &call->err) < 0) {
        unlink(vol->path);
        return -1;
    }
    r = qemu_vol_build_start(conn, pool, vol, spec, call, ref);
    if (r < 0) {
        pool->n_vols--;
        unlink(vol->path);
        return -1;
    }
    TAKE_PTR(owned);
    return r;
}

/* qemu-img create -f FMT PATH BYTES into args (size holds the number). */
static void create_args(const struct vb_vol_def *vol, char size[32], const char *args[7])
{
    snprintf(size, 32, "%" PRIu64, vol->capacity);
    args[0] = "create", args[1] = "-q", args[2] = "-f", args[3] = vol->format, args[4] = vol->path;
    args[5] = size, args[6] = NULL;
}

int qemu_vol_create_xml(void *priv, struct vb_call *call, vb_uuid_t uuid, const char *xml, unsigned int flags,
                        struct vb_object_ref *ref)
{
    struct qemu_pool *pool;
    struct vb_vol_def *vol;
    const char *args[7];
    char size[32];

    /* VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA and REFLINK are not served. */
    VB_CHECK_FLAGS(flags, VB_VOL_CREATE_VALIDATE, &call->err);
    pool = active_pool(priv, uuid, &call->err);
    vol = pool ? new_vol(pool, xml, &call->err) : NULL;
    if (!vol)
        return -1;
    create_args(vol, size, args);
    return create_with(priv, pool, vol, &(struct qemu_vol_build_spec){ .created = true, .steps = { args } }, call,
                       ref);
}

/* qemu-img convert from the source's format to the new volume's, then grown to the capacity
 * asked for when that is larger (libvirt's storageBackendCreateQemuImg for a clone). */
int qemu_vol_create_xml_from(void *priv, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                             const char *clone_key, unsigned int flags, struct vb_object_ref *ref)
{
    struct qemu_pool *pool, *from_pool = NULL;
    struct vb_vol_def *from, *vol;
    char size[32];

    VB_CHECK_FLAGS(flags, VB_VOL_CREATE_VALIDATE, &call->err);
    from = find_by_key(priv, clone_key, &from_pool, &call->err);
    /* A source still being built has no content yet (libvirt's check and words). */
    if (from && qemu_vol_is_building(from_pool, from))
        return vb_error_set(&call->err, VB_ERR_OPERATION_INVALID, "volume '%s' is still being allocated.",
                            from->name);
    pool = from ? active_pool(priv, uuid, &call->err) : NULL;
    vol = pool ? new_vol(pool, xml, &call->err) : NULL;
    if (!vol)
        return -1;
    snprintf(size, sizeof(size), "%" PRIu64, vol->capacity);
    {
        const char *convert[] = { "convert", "-q", "-f", from->format, "-O", vol->format, "-U", from->path,
                                  vol->path, NULL };
        const char *resize[] = { "resize", "-q", "-f", vol->format, vol->path, size, NULL };
        struct qemu_vol_build_spec spec = { .created = true, .source_key = from->key,
                                            .steps = { convert, vol->capacity > from->capacity ? resize : NULL } };

        return create_with(priv, pool, vol, &spec, call, ref);
    }
}

/* --- the other volume calls ------------------------------------------------------------------ */

int qemu_vol_delete(void *priv, struct vb_call *call, const char *key, unsigned int flags)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol;

    VB_CHECK_FLAGS(flags, 0, &call->err); /* VIR_STORAGE_VOL_DELETE_ZEROED and the rest are not served */
    vol = find_by_key(priv, key, &pool, &call->err);
    if (!vol || qemu_pool_check_not_scanning(pool, &call->err) < 0 ||
        qemu_vol_check_idle(priv, pool, vol, &call->err) < 0)
        return -1;
    if (unlink(vol->path) < 0 && errno != ENOENT)
        return vb_error_set_errno(&call->err, errno, "cannot unlink file '%s'", vol->path);
    qemu_pool_drop_vol(pool, vol);
    qemu_pool_update_sizes_quietly(pool);
    return 0;
}

/* The volume, its format and sizes read again from the file (libvirt refreshes a volume
 * before it answers about it); one being built answers with what its build will make. */
static struct vb_vol_def *find_fresh(struct qemu_conn *conn, const char *key, struct qemu_pool **pool,
                                     struct vb_error *err)
{
    struct vb_vol_def *vol = find_by_key(conn, key, pool, err);

    if (vol && qemu_vol_is_building(*pool, vol))
        return vol;
    return vol && read_back(vol, err) == 0 ? vol : NULL;
}

/* The volume for a change (Resize, Wipe): fresh, no scan in its pool, not being built nor
 * read by a clone. */
static struct vb_vol_def *find_for_change(struct qemu_conn *conn, const char *key, struct qemu_pool **pool,
                                          struct vb_error *err)
{
    struct vb_vol_def *vol = find_by_key(conn, key, pool, err);

    if (!vol || qemu_pool_check_not_scanning(*pool, err) < 0 || qemu_vol_check_idle(conn, *pool, vol, err) < 0)
        return NULL;
    return read_back(vol, err) == 0 ? vol : NULL;
}

int qemu_vol_get_info(void *priv, struct vb_call *call, const char *key, struct vb_vol_info *info)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol = find_fresh(priv, key, &pool, &call->err);

    if (!vol)
        return -1;
    *info = (struct vb_vol_info){ .type = 0, .capacity = vol->capacity, .allocation = vol->allocation };
    return 0;
}

int qemu_vol_get_xml_desc(void *priv, struct vb_call *call, const char *key, unsigned int flags, char **xml)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    vol = find_fresh(priv, key, &pool, &call->err);
    if (!vol || !(*xml = vb_vol_def_format(vol, "file", &call->err)))
        return -1;
    return 0;
}

/* libvirt's storageVolResize checks, then qemu-img resize. */
static int new_capacity(const struct vb_vol_def *vol, uint64_t capacity, unsigned int flags, uint64_t *out,
                        struct vb_error *err)
{
    if (!(flags & VB_VOL_RESIZE_DELTA))
        *out = capacity;
    else if (flags & VB_VOL_RESIZE_SHRINK) {
        if (capacity > vol->capacity)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "can't shrink capacity below size zero");
        *out = vol->capacity - capacity;
    } else
        *out = vol->capacity + capacity;
    if (*out < vol->allocation && streq(vol->format, "raw") && !(flags & VB_VOL_RESIZE_SHRINK))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "can't shrink capacity below existing allocation");
    if (*out < vol->capacity && !(flags & VB_VOL_RESIZE_SHRINK))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "Can't shrink capacity below current capacity unless shrink flag explicitly specified");
    return 0;
}

int qemu_vol_resize(void *priv, struct vb_call *call, const char *key, uint64_t capacity, unsigned int flags)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol;
    const char *args[8] = { "resize", "-q", "-f" };
    size_t n = 3;
    uint64_t target = 0;
    char size[32];

    /* VIR_STORAGE_VOL_RESIZE_ALLOCATE (preallocation) is not served. */
    VB_CHECK_FLAGS(flags, VB_VOL_RESIZE_DELTA | VB_VOL_RESIZE_SHRINK, &call->err);
    vol = find_for_change(priv, key, &pool, &call->err);
    if (!vol || new_capacity(vol, capacity, flags, &target, &call->err) < 0)
        return -1;
    snprintf(size, sizeof(size), "%" PRIu64, target);
    args[n++] = vol->format;
    if (target < vol->capacity)
        args[n++] = "--shrink";
    args[n++] = vol->path;
    args[n++] = size;
    return qemu_vol_build_start(priv, pool, vol, &(struct qemu_vol_build_spec){ .steps = { args } }, call, NULL);
}

/* Zeros: a raw file is emptied and extended again (reads as zeros, sparse, same size); any
 * other format is created anew, empty, at the same capacity, so the guest sees zeros and the
 * format stays. */
int qemu_vol_wipe(void *priv, struct vb_call *call, const char *key, unsigned int pattern, unsigned int flags)
{
    struct qemu_pool *pool = NULL;
    struct vb_vol_def *vol;
    int fd;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (pattern != 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "wiping algorithm %u not supported", pattern);
    vol = find_for_change(priv, key, &pool, &call->err);
    if (!vol)
        return -1;
    if (!streq(vol->format, "raw")) {
        const char *args[7];
        char size[32];

        create_args(vol, size, args);
        return qemu_vol_build_start(priv, pool, vol, &(struct qemu_vol_build_spec){ .steps = { args } }, call, NULL);
    }
    fd = open(vol->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return vb_error_set_errno(&call->err, errno, "cannot open volume '%s'", vol->path);
    if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t) vol->capacity) < 0 || fsync(fd) < 0) {
        vb_error_set_errno(&call->err, errno, "cannot wipe volume '%s'", vol->path);
        close(fd);
        return -1;
    }
    close(fd);
    return qemu_vol_build_start(priv, pool, vol, &(struct qemu_vol_build_spec){ 0 }, call, NULL);
}
