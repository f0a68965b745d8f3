/* The QEMU driver's GetJobInfo and AbortJob (libvirt's qemuDomainGetJobInfo and
 * qemuDomainAbortJobFlags) for the one long job it runs on a live domain: a save. Neither takes
 * the domain's job (the save holds it): they read and cancel the save under way. The statistics
 * are those of the save's last query-migrate poll (every QEMU_SAVE_POLL_USEC), not a fresh one. */
#include <stdlib.h>

#include "drivers/qemu/qemu_domain_save_private.h"
#include "util/macros.h"
#include "util/time.h"

/* virDomainJobType */
enum { JOB_NONE = 0, JOB_UNBOUNDED = 2 };

int qemu_get_job_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, struct vb_job_info *info)
{
    struct qemu_dom *dom = obj->driver_data;
    const struct qemu_save_op *op;

    *info = (struct vb_job_info){ .type = JOB_NONE };
    if (vb_domain_obj_check_active(obj, &call->err) < 0)
        return -1;
    if (!dom || !(op = dom->save_op))
        return 0;
    /* libvirt's qemuDomainJobDataToInfo for a save: memory only, the data sums equal it. */
    info->type = JOB_UNBOUNDED;
    info->time_elapsed = (vb_now_usec() - op->started_usec) / 1000u;
    info->mem_total = info->data_total = op->ram_total;
    info->mem_processed = info->data_processed = op->ram_processed;
    info->mem_remaining = info->data_remaining = op->ram_remaining;
    return 0;
}

static void on_cancelled(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vb_call *call = userdata;

    if (reply->result < 0)
        vb_error_set_literal(&call->err, reply->err.code, "%s", vb_error_message(&reply->err));
    vb_call_complete(call, reply->result < 0 ? -1 : 0);
}

/* The save then fails with "job 'domain save' canceled by client", removes its image and resumes
 * the guest (running/save_canceled); AbortJob itself ends once qemu accepted migrate_cancel. */
int qemu_abort_job(void *priv, struct vb_call *call, struct vb_domain_obj *obj)
{
    struct qemu_dom *dom = obj->driver_data;
    struct vb_error *err = &call->err;
    int r;

    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (!dom || !dom->save_op)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "no job is active on the domain");
    if (dom->save_op->restore)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot abort VM start; use virDomainDestroy instead");
    r = qemu_save_op_abort(dom->save_op, on_cancelled, call, err);
    return r < 0 ? -1 : r > 0 ? VB_PENDING : 0;
}
