/* The QEMU connection's storage table: lists, lookups and the pool operations of directory
 * pools (define, build, start, refresh, destroy, delete, undefine, autostart). Volumes are in
 * qemu_storage_vol.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/object_xml.h"
#include "conf/xml_util.h"
#include "drivers/call.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "events/event.h"
#include "util/file.h"

/* libvirt's VIR_STORAGE_DEFAULT_POOL_PERM_MODE */
#define DEFAULT_POOL_MODE 0711

static void emit_lifecycle(struct qemu_conn *conn, const struct qemu_pool *pool, int event)
{
    qemu_pool_emit(conn, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, event);
}

/* --- registry ---------------------------------------------------------------------------- */

static int qemu_list_pools(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err)
{
    struct qemu_conn *conn = priv;
    size_t allocated = 0;

    /* libvirt's VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE> bits from 1 << 6 (dir) on: every pool
     * here is a directory. */
    VB_CHECK_FLAGS(flags, VB_LIST_OBJ_FILTERS | (0x3fffu << 6), err);
    for (size_t i = 0; i < conn->storage->n_pools; i++) {
        struct vb_object_ref ref;

        if (qemu_pool_fill_ref(conn->storage->pools[i], &ref, err) < 0)
            return -1;
        if (((flags >> 6) && !(flags & (1u << 6))) || !vb_object_ref_matches(&ref, flags))
            vb_object_ref_clear(&ref);
        else if (vb_object_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

static int qemu_pool_lookup_by_uuid(void *priv, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err)
{
    struct qemu_pool *pool = qemu_pool_find(priv, uuid, err);

    return pool ? qemu_pool_fill_ref(pool, ref, err) : -1;
}

static int qemu_pool_lookup_by_name(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err)
{
    struct qemu_pool *pool = qemu_pool_find_by_name(priv, name);

    if (!pool)
        return vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", name);
    return qemu_pool_fill_ref(pool, ref, err);
}

/* --- define and create -------------------------------------------------------------------- */

static int qemu_pool_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                struct vb_object_ref *ref)
{
    struct qemu_conn *conn = priv;
    size_t n_before = conn->storage->n_pools;
    struct qemu_pool *pool;

    VB_CHECK_FLAGS(flags, VB_POOL_DEFINE_VALIDATE, &call->err);
    pool = qemu_pool_add_xml(conn, xml, false, true, &call->err);
    if (!pool)
        return -1;
    if (qemu_pool_save_config(conn, pool, &call->err) < 0) {
        if (conn->storage->n_pools > n_before)
            qemu_pool_remove(conn, pool);
        return -1;
    }
    emit_lifecycle(conn, pool, VB_POOL_EVENT_DEFINED);
    return qemu_pool_fill_ref(pool, ref, &call->err);
}

/* The end of a start (Create, CreateXML): the directory was read. A transient pool that did
 * not start is gone. ref (CreateXML's answer) may be NULL. */
static void on_started(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_call *call, int r, void *userdata)
{
    struct vb_object_ref *ref = userdata;

    if (r == 0 && qemu_pool_mark_active(conn, pool, &call->err) < 0)
        r = -1;
    if (r == 0) {
        emit_lifecycle(conn, pool, VB_POOL_EVENT_STARTED);
        if (ref)
            r = qemu_pool_fill_ref(pool, ref, &call->err);
    } else if (!pool->persistent)
        qemu_pool_remove(conn, pool);
    vb_call_complete(call, r);
}

static int qemu_pool_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                struct vb_object_ref *ref)
{
    struct qemu_conn *conn = priv;
    struct qemu_pool *pool;

    /* VIR_STORAGE_POOL_CREATE_WITH_BUILD* are not served. */
    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = qemu_pool_add_xml(conn, xml, true, true, &call->err);
    if (!pool)
        return -1;
    if (qemu_pool_scan_start(conn, pool, call, on_started, ref, &call->err) < 0) {
        if (!pool->persistent)
            qemu_pool_remove(conn, pool);
        return -1;
    }
    return VB_PENDING;
}

/* --- build and delete --------------------------------------------------------------------- */

/* <target><permissions><mode|owner|group>: the mode (octal, (mode_t) -1 when absent) and
 * the owner and group (-1: keep). */
static int read_permissions(const struct qemu_pool *pool, mode_t *mode, long *uid, long *gid, struct vb_error *err)
{
    xmlNodePtr root = pool->def->doc ? xmlDocGetRootElement(pool->def->doc) : NULL;
    xmlNodePtr perms = vb_xml_child(vb_xml_child(root, "target"), "permissions");
    _cleanup_free_ char *mode_text = vb_object_xml_child_text(perms, "mode");
    _cleanup_free_ char *owner = vb_object_xml_child_text(perms, "owner");
    _cleanup_free_ char *group = vb_object_xml_child_text(perms, "group");
    char *end;

    *mode = (mode_t) -1;
    *uid = *gid = -1;
    if (mode_text) {
        unsigned long value = strtoul(mode_text, &end, 8);

        if (*end || end == mode_text || value > 0777)
            return vb_error_set(err, VB_ERR_XML_ERROR, "malformed octal mode");
        *mode = (mode_t) value;
    }
    if (owner && (*uid = strtol(owner, &end, 10), *end || *uid < -1))
        return vb_error_set(err, VB_ERR_XML_ERROR, "malformed owner element");
    if (group && (*gid = strtol(group, &end, 10), *end || *gid < -1))
        return vb_error_set(err, VB_ERR_XML_ERROR, "malformed group element");
    return 0;
}

/* The directories above path, 0755, as needed. */
static int make_parents(const char *path, struct vb_error *err)
{
    const char *slash = strrchr(path, '/');
    _cleanup_free_ char *parent = NULL;

    if (!slash || slash == path)
        return 0;
    if (!(parent = strndup(path, (size_t) (slash - path))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_mkdir_parents(parent, 0755, err);
}

/* libvirt's virStorageBackendBuildLocal for a dir pool: the parents as needed, then the
 * directory with the pool's mode (DEFAULT_POOL_MODE when none is given) and owner. An existing
 * directory changes only in what the definition says explicitly, as libvirt: a pool defined on
 * a directory that is there already (/srv, a home) keeps its mode. */
int qemu_pool_build_dir(const struct qemu_pool *pool, struct vb_error *err)
{
    const char *path = pool->def->target_path;
    struct stat st;
    bool created;
    long uid, gid;
    mode_t mode;

    if (read_permissions(pool, &mode, &uid, &gid, err) < 0 || make_parents(path, err) < 0)
        return -1;
    created = mkdir(path, mode == (mode_t) -1 ? DEFAULT_POOL_MODE : mode) == 0;
    if (!created && errno != EEXIST)
        return vb_error_set_errno(err, errno, "cannot create path '%s'", path);
    if (!created && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
        return vb_error_set_errno(err, ENOTDIR, "cannot create path '%s'", path);
    if (created && mode == (mode_t) -1)
        mode = DEFAULT_POOL_MODE; /* ours: set exactly, whatever the umask took */
    if (mode != (mode_t) -1 && chmod(path, mode) < 0)
        return vb_error_set_errno(err, errno, "cannot set mode of '%s' to %04o", path, (unsigned int) mode);
    if ((uid != -1 || gid != -1) && chown(path, (uid_t) uid, (gid_t) gid) < 0)
        return vb_error_set_errno(err, errno, "cannot chown '%s' to (%ld, %ld)", path, uid, gid);
    return 0;
}

static int qemu_pool_build(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    struct qemu_pool *pool;

    /* NO_OVERWRITE and OVERWRITE mean nothing for a directory (libvirt accepts them). */
    VB_CHECK_FLAGS(flags, VB_POOL_BUILD_NO_OVERWRITE | VB_POOL_BUILD_OVERWRITE, &call->err);
    pool = qemu_pool_find_in_state(priv, uuid, false, &call->err);
    if (!pool || qemu_storage_check_target(((struct qemu_conn *) priv)->storage, pool->def->target_path,
                                           &call->err) < 0 ||
        qemu_pool_build_dir(pool, &call->err) < 0)
        return -1;
    emit_lifecycle(priv, pool, VB_POOL_EVENT_CREATED);
    return 0;
}

/* libvirt's dir pool delete: rmdir, so only an empty directory goes. */
static int qemu_pool_delete(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    struct qemu_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err); /* VIR_STORAGE_POOL_DELETE_ZEROED is not served */
    pool = qemu_pool_find_in_state(priv, uuid, false, &call->err);
    if (!pool)
        return -1;
    if (rmdir(pool->def->target_path) < 0 && errno != ENOENT)
        return vb_error_set_errno(&call->err, errno, "failed to remove pool '%s'", pool->def->target_path);
    emit_lifecycle(priv, pool, VB_POOL_EVENT_DELETED);
    return 0;
}

/* --- start, stop, undefine ------------------------------------------------------------------ */

static int qemu_pool_create(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    struct qemu_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = qemu_pool_find_in_state(priv, uuid, false, &call->err);
    if (!pool || qemu_storage_check_target(((struct qemu_conn *) priv)->storage, pool->def->target_path,
                                           &call->err) < 0 ||
        qemu_pool_scan_start(priv, pool, call, on_started, NULL, &call->err) < 0)
        return -1;
    return VB_PENDING;
}

static int qemu_pool_destroy(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct qemu_conn *conn = priv;
    struct qemu_pool *pool = qemu_pool_find_in_state(conn, uuid, true, &call->err);

    if (!pool || qemu_pool_check_idle(pool, &call->err) < 0)
        return -1;
    pool->active = false;
    if (qemu_pool_save_state(conn, pool, &call->err) < 0) {
        pool->active = true;
        return -1;
    }
    qemu_pool_clear_vols(pool);
    emit_lifecycle(conn, pool, VB_POOL_EVENT_STOPPED);
    if (!pool->persistent)
        qemu_pool_remove(conn, pool);
    return 0;
}

static int qemu_pool_undefine(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct qemu_conn *conn = priv;
    struct qemu_pool *pool = qemu_pool_find_in_state(conn, uuid, false, &call->err);

    if (!pool || qemu_pool_remove_config(conn, pool, &call->err) < 0)
        return -1;
    emit_lifecycle(conn, pool, VB_POOL_EVENT_UNDEFINED);
    qemu_pool_remove(conn, pool);
    return 0;
}

static void on_refreshed(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_call *call, int r,
                         void *userdata)
{
    if (r == 0)
        qemu_pool_emit(conn, pool, VB_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    vb_call_complete(call, r);
}

static int qemu_pool_refresh(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    struct qemu_pool *pool;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    pool = qemu_pool_find_in_state(priv, uuid, true, &call->err);
    if (!pool || qemu_pool_scan_start(priv, pool, call, on_refreshed, NULL, &call->err) < 0)
        return -1;
    return VB_PENDING;
}

/* --- info, XML, autostart -------------------------------------------------------------------- */

static int qemu_pool_get_info(void *priv, struct vb_call *call, vb_uuid_t uuid, struct vb_pool_info *info)
{
    struct qemu_pool *pool = qemu_pool_find(priv, uuid, &call->err);

    if (!pool)
        return -1;
    *info = (struct vb_pool_info){ .state = pool->active ? VB_POOL_STATE_RUNNING : VB_POOL_STATE_INACTIVE };
    if (pool->active) {
        info->capacity = pool->def->capacity;
        info->allocation = pool->def->allocation;
        info->available = pool->def->available;
    }
    return 0;
}

static int qemu_pool_get_xml_desc(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char **xml)
{
    struct qemu_pool *pool;

    VB_CHECK_FLAGS(flags, 1, &call->err); /* VIR_STORAGE_XML_INACTIVE: one definition here */
    pool = qemu_pool_find(priv, uuid, &call->err);
    if (!pool || !(*xml = vb_pool_def_format(pool->def, &call->err)))
        return -1;
    return 0;
}

static int qemu_pool_set_autostart(void *priv, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    struct qemu_pool *pool = qemu_pool_find(priv, uuid, &call->err);

    if (!pool)
        return -1;
    if (!pool->persistent)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "cannot set autostart for transient pool");
    if (pool->autostart == autostart)
        return 0;
    pool->autostart = autostart;
    if (qemu_pool_save_autostart(priv, pool, &call->err) < 0) {
        pool->autostart = !autostart;
        return -1;
    }
    qemu_pool_emit(priv, pool, VB_EVENT_ID_CHANGED, 0);
    return 0;
}

const struct vb_storage_driver qemu_storage_driver = {
    .list_pools = qemu_list_pools,
    .pool_lookup_by_uuid = qemu_pool_lookup_by_uuid,
    .pool_lookup_by_name = qemu_pool_lookup_by_name,
    .list_volumes = qemu_list_volumes,
    .vol_lookup_by_key = qemu_vol_lookup_by_key,
    .vol_lookup_by_path = qemu_vol_lookup_by_key, /* a file's key is its path */
    .vol_lookup_by_name = qemu_vol_lookup_by_name,
    .pool_define_xml = qemu_pool_define_xml,
    .pool_create_xml = qemu_pool_create_xml,
    .pool_build = qemu_pool_build,
    .pool_create = qemu_pool_create,
    .pool_destroy = qemu_pool_destroy,
    .pool_delete = qemu_pool_delete,
    .pool_undefine = qemu_pool_undefine,
    .pool_refresh = qemu_pool_refresh,
    .pool_get_info = qemu_pool_get_info,
    .pool_get_xml_desc = qemu_pool_get_xml_desc,
    .pool_set_autostart = qemu_pool_set_autostart,
    .vol_create_xml = qemu_vol_create_xml,
    .vol_create_xml_from = qemu_vol_create_xml_from,
    .vol_delete = qemu_vol_delete,
    .vol_get_info = qemu_vol_get_info,
    .vol_get_xml_desc = qemu_vol_get_xml_desc,
    .vol_resize = qemu_vol_resize,
    .vol_wipe = qemu_vol_wipe,
};
