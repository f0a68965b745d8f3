/* The QEMU connection's storage pools: the list, libvirt's duplicate rules, persistence under
 * CONFIG/storage and the run storage directory, events, and the default pool defined at first open. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_storage.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "drivers/storage_pool_rules.h"
#include "events/event.h"
#include "util/file.h"
#include "util/log.h"

#define POOL_XML_MAX (1024 * 1024)

static ssize_t index_by_uuid(struct qemu_storage *st, const unsigned char *uuid)
{
    for (size_t i = 0; i < st->n_pools; i++)
        if (memcmp(st->pools[i]->def->uuid, uuid, VB_UUID_LEN) == 0)
            return (ssize_t) i;
    return -1;
}

struct qemu_pool *qemu_pool_find_by_name(struct qemu_conn *conn, const char *name)
{
    for (size_t i = 0; i < conn->storage->n_pools; i++)
        if (streq(conn->storage->pools[i]->def->name, name))
            return conn->storage->pools[i];
    return NULL;
}

struct qemu_pool *qemu_pool_find(struct qemu_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    ssize_t i = index_by_uuid(conn->storage, uuid);
    char text[VB_UUID_STRING_LEN];

    if (i >= 0)
        return conn->storage->pools[i];
    vb_uuid_format(uuid, text);
    vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching uuid '%s'", text);
    return NULL;
}

struct qemu_pool *qemu_pool_find_in_state(struct qemu_conn *conn, vb_uuid_t uuid, bool active, struct vb_error *err)
{
    struct qemu_pool *pool = qemu_pool_find(conn, uuid, err);

    if (pool && (qemu_pool_check_not_scanning(pool, err) < 0 ||
                 vb_pool_check_state(pool->def, pool->active, active, err) < 0))
        return NULL;
    return pool;
}

void qemu_pool_clear_vols(struct qemu_pool *pool)
{
    for (size_t i = 0; i < pool->n_vols; i++)
        vb_vol_def_free(pool->vols[i]);
    free(pool->vols);
    pool->vols = NULL;
    pool->n_vols = pool->vols_allocated = 0;
}

static void pool_free(struct qemu_pool *pool)
{
    if (!pool)
        return;
    qemu_pool_clear_vols(pool);
    vb_pool_def_free(pool->def);
    free(pool);
}

void qemu_pool_remove(struct qemu_conn *conn, struct qemu_pool *pool)
{
    struct qemu_storage *st = conn->storage;
    ssize_t i = index_by_uuid(st, pool->def->uuid);

    if (i >= 0) {
        memmove(&st->pools[i], &st->pools[i + 1], (st->n_pools - (size_t) i - 1) * sizeof(*st->pools));
        st->n_pools--;
    }
    pool_free(pool);
}

void qemu_pool_emit(struct qemu_conn *conn, const struct qemu_pool *pool, int id, int event)
{
    if (conn->events)
        vb_event_emit_object(conn->events, "qemu", conn->uri, VB_OBJECT_STORAGE_POOL, pool->def->uuid,
                             pool->def->name, id, event, 0);
}

int qemu_pool_fill_ref(const struct qemu_pool *pool, struct vb_object_ref *ref, struct vb_error *err)
{
    *ref = (struct vb_object_ref){ .name = strdup(pool->def->name), .path = strdup(pool->def->target_path),
                                   .active = pool->active, .persistent = pool->persistent,
                                   .autostart = pool->persistent && pool->autostart,
                                   .capacity = pool->def->capacity, .allocation = pool->def->allocation,
                                   .available = pool->def->available };
    memcpy(ref->uuid, pool->def->uuid, VB_UUID_LEN);
    if (!ref->name || !ref->path) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* --- adding definitions (libvirt's virStoragePoolObjListAdd rules) ---------------------- */

/* Only directory pools are served: the other types need backends virtbus does not have. */
static int check_type(const struct vb_pool_def *def, struct vb_error *err)
{
    if (!streq(def->type, "dir"))
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "missing backend for pool type %s", def->type);
    if (def->target_path[0] != '/')
        return vb_error_set(err, VB_ERR_XML_ERROR, "storage pool target path '%s' must be absolute",
                            def->target_path);
    return 0;
}

static const struct vb_pool_def *pool_def_at(const void *pools, size_t i, bool *active)
{
    const struct qemu_pool *pool = ((struct qemu_pool *const *) pools)[i];

    *active = pool->active;
    return pool->def;
}

static int grow_pools(struct qemu_storage *st, struct vb_error *err)
{
    size_t grown_size = st->pools_allocated ? st->pools_allocated * 2 : 8;
    struct qemu_pool **grown;

    if (st->n_pools < st->pools_allocated)
        return 0;
    if (!(grown = reallocarray(st->pools, grown_size, sizeof(*grown))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    st->pools = grown;
    st->pools_allocated = grown_size;
    return 0;
}

/* The pool def replaces, a new one, or NULL (err set). */
static struct qemu_pool *assign_def(struct qemu_conn *conn, struct vb_pool_def *def, bool live, bool check_roots,
                                     struct vb_error *err)
{
    struct qemu_storage *st = conn->storage;
    struct vb_pool_list_view list = { .pools = st->pools, .n = st->n_pools, .def_at = pool_def_at };
    ssize_t i;
    struct qemu_pool *pool;

    if (check_type(def, err) < 0 || (check_roots && qemu_storage_check_target(st, def->target_path, err) < 0) ||
        (i = vb_pool_find_duplicate(&list, def, live, err)) == -2)
        return NULL;
    if (i >= 0) {
        pool = st->pools[i];
        /* libvirt keeps a new definition for the next start; virtbus refuses instead. */
        if (qemu_pool_check_idle(pool, err) < 0 || vb_pool_check_state(pool->def, pool->active, false, err) < 0)
            return NULL;
        return pool;
    }
    if (grow_pools(st, err) < 0)
        return NULL;
    pool = calloc(1, sizeof(*pool));
    if (!pool)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    st->pools[st->n_pools++] = pool;
    return pool;
}

struct qemu_pool *qemu_pool_add_xml(struct qemu_conn *conn, const char *xml, bool live, bool check_roots,
                                    struct vb_error *err)
{
    struct vb_pool_def *def = vb_pool_def_parse_string(xml, err);
    struct qemu_pool *pool;

    if (!def)
        return NULL;
    pool = assign_def(conn, def, live, check_roots, err);
    if (!pool) {
        vb_pool_def_free(def);
        return NULL;
    }
    vb_pool_def_free(pool->def);
    pool->def = def;
    pool->persistent = pool->persistent || !live;
    return pool;
}

/* --- files ------------------------------------------------------------------------------- */

static char *uuid_path(const char *dir, const unsigned char *uuid, const char *suffix)
{
    char text[VB_UUID_STRING_LEN];
    char *path;

    vb_uuid_format(uuid, text);
    return asprintf(&path, "%s/%s%s", dir, text, suffix) < 0 ? NULL : path;
}

static int write_def(const char *dir, const struct qemu_pool *pool, struct vb_error *err)
{
    _cleanup_free_ char *path = uuid_path(dir, pool->def->uuid, ".xml");
    _cleanup_free_ char *xml = vb_pool_def_format(pool->def, err);

    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return xml ? vb_file_write_atomic(path, xml, strlen(xml), 0600, err) : -1;
}

static int remove_file(const char *dir, const struct qemu_pool *pool, const char *suffix, struct vb_error *err)
{
    _cleanup_free_ char *path = uuid_path(dir, pool->def->uuid, suffix);

    return path ? vb_file_remove_durable(path, err) : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

int qemu_pool_save_config(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err)
{
    return write_def(conn->storage->config_dir, pool, err);
}

int qemu_pool_remove_config(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err)
{
    if (remove_file(conn->storage->autostart_dir, pool, "", err) < 0)
        return -1;
    return remove_file(conn->storage->config_dir, pool, ".xml", err);
}

int qemu_pool_save_autostart(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err)
{
    _cleanup_free_ char *path = uuid_path(conn->storage->autostart_dir, pool->def->uuid, "");

    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!pool->autostart)
        return vb_file_remove_durable(path, err);
    return vb_file_write_atomic(path, "", 0, 0600, err);
}

int qemu_pool_save_state(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err)
{
    if (pool->active)
        return write_def(conn->storage->run_dir, pool, err);
    return remove_file(conn->storage->run_dir, pool, ".xml", err);
}

int qemu_pool_mark_active(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_error *err)
{
    pool->active = true;
    if (qemu_pool_save_state(conn, pool, err) < 0) {
        pool->active = false;
        qemu_pool_clear_vols(pool);
        return -1;
    }
    return 0;
}

/* --- loading at open --------------------------------------------------------------------- */

static bool file_exists(const char *dir, const unsigned char *uuid, const char *suffix)
{
    _cleanup_free_ char *path = uuid_path(dir, uuid, suffix);

    return path && access(path, F_OK) == 0;
}

/* Adds every <uuid>.xml of dir; bad files are logged and skipped, as libvirt's loader. */
static void load_dir(struct qemu_conn *conn, const char *dir, bool live)
{
    DIR *d = opendir(dir);
    struct dirent *entry;

    while (d && (entry = readdir(d))) {
        size_t len = strlen(entry->d_name);
        struct vb_error err = VB_ERROR_INIT;
        _cleanup_free_ char *path = NULL, *xml = NULL;
        struct qemu_pool *pool;

        if (len < 5 || !streq(entry->d_name + len - 4, ".xml") || entry->d_name[0] == '.' ||
            asprintf(&path, "%s/%s", dir, entry->d_name) < 0)
            continue;
        xml = vb_file_read_all(path, POOL_XML_MAX, NULL, &err);
        /* Not checked against the roots: a pool outside them stays listed and is refused at start. */
        pool = xml ? qemu_pool_add_xml(conn, xml, live, false, &err) : NULL;
        if (!pool)
            vb_log_warning("skipping storage pool file %s: %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        if (pool && !live)
            pool->autostart = file_exists(conn->storage->autostart_dir, pool->def->uuid, "");
    }
    if (d)
        closedir(d);
}

/* Pools that ran when the daemon stopped run again (their directory scanned anew). */
static void restart_active(struct qemu_conn *conn)
{
    for (size_t i = 0; i < conn->storage->n_pools; i++) {
        struct qemu_pool *pool = conn->storage->pools[i];
        struct vb_error err = VB_ERROR_INIT;

        if (!file_exists(conn->storage->run_dir, pool->def->uuid, ".xml") && !pool->autostart)
            continue;
        /* Synchronous: the daemon is starting, and the pools must be there before clients ask. */
        if (qemu_storage_check_target(conn->storage, pool->def->target_path, &err) < 0 ||
            qemu_pool_scan(pool, &err) < 0 || qemu_pool_mark_active(conn, pool, &err) < 0) {
            vb_log_warning("storage pool '%s' not started: %s", pool->def->name, vb_error_message(&err));
            vb_error_clear(&err);
        }
    }
}

/* --- the default pool -------------------------------------------------------------------- */

/* name beside dir (in dir's parent), or NULL. */
static char *beside(const char *dir, const char *name)
{
    const char *slash = strrchr(dir, '/');
    char *path;

    if (!slash || slash == dir)
        return NULL;
    return asprintf(&path, "%.*s/%s", (int) (slash - dir), dir, name) < 0 ? NULL : path;
}

/* Beside the driver's state directory: $XDG_DATA_HOME/virtbus/images (session),
 * /var/lib/virtbus/images (system), ROOT/lib/images (--qemu-root). */
static char *default_pool_path(const struct qemu_conn *conn)
{
    return beside(conn->dirs.state, "images");
}

static int define_default(struct qemu_conn *conn, struct vb_error *err)
{
    _cleanup_free_ char *path = default_pool_path(conn), *xml = NULL;
    struct qemu_pool *pool;

    if (!path)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "no default pool directory under '%s'", conn->dirs.state);
    if (asprintf(&xml, "<pool type='dir'>\n  <name>default</name>\n  <target>\n    <path>%s</path>\n"
                       "    <permissions>\n      <mode>%s</mode>\n    </permissions>\n  </target>\n</pool>\n",
                 path, conn->dirs.privileged ? "0711" : "0700") < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!(pool = qemu_pool_add_xml(conn, xml, false, false, err)))
        return -1;
    pool->autostart = true;
    if (qemu_pool_save_config(conn, pool, err) < 0 || qemu_pool_save_autostart(conn, pool, err) < 0) {
        qemu_pool_remove(conn, pool);
        return -1;
    }
    qemu_pool_emit(conn, pool, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_POOL_EVENT_DEFINED);
    /* Built now; a failure leaves it defined and inactive, as a pool whose directory went. */
    if (qemu_pool_build_dir(pool, err) < 0)
        return -1;
    return 0;
}

/* Defined once: the marker keeps an undefined default from coming back. */
static void seed_default(struct qemu_conn *conn)
{
    _cleanup_free_ char *marker = NULL;
    struct vb_error err = VB_ERROR_INIT;

    if (asprintf(&marker, "%s/.default-seeded", conn->storage->config_dir) < 0 || access(marker, F_OK) == 0)
        return;
    if (!qemu_pool_find_by_name(conn, "default") && define_default(conn, &err) < 0) {
        vb_log_warning("default storage pool: %s", vb_error_message(&err));
        vb_error_clear(&err);
    }
    if (vb_file_write_atomic(marker, "", 0, 0600, &err) < 0) {
        vb_log_warning("default storage pool: %s", vb_error_message(&err));
        vb_error_clear(&err);
    }
}

int qemu_storage_open(struct qemu_conn *conn, const struct vb_driver_env *env, struct vb_error *err)
{
    struct qemu_storage *st = calloc(1, sizeof(*st));
    _cleanup_free_ char *default_pool = default_pool_path(conn);
    unsigned int mode = conn->dirs.privileged ? 0755 : 0700;

    if (!st)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    conn->storage = st;
    if (asprintf(&st->config_dir, "%s/storage", conn->dirs.config) < 0 ||
        asprintf(&st->autostart_dir, "%s/storage/autostart", conn->dirs.config) < 0 ||
        !(st->run_dir = beside(conn->dirs.runtime, "storage")))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (vb_mkdir_parents(st->autostart_dir, mode, err) < 0 || vb_mkdir_parents(st->run_dir, mode, err) < 0 ||
        qemu_storage_set_roots(conn, env, default_pool, err) < 0)
        return -1;
    load_dir(conn, st->config_dir, false);
    load_dir(conn, st->run_dir, true); /* transient pools; the persistent ones are there already */
    seed_default(conn);
    restart_active(conn);
    return 0;
}

void qemu_storage_close(struct qemu_conn *conn)
{
    struct qemu_storage *st = conn->storage;

    if (!st)
        return;
    for (size_t i = 0; i < st->n_pools; i++) {
        qemu_pool_scan_abort(st->pools[i]);
        qemu_pool_builds_abort(st->pools[i]);
    }
    for (size_t i = 0; i < st->n_pools; i++)
        pool_free(st->pools[i]);
    free(st->pools);
    free(st->config_dir);
    free(st->autostart_dir);
    free(st->run_dir);
    qemu_names_free(st->roots, st->n_roots);
    free(st);
    conn->storage = NULL;
}
