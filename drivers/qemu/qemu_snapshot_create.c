/* SnapshotCreateXML in the QEMU driver, as libvirt 9.0's qemuSnapshotCreateXML for internal
 * snapshots: of a shut-off domain, `qemu-img snapshot -c` on each qcow2 disk (the disks done
 * rolled back with -d when one fails); of a running or paused one, QMP snapshot-save
 * (qemu_snapshot_live.c). REDEFINE only records metadata. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/domain_registry.h"
#include "drivers/driver_snapshot.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_snapshot_private.h"
#include "drivers/qemu/qemu_storage.h"
#include "util/log.h"
#include "util/macros.h"

#define CREATE_FLAGS (VB_SNAPSHOT_CREATE_REDEFINE | VB_SNAPSHOT_CREATE_CURRENT | VB_SNAPSHOT_CREATE_NO_METADATA |   \
                      VB_SNAPSHOT_CREATE_HALT | VB_SNAPSHOT_CREATE_DISK_ONLY | VB_SNAPSHOT_CREATE_REUSE_EXT |        \
                      VB_SNAPSHOT_CREATE_QUIESCE | VB_SNAPSHOT_CREATE_ATOMIC | VB_SNAPSHOT_CREATE_LIVE |            \
                      VB_SNAPSHOT_CREATE_VALIDATE)

/* libvirt's flag rules and qemuSnapshotCreateXMLValidateDef, in its order and words. */
static int check_flags(const struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err)
{
    if ((flags & VB_SNAPSHOT_CREATE_QUIESCE) && !(flags & VB_SNAPSHOT_CREATE_DISK_ONLY))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Flag '%s' is required by flag '%s'",
                            "VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY", "VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE");
    if ((flags & VB_SNAPSHOT_CREATE_LIVE) && (flags & VB_SNAPSHOT_CREATE_REDEFINE))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Flags '%s' and '%s' are mutually exclusive",
                            "VIR_DOMAIN_SNAPSHOT_CREATE_LIVE", "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE");
    if (!obj->persistent && (flags & VB_SNAPSHOT_CREATE_HALT))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot halt after transient domain snapshot");
    return 0;
}

static int validate_def(const struct vb_domain_obj *obj, const struct vb_snapshot_def *def, unsigned int flags,
                        struct vb_error *err)
{
    enum vb_snapshot_state state;

    /* Names become file names. */
    if (!(flags & VB_SNAPSHOT_CREATE_NO_METADATA)) {
        if (strchr(def->name, '/'))
            return vb_error_set(err, VB_ERR_XML_DETAIL, "invalid snapshot name '%s': name can't contain '/'",
                                def->name);
        if (def->name[0] == '.')
            return vb_error_set(err, VB_ERR_XML_DETAIL, "invalid snapshot name '%s': name can't start with '.'",
                                def->name);
    }
    if ((flags & VB_SNAPSHOT_CREATE_LIVE) &&
        (!vb_domain_obj_is_active(obj) || def->memory != VB_SNAPSHOT_LOCATION_EXTERNAL))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED,
                            "live snapshot creation is supported only during full system snapshots");
    state = (flags & VB_SNAPSHOT_CREATE_REDEFINE) ? def->state : (enum vb_snapshot_state) obj->state;
    switch (state) {
    case VB_SNAPSHOT_RUNNING:
    case VB_SNAPSHOT_PAUSED:
    case VB_SNAPSHOT_SHUTDOWN:
    case VB_SNAPSHOT_SHUTOFF:
    case VB_SNAPSHOT_CRASHED:
        return 0;
    case VB_SNAPSHOT_DISK_SNAPSHOT:
        if (flags & VB_SNAPSHOT_CREATE_REDEFINE)
            return 0;
        break;
    case VB_SNAPSHOT_PMSUSPENDED:
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "qemu doesn't support taking snapshots of "
                            "PMSUSPENDED guests");
    default:
        break;
    }
    return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Invalid domain state %s", vb_snapshot_state_to_string(state));
}

/* --- redefine ------------------------------------------------------------------------------ */

static int redefine(struct qemu_conn *conn, struct vb_domain_obj *obj, struct vb_snapshot_def **def,
                    unsigned int flags, char **name, struct vb_error *err)
{
    struct qemu_dom *dom = qemu_dom_get(conn, obj, err);
    struct vb_snapshot_def *existing = NULL, *stored = *def;

    if (!dom || vb_snapshot_tree_prepare_redefine(&dom->snapshots, obj->def->uuid, *def, &existing, err) < 0 ||
        vb_snapshot_tree_store(&dom->snapshots, *def, existing, flags & VB_SNAPSHOT_CREATE_CURRENT, err) < 0)
        return -1;
    *def = NULL;
    /* The files of the snapshot and of the current one before it (its <active> changed). */
    qemu_snapshot_sync(conn, obj);
    if (!(*name = strdup(stored->name)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return 0;
}

/* --- a new snapshot ------------------------------------------------------------------------ */

/* libvirt's qemuSnapshotCreateAlignDisks for internal snapshots. */
static int align_disks(const struct vb_domain_obj *obj, struct vb_snapshot_def *def, unsigned int flags,
                       struct vb_error *err)
{
    if ((flags & VB_SNAPSHOT_CREATE_DISK_ONLY) || def->memory == VB_SNAPSHOT_LOCATION_EXTERNAL)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s",
                            "external snapshots are not supported by the QEMU driver yet");
    if (!(def->dom = vb_domain_def_copy(obj->def, err)))
        return -1;
    def->dom->id = -1;
    def->state = (enum vb_snapshot_state) obj->state;
    if (vb_domain_obj_is_active(obj) && def->memory == VB_SNAPSHOT_LOCATION_NO)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s",
                            "internal snapshot of a running VM must include the memory state");
    def->memory = def->state == VB_SNAPSHOT_SHUTOFF ? VB_SNAPSHOT_LOCATION_NO : VB_SNAPSHOT_LOCATION_INTERNAL;
    return vb_snapshot_def_align_disks(def, VB_SNAPSHOT_LOCATION_INTERNAL, true, err);
}

/* One internal disk of a shut-off domain: a local file or block device in qcow2. */
static int check_internal_disk(const struct vb_domain_obj *obj, const struct vb_device_def *dev,
                               struct vb_error *err)
{
    _cleanup_free_ char *format = NULL;

    if (!vb_domain_obj_is_active(obj) && dev->type && !streq(dev->type, "file") && !streq(dev->type, "block"))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "internal inactive snapshots are not supported on '%s' disks",
                            dev->type);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    if (!streq(format, "qcow2"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "internal snapshot for disk %s unsupported for storage "
                            "type %s", dev->target_dev, format);
    return 0;
}

/* libvirt's qemuSnapshotPrepare for internal snapshots; disks: def->dom, or for a shut-off
 * domain a copy whose pool volumes name their files (libvirt translates them first). */
static int check_disks(const struct vb_domain_obj *obj, const struct vb_snapshot_def *def,
                       const struct vb_domain_def *disks, struct vb_error *err)
{
    bool found_internal = false, forbid_internal = false;

    for (size_t i = 0; i < def->n_disks; i++) {
        const struct vb_device_def *dev = vb_registry_find_disk(disks, def->disks[i].name);

        if (!dev)
            continue;
        switch (def->disks[i].location) {
        case VB_SNAPSHOT_LOCATION_INTERNAL:
            found_internal = true;
            if (check_internal_disk(obj, dev, err) < 0)
                return -1;
            break;
        case VB_SNAPSHOT_LOCATION_NO:
            /* A writable disk left out: its state would not match the others'. */
            if (dev->source && !vb_device_def_disk_readonly(dev))
                forbid_internal = true;
            break;
        case VB_SNAPSHOT_LOCATION_MANUAL:
            forbid_internal = true;
            break;
        default:
            return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s",
                                "external snapshots are not supported by the QEMU driver yet");
        }
    }
    if (!found_internal && def->memory == VB_SNAPSHOT_LOCATION_NO)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "nothing selected for snapshot");
    if ((def->memory == VB_SNAPSHOT_LOCATION_INTERNAL && !found_internal) || (found_internal && forbid_internal))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "internal and full system snapshots require all disks to be selected for snapshot");
    return 0;
}

int qemu_snapshot_record(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct qemu_conn *conn = op->dom->conn;
    struct vb_domain_obj *obj = op->dom->obj;
    struct vb_snapshot_def *def = op->def;
    int r = -1;

    if (!(*op->name_out = strdup(def->name)))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    else if (op->flags & VB_SNAPSHOT_CREATE_NO_METADATA)
        r = 0;
    else if (vb_snapshot_tree_store(&op->dom->snapshots, def, NULL, true, err) == 0) {
        op->def = NULL;
        r = 0;
        if (qemu_snapshot_save(conn, obj, def, err) < 0) {
            /* libvirt drops the snapshot from its list; the disks keep it. */
            vb_snapshot_tree_delete(&op->dom->snapshots, def, 0, NULL);
            r = -1;
        }
        qemu_snapshot_sync(conn, obj);
    }
    if (r < 0) {
        free(*op->name_out);
        *op->name_out = NULL;
    }
    return r;
}

void qemu_snapshot_create_done(struct qemu_snapshot_op *op)
{
    struct vb_error err = VB_ERROR_INIT;

    qemu_snapshot_op_end(op, qemu_snapshot_record(op, &err), &err);
    vb_error_clear(&err);
}

static int prepare(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_snapshot_def *def,
                   struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *files = NULL;

    if (vb_domain_obj_is_active(obj))
        return check_disks(obj, def, def->dom, err);
    if (!(files = vb_domain_def_copy(def->dom, err)) || qemu_storage_resolve_disks(conn, files, err) < 0)
        return -1;
    return check_disks(obj, def, files, err);
}

static void rollback_done(struct qemu_snapshot_op *op, struct qemu_img_run_result *result)
{
    if (result->r < 0)
        vb_log_warning("rolling back snapshot '%s': %s", op->def->name, vb_error_message(result->err));
    qemu_snapshot_op_end(op, -1, &op->failure);
}

/* libvirt's qemuSnapshotCreateInactiveInternal: a failure deletes the snapshot again from the
 * disks that took it. */
static void create_inactive_done(struct qemu_snapshot_op *op, struct qemu_img_run_result *result)
{
    struct vb_error err = VB_ERROR_INIT;

    if (result->r == 0) {
        qemu_snapshot_create_done(op);
        return;
    }
    vb_error_move(&op->failure, result->err);
    if (result->failed == 0)
        goto fail;
    for (size_t i = 0; i < result->failed; i++)
        op->steps.args[i][1] = "-d";
    for (size_t i = result->failed; i < op->steps.n; i++)
        free(op->steps.paths[i]);
    op->steps.n = result->failed;
    op->step_done = rollback_done;
    if (qemu_snapshot_op_run(op, &op->steps, true, &err) == 0)
        return;
    vb_log_warning("rolling back snapshot '%s': %s", op->def->name, vb_error_message(&err));
    vb_error_clear(&err);
fail:
    qemu_snapshot_op_end(op, -1, &op->failure);
}

static int create_new(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                      struct vb_snapshot_def **def, unsigned int flags, char **name)
{
    struct vb_error *err = &call->err;
    struct qemu_snapshot_op *op;

    if (align_disks(obj, *def, flags, err) < 0 || prepare(conn, obj, *def, err) < 0)
        return -1;
    if (!(op = qemu_snapshot_op_new(conn, obj, err)))
        return -1;
    if (!(flags & VB_SNAPSHOT_CREATE_NO_METADATA) && vb_snapshot_tree_prepare_new(&op->dom->snapshots, *def, err) < 0)
        goto fail;
    op->def = TAKE_PTR(*def);
    op->flags = flags;
    op->name_out = name;
    if (vb_domain_obj_is_active(obj))
        return qemu_snapshot_live_start(op, call, qemu_snapshot_live_create);
    op->step_done = create_inactive_done;
    if (qemu_snapshot_steps_build(conn, op->def, op->def->dom, "-c", &op->steps, err) < 0 ||
        qemu_snapshot_op_start(op, call, false) < 0)
        goto fail;
    return VB_PENDING;
fail:
    qemu_snapshot_op_free(op);
    return -1;
}

int qemu_snapshot_create_xml(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                             unsigned int flags, char **name)
{
    struct vb_error *err = &call->err;
    bool redefining = flags & VB_SNAPSHOT_CREATE_REDEFINE;
    _cleanup_(vb_snapshot_def_freep) struct vb_snapshot_def *def = NULL;

    VB_CHECK_FLAGS(flags, CREATE_FLAGS, err);
    if (check_flags(obj, flags, err) < 0)
        return -1;
    if (!(def = vb_snapshot_def_parse_string(xml, redefining ? VB_SNAPSHOT_PARSE_REDEFINE : 0, err)) ||
        validate_def(obj, def, flags, err) < 0)
        return -1;
    if (redefining)
        return redefine(priv, obj, &def, flags, name, err);
    return create_new(priv, call, obj, &def, flags, name);
}
