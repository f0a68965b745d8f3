/* The QEMU connection's directory storage pools, shared by its files: pools and their
 * persistence (qemu_storage.c), the pool operations (qemu_storage_pool.c), volumes
 * (qemu_storage_vol.c), qemu-img and the directory scan (qemu_storage_img.c), the scan and
 * volume builds on the loop (qemu_storage_scan.c, qemu_storage_build.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "conf/storage_def.h"
#include "drivers/driver_storage.h"
#include "drivers/qemu/qemu_driver_private.h"

struct qemu_pool {
    struct vb_pool_def *def;
    bool active, persistent, autostart;
    struct vb_vol_def **vols; /* the files of the directory at the last refresh, and those created since */
    size_t n_vols, vols_allocated;
    struct qemu_scan *scan;   /* a start or refresh reading the directory, NULL when idle */
    struct qemu_vol_build *builds; /* volumes being built (qemu_storage_build.c), libvirt's asyncjobs */
};

/* Layout: CONFIG/storage/<uuid>.xml (persistent definitions), CONFIG/storage/autostart/<uuid>
 * (autostart markers), CONFIG/storage/.default-seeded (the default pool was defined once: an
 * undefined default stays undefined), RUN/../storage/<uuid>.xml beside the qemu run directory,
 * as libvirt's /run/libvirt/storage (the definition of each active pool, so a daemon restart
 * knows which pools run, transient ones included). */
struct qemu_storage {
    struct qemu_pool **pools;
    size_t n_pools, pools_allocated;
    char *config_dir, *autostart_dir, *run_dir;
    char **roots; /* resolved: where dir pool targets may lie (qemu_storage_roots.c) */
    size_t n_roots;
};

/* qemu_storage.c: the pool list, persistence and events */
struct qemu_pool *qemu_pool_find(struct qemu_conn *conn, vb_uuid_t uuid, struct vb_error *err);
struct qemu_pool *qemu_pool_find_by_name(struct qemu_conn *conn, const char *name);
/* The pool, checked to be (in)active: "storage pool 'X' is not active" / "is active". */
struct qemu_pool *qemu_pool_find_in_state(struct qemu_conn *conn, vb_uuid_t uuid, bool active, struct vb_error *err);
/* Parses xml and adds the pool (or replaces an inactive pool's definition), with libvirt's
 * duplicate checks and, when check_roots, the storage roots; nothing changes on failure. live:
 * CreateXML (transient). */
struct qemu_pool *qemu_pool_add_xml(struct qemu_conn *conn, const char *xml, bool live, bool check_roots,
                                    struct vb_error *err);
void qemu_pool_remove(struct qemu_conn *conn, struct qemu_pool *pool);
void qemu_pool_clear_vols(struct qemu_pool *pool);
int qemu_pool_save_config(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err);
int qemu_pool_remove_config(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err);
int qemu_pool_save_autostart(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err);
/* the run storage directory/<uuid>.xml written (active) or removed. */
int qemu_pool_save_state(struct qemu_conn *conn, const struct qemu_pool *pool, struct vb_error *err);
void qemu_pool_emit(struct qemu_conn *conn, const struct qemu_pool *pool, int id, int event);
int qemu_pool_fill_ref(const struct qemu_pool *pool, struct vb_object_ref *ref, struct vb_error *err);
/* Marks the pool active and records it in the run storage directory (after its directory was read). */
int qemu_pool_mark_active(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_error *err);

/* qemu_storage_roots.c: the connection's storage roots, set at open: env's storage_roots when
 * configured, else qemu:///system's /var/lib/virtbus/images and /var/lib/libvirt/images, or
 * qemu:///session's $HOME, $XDG_DATA_HOME, $TMPDIR and /tmp; default_pool (the default pool's
 * directory) always. */
struct vb_driver_env;
int qemu_storage_set_roots(struct qemu_conn *conn, const struct vb_driver_env *env, const char *default_pool,
                           struct vb_error *err);
/* "storage pool target path 'X' is outside the storage roots: A, B (...)" unless target,
 * resolved, lies under a root. */
int qemu_storage_check_target(const struct qemu_storage *st, const char *target, struct vb_error *err);
/* The absolute path with ".", ".." and repeated slashes taken out and the symbolic links of its
 * longest existing ancestor followed; NULL when out of memory. */
char *qemu_storage_resolve_path(const char *path);

/* qemu_storage_pool.c */
int qemu_pool_build_dir(const struct qemu_pool *pool, struct vb_error *err);
extern const struct vb_storage_driver qemu_storage_driver;

/* qemu_storage_img.c: qemu-img and the directory scan. Synchronous runs are short `info`s (see
 * README); a pool's scan and volume builds run asynchronously (qemu_storage_scan.c, _build.c). */
struct qemu_img_info {
    char *format;
    uint64_t capacity, allocation;
};
/* -U: an image a running qemu holds locked is read all the same, as libvirt does. */
#define QEMU_IMG_INFO_ARGS(path) { "info", "--output=json", "-U", (path), NULL }
int qemu_img_info(const char *path, struct qemu_img_info *info, struct vb_error *err);
int qemu_img_parse_info(const char *text, const char *path, struct qemu_img_info *info, struct vb_error *err);
/* Starts qemu-img (stdin and stderr /dev/null); its pid, *out_fd the read end of its stdout. */
int qemu_img_spawn(const char *const *args, int *out_fd, struct vb_error *err);
/* Starts qemu-img with stdout on out_fd and stderr on err_fd (stdin /dev/null); its pid. */
int qemu_img_spawn_to(const char *const *args, int out_fd, int err_fd, struct vb_error *err);
/* How a qemu-img run of args ended (status from waitpid): 0, or err with its last stderr line. */
int qemu_img_check_status(const char *const *args, int status, char *stderr_text, struct vb_error *err);
/* A volume named name of dir, taking info->format (freed on failure); NULL when out of memory. */
struct vb_vol_def *qemu_vol_from_info(const char *dir, const char *name, struct qemu_img_info *info);
/* Appends vol (not freed on failure: the caller still owns it). */
int qemu_vols_append(struct vb_vol_def ***vols, size_t *n, size_t *allocated, struct vb_vol_def *vol,
                     struct vb_error *err);
void qemu_vols_free(struct vb_vol_def **vols, size_t n);
void qemu_names_free(char **names, size_t n);
/* The names of the regular files of dir (symbolic links and directories skipped). */
int qemu_pool_list_files(const char *dir, char ***names, size_t *n, struct vb_error *err);
/* Reads each regular file of the pool's directory into pool->vols and the sizes of its file
 * system into pool->def (libvirt's refresh of a dir pool), synchronously: used at open. Nothing
 * changes on failure. */
int qemu_pool_scan(struct qemu_pool *pool, struct vb_error *err);
/* Replaces pool->vols with vols (taken, freed on failure) and updates the sizes. */
int qemu_pool_set_vols(struct qemu_pool *pool, struct vb_vol_def **vols, size_t n, size_t allocated,
                       struct vb_error *err);
/* The pool's capacity, allocation and available bytes from its file system (statvfs). */
int qemu_pool_update_sizes(struct qemu_pool *pool, struct vb_error *err);

/* qemu_storage_scan.c: the scan on the loop, one qemu-img info at a time. done runs from the
 * loop (r 0: pool->vols replaced; -1: call->err set, pool unchanged). While it runs the pool
 * is busy (qemu_pool_check_idle). */
struct qemu_scan;
typedef void (*qemu_scan_done_fn)(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_call *call, int r,
                                  void *userdata);
int qemu_pool_scan_start(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_call *call,
                         qemu_scan_done_fn done, void *userdata, struct vb_error *err);
/* Connection close: the child killed, the call ended with VB_ERR_OPERATION_ABORTED. */
void qemu_pool_scan_abort(struct qemu_pool *pool);
/* libvirt's "pool 'X' has asynchronous jobs running." while a scan or a volume build runs
 * (Destroy, Refresh); _not_scanning: while a scan runs (what would change the volumes under it). */
int qemu_pool_check_idle(const struct qemu_pool *pool, struct vb_error *err);
int qemu_pool_check_not_scanning(const struct qemu_pool *pool, struct vb_error *err);
/* qemu_pool_update_sizes, a failure leaving the old sizes until the next refresh. */
void qemu_pool_update_sizes_quietly(struct qemu_pool *pool);

/* qemu_storage_build.c: a volume built on the loop. The steps (qemu-img argument vectors, NULL-
 * terminated, copied) run one after another, then `qemu-img info` reads the volume back into vol,
 * and the call ends (ref, when not NULL, filled). vol must be in pool->vols already; a created
 * volume that fails is unlinked and removed from the pool. Returns VB_PENDING, or -1 (call->err)
 * with nothing started and vol untouched. */
#define QEMU_VOL_BUILD_STEPS_MAX 2
struct qemu_vol_build;
struct qemu_vol_build_spec {
    bool created;
    const char *source_key; /* a clone's source volume: "still in use" meanwhile */
    const char *const *steps[QEMU_VOL_BUILD_STEPS_MAX];
};
int qemu_vol_build_start(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_vol_def *vol,
                         const struct qemu_vol_build_spec *spec, struct vb_call *call, struct vb_object_ref *ref);
/* Connection close: every child killed, new volumes removed, the calls ended (OPERATION_ABORTED). */
void qemu_pool_builds_abort(struct qemu_pool *pool);
/* vol out of pool->vols, and freed. */
void qemu_pool_drop_vol(struct qemu_pool *pool, struct vb_vol_def *vol);
bool qemu_vol_is_building(const struct qemu_pool *pool, const struct vb_vol_def *vol);
/* libvirt's "volume 'X' is still in use." (a clone's source) and "is still being allocated.". */
int qemu_vol_check_idle(struct qemu_conn *conn, const struct qemu_pool *pool, const struct vb_vol_def *vol,
                        struct vb_error *err);

/* qemu_storage_vol.c */
struct vb_vol_def *qemu_vol_find_by_name(const struct qemu_pool *pool, const char *name);
int qemu_vol_fill_ref(const struct qemu_pool *pool, const struct vb_vol_def *vol, struct vb_object_ref *ref,
                      struct vb_error *err);
int qemu_list_volumes(void *priv, vb_uuid_t pool, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err);
int qemu_vol_lookup_by_key(void *priv, const char *key, struct vb_object_ref *ref, struct vb_error *err);
int qemu_vol_lookup_by_name(void *priv, vb_uuid_t pool, const char *name, struct vb_object_ref *ref,
                            struct vb_error *err);
int qemu_vol_create_xml(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml, unsigned int flags,
                        struct vb_object_ref *ref);
int qemu_vol_create_xml_from(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml,
                             const char *clone_key, unsigned int flags, struct vb_object_ref *ref);
int qemu_vol_delete(void *priv, struct vb_call *call, const char *key, unsigned int flags);
int qemu_vol_get_info(void *priv, struct vb_call *call, const char *key, struct vb_vol_info *info);
int qemu_vol_get_xml_desc(void *priv, struct vb_call *call, const char *key, unsigned int flags, char **xml);
int qemu_vol_resize(void *priv, struct vb_call *call, const char *key, uint64_t capacity, unsigned int flags);
int qemu_vol_wipe(void *priv, struct vb_call *call, const char *key, unsigned int pattern, unsigned int flags);
