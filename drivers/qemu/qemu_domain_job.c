/* The QEMU driver's GetJobInfo, GetJobStats and AbortJob (libvirt's qemuDomainGetJobInfo,
 * qemuDomainGetJobStats and qemuDomainAbortJobFlags) for the one long job it runs on a live
 * domain: a save. None takes the domain's job (the save holds it): they read and cancel the save
 * under way. The statistics are those of the save's last query-migrate poll (every
 * QEMU_SAVE_POLL_USEC), not a fresh one. */
#include <stdlib.h>

#include "drivers/qemu/qemu_domain_save_private.h"
#include "util/macros.h"
#include "util/time.h"

/* virDomainJobType */
enum { JOB_NONE = 0, JOB_UNBOUNDED = 2, JOB_COMPLETED = 3 };
/* virDomainGetJobStatsFlags */
#define JOB_STATS_COMPLETED 1u
#define JOB_STATS_KEEP_COMPLETED 2u
/* VIR_DOMAIN_JOB_OPERATION_SAVE */
#define JOB_OPERATION_SAVE 2

static uint64_t elapsed_ms(const struct qemu_save_op *op)
{
    return (vb_now_usec() - op->started_usec) / 1000u;
}

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
    info->time_elapsed = elapsed_ms(op);
    info->mem_total = info->data_total = op->stats.total;
    info->mem_processed = info->data_processed = op->stats.transferred;
    info->mem_remaining = info->data_remaining = op->stats.remaining;
    return 0;
}

/* libvirt's qemuDomainMigrationJobDataToParams for a save (statistics type SAVEDUMP): the same
 * fields, in its order, those it adds only when qemu reported them likewise. */
static int save_params(uint64_t elapsed, const struct qemu_migration_stats *s, struct vb_typed_params *p,
                       struct vb_error *err)
{
    if (vb_typed_params_add_int(p, err, JOB_OPERATION_SAVE, "operation") < 0 ||
        vb_typed_params_add_ullong(p, err, elapsed, "time_elapsed") < 0 ||
        (s->setup_time_set && vb_typed_params_add_ullong(p, err, s->setup_time, "setup_time") < 0) ||
        vb_typed_params_add_ullong(p, err, s->total, "data_total") < 0 ||
        vb_typed_params_add_ullong(p, err, s->transferred, "data_processed") < 0 ||
        vb_typed_params_add_ullong(p, err, s->remaining, "data_remaining") < 0 ||
        vb_typed_params_add_ullong(p, err, s->total, "memory_total") < 0 ||
        vb_typed_params_add_ullong(p, err, s->transferred, "memory_processed") < 0 ||
        vb_typed_params_add_ullong(p, err, s->remaining, "memory_remaining") < 0 ||
        (s->bps && vb_typed_params_add_ullong(p, err, s->bps, "memory_bps") < 0))
        return -1;
    if (s->duplicate_set && (vb_typed_params_add_ullong(p, err, s->duplicate, "memory_constant") < 0 ||
                             vb_typed_params_add_ullong(p, err, s->normal, "memory_normal") < 0 ||
                             vb_typed_params_add_ullong(p, err, s->normal_bytes, "memory_normal_bytes") < 0))
        return -1;
    if (vb_typed_params_add_ullong(p, err, s->dirty_rate, "memory_dirty_rate") < 0 ||
        vb_typed_params_add_ullong(p, err, s->iteration, "memory_iteration") < 0 ||
        vb_typed_params_add_ullong(p, err, s->postcopy_reqs, "memory_postcopy_requests") < 0 ||
        (s->page_size && vb_typed_params_add_ullong(p, err, s->page_size, "memory_page_size") < 0))
        return -1;
    return 0;
}

/* COMPLETED: the last completed save's statistics, forgotten once read unless KEEP_COMPLETED;
 * asked of an inactive domain too (a save leaves it shut off). */
static int completed_job_stats(struct qemu_dom *dom, unsigned int flags, int *type, struct vb_typed_params *params,
                               struct vb_error *err)
{
    *type = JOB_NONE;
    if (!dom || !dom->completed_job.set)
        return 0;
    if (save_params(dom->completed_job.time_elapsed_ms, &dom->completed_job.stats, params, err) < 0) {
        vb_typed_params_clear(params);
        return -1;
    }
    *type = JOB_COMPLETED;
    if (!(flags & JOB_STATS_KEEP_COMPLETED))
        dom->completed_job = (struct qemu_completed_job){ .set = false };
    return 0;
}

int qemu_get_job_stats(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags, int *type,
                       struct vb_typed_params *params)
{
    struct qemu_dom *dom = obj->driver_data;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, JOB_STATS_COMPLETED | JOB_STATS_KEEP_COMPLETED, err);
    if (flags & JOB_STATS_COMPLETED)
        return completed_job_stats(dom, flags, type, params, err);
    *type = JOB_NONE;
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (!dom || !dom->save_op)
        return 0;
    if (save_params(elapsed_ms(dom->save_op), &dom->save_op->stats, params, err) < 0) {
        vb_typed_params_clear(params);
        return -1;
    }
    *type = JOB_UNBOUNDED;
    return 0;
}

void qemu_job_record_completed(struct qemu_dom *dom, const struct qemu_save_op *op)
{
    dom->completed_job = (struct qemu_completed_job){ .set = true, .time_elapsed_ms = elapsed_ms(op),
                                                      .stats = op->stats };
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
