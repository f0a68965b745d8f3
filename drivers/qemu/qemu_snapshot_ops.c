/* SnapshotDelete and RevertToSnapshot in the QEMU driver, as libvirt 9.0's qemuSnapshotDelete
 * and qemuSnapshotRevert for internal snapshots: `qemu-img snapshot -d` / `-a` on the disks of
 * a shut-off domain, QMP snapshot-delete on a running one (qemu_snapshot_live.c). */
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/driver_snapshot.h"
#include "drivers/qemu/qemu_snapshot_private.h"
#include "util/log.h"
#include "util/macros.h"

/* --- delete ------------------------------------------------------------------------------ */

/* The disks' steps for every snapshot a delete removes, in the order libvirt discards them. */
static int delete_steps(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_snapshot_tree *tree,
                        const struct vb_snapshot_def *snap, unsigned int flags, struct qemu_snapshot_steps *all,
                        struct vb_error *err)
{
    char **names = NULL;
    size_t n = 0;
    int r = 0;

    *all = (struct qemu_snapshot_steps){ 0 };
    if ((flags & (VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_CHILDREN_ONLY)) &&
        vb_snapshot_tree_names(tree, snap, true, 0, &names, &n, err) < 0)
        return -1;
    for (size_t i = 0; i <= n && r == 0; i++) {
        const struct vb_snapshot_def *one = i < n ? vb_snapshot_tree_find(tree, names[i]) : snap;
        struct qemu_snapshot_steps steps;

        if (i == n && (flags & VB_SNAPSHOT_DELETE_CHILDREN_ONLY))
            break;
        /* libvirt prefers the disks the snapshot was taken of. */
        r = qemu_snapshot_steps_build(conn, one, one->dom ? one->dom : obj->def, "-d", &steps, err);
        if (r == 0)
            r = qemu_snapshot_steps_append(all, &steps, err);
        qemu_snapshot_steps_free(&steps);
    }
    vb_snapshot_names_free(names, n);
    if (r < 0)
        qemu_snapshot_steps_free(all);
    return r;
}

/* The disks are done with (failures only logged: libvirt ignores skipped disks): the metadata. */
void qemu_snapshot_delete_metadata(struct qemu_snapshot_op *op)
{
    struct qemu_conn *conn = op->dom->conn;
    struct vb_error err = VB_ERROR_INIT;
    int r = vb_snapshot_tree_delete(&op->dom->snapshots, op->snap, op->flags, &err);

    if (r == 0)
        qemu_snapshot_sync(conn, op->dom->obj);
    qemu_snapshot_op_end(op, r, &err);
    vb_error_clear(&err);
}

static void delete_inactive_done(struct qemu_snapshot_op *op, struct qemu_img_run_result *result)
{
    if (result->r < 0)
        vb_log_warning("deleting snapshot '%s': %s", op->snap->name, vb_error_message(result->err));
    qemu_snapshot_delete_metadata(op);
}

#define DELETE_FLAGS (VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_METADATA_ONLY | VB_SNAPSHOT_DELETE_CHILDREN_ONLY)

int qemu_snapshot_delete(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;
    struct qemu_snapshot_op *op;

    VB_CHECK_FLAGS(flags, DELETE_FLAGS, err);
    if (!(snap = vb_snapshot_tree_lookup(qemu_snapshot_tree(obj), name, err)))
        return -1;
    if (vb_snapshot_def_is_external(snap))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s",
                            "external snapshots are not supported by the QEMU driver yet");
    if (!(op = qemu_snapshot_op_new(priv, obj, err)))
        return -1;
    op->snap = snap;
    op->flags = flags;
    op->step_done = delete_inactive_done;
    if (!(flags & VB_SNAPSHOT_DELETE_METADATA_ONLY) && vb_domain_obj_is_active(obj))
        return qemu_snapshot_live_start(op, call, qemu_snapshot_live_delete);
    if (!(flags & VB_SNAPSHOT_DELETE_METADATA_ONLY) &&
        delete_steps(priv, obj, &op->dom->snapshots, snap, flags, &op->steps, err) < 0)
        goto fail;
    if (qemu_snapshot_op_start(op, call, true) < 0)
        goto fail;
    return VB_PENDING;
fail:
    qemu_snapshot_op_free(op);
    return -1;
}

/* --- revert ------------------------------------------------------------------------------ */

/* libvirt's qemuSnapshotRevertValidate. */
static int check_revert(const struct vb_domain_obj *obj, const struct vb_snapshot_def *snap, unsigned int flags,
                        struct vb_error *err)
{
    bool online = vb_snapshot_state_is_online(snap->state);

    if (!obj->persistent && !online && !(flags & (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED)))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "transient domain needs to request run or pause to revert to inactive snapshot");
    if (vb_snapshot_def_is_external(snap))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "revert to external snapshot not supported yet");
    if (!snap->dom)
        return vb_error_set(err, VB_ERR_SNAPSHOT_REVERT_RISKY, "snapshot '%s' lacks domain '%s' rollback info",
                            snap->name, obj->def->name);
    if (!(flags & VB_SNAPSHOT_REVERT_FORCE) && obj->has_managed_save && !online)
        return vb_error_set(err, VB_ERR_SNAPSHOT_REVERT_RISKY, "%s",
                            "snapshot without memory state, removal of existing managed saved state strongly "
                            "recommended to avoid corruption");
    switch (snap->state) {
    case VB_SNAPSHOT_RUNNING:
    case VB_SNAPSHOT_PAUSED:
    case VB_SNAPSHOT_SHUTDOWN:
    case VB_SNAPSHOT_SHUTOFF:
    case VB_SNAPSHOT_CRASHED:
        return 0;
    case VB_SNAPSHOT_PMSUSPENDED:
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s",
                            "qemu doesn't support reversion of snapshot taken in PMSUSPENDED state");
    default:
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Invalid target domain state '%s'. Refusing snapshot "
                            "reversion", vb_snapshot_state_to_string(snap->state));
    }
}

/* The snapshot's definition becomes the domain's (stored first when persistent); the snapshot
 * becomes current. */
int qemu_snapshot_revert_definition(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;
    struct vb_domain_obj *obj = dom->obj;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = vb_domain_def_copy(op->snap->dom, err);

    if (!def)
        return -1;
    /* A snapshot of a domain since renamed keeps the domain's name (libvirt's RevertPrep). */
    if (!streq(def->name, obj->def->name)) {
        char *name = strdup(obj->def->name);

        if (!name)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        free(def->name);
        def->name = name;
    }
    def->id = -1;
    if (obj->persistent && vb_domain_store_save(dom->conn->store, def, err) < 0)
        return -1;
    vb_domain_def_free(obj->def);
    obj->def = TAKE_PTR(def);
    dom->snapshots.current = op->snap;
    qemu_snapshot_sync(dom->conn, obj);
    return 0;
}

void qemu_snapshot_revert_end(struct qemu_snapshot_op *op)
{
    if (op->dom->obj->persistent)
        qemu_emit(op->dom->conn, op->dom->obj, VB_EVENT_DEFINED, VB_EVENT_DEFINED_FROM_SNAPSHOT);
    qemu_snapshot_op_end(op, 0, NULL);
}

/* Transitions 1, 2 and 3: the disks are back; the definition follows, and the domain starts
 * when asked to. */
static void revert_inactive_done(struct qemu_snapshot_op *op, struct qemu_img_run_result *result)
{
    struct vb_error err = VB_ERROR_INIT;

    if (result->r < 0) {
        qemu_snapshot_op_end(op, -1, result->err);
        return;
    }
    if (qemu_snapshot_revert_definition(op, &err) < 0 ||
        ((op->flags & (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED)) &&
         qemu_snapshot_start(op, NULL, op->flags & VB_SNAPSHOT_REVERT_PAUSED, &err) < 0)) {
        qemu_snapshot_op_end(op, -1, &err);
        vb_error_clear(&err);
        return;
    }
    if (!(op->flags & (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED)))
        qemu_snapshot_revert_end(op);
}

static int revert_disks_steps(struct qemu_snapshot_op *op, struct vb_error *err)
{
    op->step_done = revert_inactive_done;
    return qemu_snapshot_steps_build(op->dom->conn, op->snap, op->snap->dom, "-a", &op->steps, err);
}

/* After a revert ended the domain's qemu: the disks go back to the snapshot. */
int qemu_snapshot_revert_disks(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct qemu_img_run_result nothing_to_do = { 0 };

    if (revert_disks_steps(op, err) < 0)
        return -1;
    if (op->steps.n)
        return qemu_snapshot_op_run(op, &op->steps, true, err);
    op->step_done(op, &nothing_to_do);
    return 0;
}

#define REVERT_FLAGS (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED | VB_SNAPSHOT_REVERT_FORCE)

int qemu_snapshot_revert(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;
    struct qemu_snapshot_op *op;

    VB_CHECK_FLAGS(flags, REVERT_FLAGS, err);
    if (!(snap = vb_snapshot_tree_lookup(qemu_snapshot_tree(obj), name, err)) ||
        check_revert(obj, snap, flags, err) < 0)
        return -1;
    if (!(op = qemu_snapshot_op_new(priv, obj, err)))
        return -1;
    op->snap = snap;
    op->flags = flags;
    if (vb_snapshot_state_is_online(snap->state) || vb_domain_obj_is_active(obj))
        return qemu_snapshot_live_start(op, call, qemu_snapshot_live_revert);
    if (revert_disks_steps(op, err) < 0 || qemu_snapshot_op_start(op, call, true) < 0)
        goto fail;
    return VB_PENDING;
fail:
    qemu_snapshot_op_free(op);
    return -1;
}
