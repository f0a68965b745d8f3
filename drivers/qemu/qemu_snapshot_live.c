/* Internal snapshots of a running QEMU domain. */
#include "drivers/qemu/qemu_snapshot_private.h"

int qemu_snapshot_live_create(struct qemu_snapshot_op *op, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s", "snapshots of a running domain are not supported yet");
}

int qemu_snapshot_live_delete(struct qemu_snapshot_op *op, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s", "snapshots of a running domain are not supported yet");
}

int qemu_snapshot_live_revert(struct qemu_snapshot_op *op, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s", "snapshots of a running domain are not supported yet");
}

int qemu_snapshot_start(struct qemu_snapshot_op *op, const char *loadvm, bool paused, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "%s", "snapshots of a running domain are not supported yet");
}
