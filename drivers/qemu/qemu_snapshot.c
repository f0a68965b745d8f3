/* The QEMU driver's snapshot table: the queries answered from the domain's snapshot tree
 * (drivers/snapshot_tree.c), and what the operations share: one snapshot operation per domain
 * at a time, its qemu-img children (qemu_img_run.c) and the call waiting for it. */
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/driver_snapshot.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_snapshot_private.h"
#include "drivers/qemu/qemu_storage.h"
#include "util/log.h"
#include "util/macros.h"

/* --- queries ------------------------------------------------------------------------------ */

static int qemu_snapshot_names(void *priv, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err)
{
    struct vb_domain_obj *obj = qemu_find_domain(priv, uuid, err);

    if (!obj)
        return -1;
    return vb_snapshot_tree_names(qemu_snapshot_tree(obj), NULL, true, 0, names, n, err);
}

#define LIST_FLAGS (VB_SNAPSHOT_LIST_ROOTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL)

static int qemu_snapshot_list(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                              char ***names, size_t *n)
{
    VB_CHECK_FLAGS(flags, LIST_FLAGS, &call->err);
    return vb_snapshot_tree_names(qemu_snapshot_tree(obj), NULL, !(flags & VB_SNAPSHOT_LIST_ROOTS), flags, names,
                                  n, &call->err);
}

static int qemu_snapshot_list_children(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                                       const char *name, unsigned int flags, char ***names, size_t *n)
{
    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_DESCENDANTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL,
                   &call->err);
    return vb_snapshot_tree_children(qemu_snapshot_tree(obj), name, flags, names, n, &call->err);
}

static int qemu_snapshot_lookup_by_name(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                                        const char *name, unsigned int flags)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    return vb_snapshot_tree_lookup(qemu_snapshot_tree(obj), name, &call->err) ? 0 : -1;
}

static int qemu_snapshot_current(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 char **name)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *name = vb_snapshot_tree_current_name(qemu_snapshot_tree(obj), &call->err);
    return *name ? 0 : -1;
}

static int qemu_snapshot_get_xml_desc(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                      unsigned int flags, char **xml)
{
    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_XML_SECURE, &call->err);
    *xml = vb_snapshot_tree_format(qemu_snapshot_tree(obj), obj->def->uuid, name, flags & VB_SNAPSHOT_XML_SECURE,
                                   &call->err);
    return *xml ? 0 : -1;
}

static int qemu_snapshot_get_parent(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, char **parent)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *parent = vb_snapshot_tree_parent_name(qemu_snapshot_tree(obj), name, &call->err);
    return *parent ? 0 : -1;
}

static int qemu_snapshot_is_current(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, bool *result)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    return vb_snapshot_tree_is_current(qemu_snapshot_tree(obj), name, result, &call->err);
}

/* Every snapshot the driver lists has metadata (NO_METADATA snapshots are not listed). */
static int qemu_snapshot_has_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                      unsigned int flags, bool *result)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (!vb_snapshot_tree_lookup(qemu_snapshot_tree(obj), name, &call->err))
        return -1;
    *result = true;
    return 0;
}

const struct vb_snapshot_driver qemu_snapshot_driver = {
    .names = qemu_snapshot_names,
    .create_xml = qemu_snapshot_create_xml,
    .list = qemu_snapshot_list,
    .lookup_by_name = qemu_snapshot_lookup_by_name,
    .current = qemu_snapshot_current,
    .get_xml_desc = qemu_snapshot_get_xml_desc,
    .get_parent = qemu_snapshot_get_parent,
    .list_children = qemu_snapshot_list_children,
    .is_current = qemu_snapshot_is_current,
    .has_metadata = qemu_snapshot_has_metadata,
    .delete = qemu_snapshot_delete,
    .revert = qemu_snapshot_revert,
};

/* --- qemu-img steps -------------------------------------------------------------------------- */

void qemu_snapshot_steps_free(struct qemu_snapshot_steps *steps)
{
    for (size_t i = 0; steps->paths && i < steps->n; i++)
        free(steps->paths[i]);
    free(steps->args);
    free(steps->paths);
    *steps = (struct qemu_snapshot_steps){ 0 };
}

/* A disk's file as qemu-img can open it, or NULL with libvirt's words (not local storage). */
static const char *local_path(const struct vb_device_def *dev, struct vb_error *err)
{
    if (dev->source && (!dev->type || streq(dev->type, "file") || streq(dev->type, "block")))
        return dev->source;
    vb_error_set(err, VB_ERR_OPERATION_INVALID, "can't manipulate inactive snapshots of disk '%s'", dev->target_dev);
    return NULL;
}

static int grow(struct qemu_snapshot_steps *steps, size_t n, struct vb_error *err)
{
    const char *(*args)[5] = realloc(steps->args, (n + 1) * sizeof(*args));
    char **paths;

    if (!args)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    steps->args = args;
    if (!(paths = realloc(steps->paths, (n + 1) * sizeof(*paths))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    steps->paths = paths;
    return 0;
}

/* Adds { "snapshot", op, name, path } (path copied). */
static int add_step(struct qemu_snapshot_steps *steps, const char *op, const char *name, const char *path,
                    struct vb_error *err)
{
    if (grow(steps, steps->n + 1, err) < 0 || !(steps->paths[steps->n] = strdup(path)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    steps->args[steps->n][0] = "snapshot";
    steps->args[steps->n][1] = op;
    steps->args[steps->n][2] = name;
    steps->args[steps->n][3] = steps->paths[steps->n];
    steps->args[steps->n][4] = NULL;
    steps->n++;
    return 0;
}

int qemu_snapshot_steps_append(struct qemu_snapshot_steps *all, const struct qemu_snapshot_steps *more,
                               struct vb_error *err)
{
    for (size_t i = 0; i < more->n; i++)
        if (add_step(all, more->args[i][1], more->args[i][2], more->args[i][3], err) < 0)
            return -1;
    return 0;
}

/* One disk's step; a disk in another format is refused for "-c", skipped otherwise. */
static int disk_step(struct qemu_snapshot_steps *steps, const struct vb_device_def *dev, const char *op,
                     const char *name, struct vb_error *err)
{
    _cleanup_free_ char *format = NULL;
    const char *path;

    if (!(path = local_path(dev, err)) || !(format = qemu_disk_format(dev, err)))
        return -1;
    if (streq(format, "qcow2"))
        return add_step(steps, op, name, path, err);
    if (streq(op, "-c"))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "Disk device '%s' does not support snapshotting",
                            dev->target_dev);
    /* Revert and delete try every disk: others may have the snapshot (libvirt's try_all). */
    vb_log_warning("skipping snapshot action on %s", dev->target_dev);
    return 0;
}

int qemu_snapshot_steps_build(struct qemu_conn *conn, const struct vb_snapshot_def *snap,
                              const struct vb_domain_def *def, const char *op, struct qemu_snapshot_steps *steps,
                              struct vb_error *err)
{
    /* Pool volumes name their files in a copy (libvirt's virDomainDiskTranslateSourcePool). */
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *files = vb_domain_def_copy(def, err);

    *steps = (struct qemu_snapshot_steps){ 0 };
    if (!files || qemu_storage_resolve_disks(conn, files, err) < 0 || grow(steps, 0, err) < 0) {
        qemu_snapshot_steps_free(steps);
        return -1;
    }
    for (size_t i = 0; i < snap->n_disks; i++) {
        const struct vb_device_def *dev = vb_registry_find_disk(files, snap->disks[i].name);

        if (!dev || (dev->disk_device && !streq(dev->disk_device, "disk")) ||
            snap->disks[i].location != VB_SNAPSHOT_LOCATION_INTERNAL)
            continue;
        if (disk_step(steps, dev, op, snap->name, err) < 0) {
            qemu_snapshot_steps_free(steps);
            return -1;
        }
    }
    return 0;
}

/* --- one operation at a time ----------------------------------------------------------------- */

void qemu_snapshot_op_end(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;
    struct vb_error copy = VB_ERROR_INIT; /* err may be the op's own */

    if (r < 0 && err && vb_error_is_set(err) && err != &op->call->err)
        vb_error_set_literal(&copy, err->code, "%s", vb_error_message(err));
    struct vb_call *call = op->call;

    dom->snapshot_op = NULL;
    qemu_snapshot_op_free(op);
    if (r < 0)
        vb_error_move(&call->err, &copy);
    vb_error_clear(&copy);
    vb_call_complete(call, r);
}

static void on_run_done(void *userdata, struct qemu_img_run_result *result)
{
    struct qemu_snapshot_op *op = userdata;

    op->run = NULL; /* freed by the runner once this returns */
    op->step_done(op, result);
}

int qemu_snapshot_op_start(struct qemu_snapshot_op *op, struct vb_call *call, bool keep_going)
{
    struct qemu_img_run_result nothing_to_do = { 0 };

    if (op->steps.n && qemu_snapshot_op_run(op, &op->steps, keep_going, &call->err) < 0)
        return -1;
    qemu_snapshot_op_wait(op, call);
    if (!op->steps.n)
        op->step_done(op, &nothing_to_do); /* ends the call before the slot returns */
    return VB_PENDING;
}

int qemu_snapshot_op_run(struct qemu_snapshot_op *op, const struct qemu_snapshot_steps *steps, bool keep_going,
                         struct vb_error *err)
{
    const char *const *vectors[steps->n ? steps->n : 1];

    for (size_t i = 0; i < steps->n; i++)
        vectors[i] = steps->args[i];
    op->run = qemu_img_run_start(op->dom->conn->loop, vectors, steps->n, keep_going, on_run_done, op, err);
    return op->run ? 0 : -1;
}

struct qemu_snapshot_op *qemu_snapshot_op_new(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                              struct vb_error *err)
{
    struct qemu_dom *dom = qemu_dom_get(conn, obj, err);
    struct qemu_snapshot_op *op;

    if (!dom)
        return NULL;
    if (dom->snapshot_op || dom->call || dom->save_op) {
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain '%s' has another operation under way", obj->def->name);
        return NULL;
    }
    if (!(op = calloc(1, sizeof(*op)))) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    *op = (struct qemu_snapshot_op){ .dom = dom, .failure = VB_ERROR_INIT };
    return op;
}

void qemu_snapshot_op_free(struct qemu_snapshot_op *op)
{
    if (!op)
        return;
    qemu_img_run_cancel(op->run);
    qemu_snapshot_live_free(op->live);
    vb_snapshot_def_free(op->def);
    vb_error_clear(&op->failure);
    qemu_snapshot_steps_free(&op->steps);
    free(op);
}

/* The call stays with the operation, not in dom->call: a qemu exit must not end it as a success. */
int qemu_snapshot_op_wait(struct qemu_snapshot_op *op, struct vb_call *call)
{
    op->dom->snapshot_op = op;
    op->call = call;
    return VB_PENDING;
}

void qemu_snapshot_abandon(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!dom->snapshot_op)
        return;
    vb_error_set(&err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    qemu_snapshot_op_end(dom->snapshot_op, -1, &err);
    vb_error_clear(&err);
}
