/* A revert that involves qemu, as libvirt 9.0's qemuSnapshotRevertActive and the running
 * transitions of qemuSnapshotRevertInactive: a running domain's qemu ended first
 * (shutoff/from_snapshot, Stopped/FromSnapshot), then the domain starts from the snapshot:
 * qemu with -loadvm for a snapshot with memory, a boot for a shut-off snapshot asked to run;
 * running/from_snapshot and Started/FromSnapshot, or paused/from_snapshot with
 * Suspended/FromSnapshot after it. */
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/driver_snapshot.h"
#include "drivers/qemu/qemu_snapshot_private.h"
#include "util/log.h"
#include "util/macros.h"

/* --- the start ------------------------------------------------------------------------------- */

static void end_started(struct qemu_snapshot_op *op)
{
    qemu_dom_save_status(op->dom);
    qemu_snapshot_revert_end(op);
}

static void on_cont(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_snapshot_op *op = userdata;

    if (reply->result < 0) {
        op->dom->running = false;
        qemu_snapshot_op_end(op, -1, &reply->err);
        return;
    }
    vb_domain_obj_set_state(op->dom->obj, VB_DOMAIN_RUNNING, VB_RUNNING_FROM_SNAPSHOT);
    end_started(op);
}

static void on_ready(struct qemu_process *proc, bool running, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_snapshot_op *op = dom->snapshot_op;
    struct qemu_conn *conn = dom->conn;
    struct vb_error err = VB_ERROR_INIT;

    op->starting = false;
    if (vb_domain_obj_mark_started(dom->obj, conn->next_id, VB_DOMAIN_PAUSED, VB_PAUSED_FROM_SNAPSHOT, &err) < 0 ||
        vb_domain_list_reindex_id(conn->domains, dom->obj, -1) < 0) {
        if (!vb_error_is_set(&err))
            vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
        if (vb_domain_obj_is_active(dom->obj))
            vb_domain_obj_mark_stopped(dom->obj, VB_SHUTOFF_FAILED);
        dom->stop_requested = true;
        if (qemu_process_stop(proc, false, 0, NULL, NULL, NULL) < 0)
            vb_log_warning("could not stop qemu of '%s'", dom->obj->def->name);
        qemu_snapshot_op_end(op, -1, &err);
        vb_error_clear(&err);
        return;
    }
    conn->next_id++;
    qemu_dom_copy_runtime_names(dom);
    qemu_balloon_start(dom);
    qemu_emit(conn, dom->obj, VB_EVENT_STARTED, VB_EVENT_STARTED_FROM_SNAPSHOT);
    if (op->start_paused) {
        qemu_emit(conn, dom->obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_FROM_SNAPSHOT);
        end_started(op);
        return;
    }
    dom->running = true; /* qemu's RESUME is this start's, not a Resumed of its own */
    if (qemu_process_command(proc, "cont", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_cont, op, &err) < 0) {
        dom->running = false;
        qemu_snapshot_op_end(op, -1, &err);
        vb_error_clear(&err);
    }
}

static void on_failed(struct qemu_process *proc, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    qemu_process_free(proc);
    dom->proc = NULL;
    if (dom->snapshot_op)
        qemu_snapshot_op_end(dom->snapshot_op, -1, err);
}

/* qemu ended before it was ready (it could not load the snapshot): the revert fails with its
 * last words. Afterwards, the domain's usual handling. */
static void on_exited(struct qemu_process *proc, const struct qemu_process_exit *exit, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_snapshot_op *op = dom->snapshot_op;
    _cleanup_free_ char *line = NULL;
    struct vb_error err = VB_ERROR_INIT;

    if (!op || !op->starting) {
        qemu_dom_process_callbacks.exited(proc, exit, userdata);
        return;
    }
    line = qemu_process_log_last_words(proc);
    qemu_process_free(proc);
    dom->proc = NULL;
    vb_error_set(&err, VB_ERR_OPERATION_FAILED, "cannot start domain '%s' from snapshot '%s'%s%s",
                 dom->obj->def->name, op->snap->name, line && *line ? ": qemu said: " : "", line ? line : "");
    qemu_snapshot_op_end(op, -1, &err);
    vb_error_clear(&err);
}

static void on_event(struct qemu_process *proc, const struct qmp_event *event, void *userdata)
{
    qemu_dom_process_callbacks.event(proc, event, userdata);
}

static const struct qemu_process_callbacks start_callbacks = {
    .ready = on_ready, .failed = on_failed, .event = on_event, .exited = on_exited,
};

int qemu_snapshot_start(struct qemu_snapshot_op *op, const char *loadvm, bool paused, struct vb_error *err)
{
    struct qemu_process_options options = { .start_paused = true, .loadvm = loadvm };

    op->start_paused = paused;
    op->starting = true;
    if (!qemu_dom_start_with(op->dom->conn, op->dom->obj, &options, &start_callbacks, err)) {
        op->starting = false;
        return -1;
    }
    return 0;
}

/* --- the revert ------------------------------------------------------------------------------ */

/* The domain is shut off: the snapshot's definition, then its state. */
static int revert_stopped(struct qemu_snapshot_op *op, struct vb_error *err)
{
    bool paused = !(op->flags & VB_SNAPSHOT_REVERT_RUNNING) &&
                  (op->snap->state == VB_SNAPSHOT_PAUSED || (op->flags & VB_SNAPSHOT_REVERT_PAUSED));

    if (!vb_snapshot_state_is_online(op->snap->state))
        return qemu_snapshot_revert_disks(op, err);
    if (qemu_snapshot_revert_definition(op, err) < 0)
        return -1;
    return qemu_snapshot_start(op, op->snap->name, paused, err);
}

static void on_stop_done(struct qemu_process *proc, int result, const struct vb_error *err, void *userdata)
{
    struct qemu_snapshot_op *op = userdata;

    if (result == 0)
        return; /* `exited` follows: qemu_snapshot_process_gone goes on with op->after_stop */
    op->stopping = false;
    op->dom->stop_requested = false;
    qemu_snapshot_op_end(op, -1, err);
}

int qemu_snapshot_stop_qemu(struct qemu_snapshot_op *op,
                            int (*after)(struct qemu_snapshot_op *op, struct vb_error *err), struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;

    if (!qemu_dom_running(dom->obj, err))
        return -1;
    op->after_stop = after;
    op->stopping = dom->stop_requested = true;
    if (qemu_process_stop(dom->proc, false, 0, on_stop_done, op, err) < 0) {
        op->stopping = dom->stop_requested = false;
        return -1;
    }
    return 0;
}

int qemu_snapshot_live_revert(struct qemu_snapshot_op *op, struct vb_error *err)
{
    if (!vb_domain_obj_is_active(op->dom->obj))
        return revert_stopped(op, err);
    return qemu_snapshot_stop_qemu(op, revert_stopped, err);
}

bool qemu_snapshot_stopping(const struct qemu_dom *dom)
{
    return dom->snapshot_op && dom->snapshot_op->stopping;
}

bool qemu_snapshot_process_gone(struct qemu_dom *dom)
{
    struct qemu_snapshot_op *op = dom->snapshot_op;
    struct vb_error err = VB_ERROR_INIT;

    if (!op)
        return false;
    if (op->stopping) {
        op->stopping = false;
        if (op->after_stop(op, &err) == 0)
            return dom->snapshot_op != NULL; /* a revert's new qemu is on its way: the domain stays */
    } else {
        vb_error_set(&err, VB_ERR_INTERNAL_ERROR, "%s", "guest unexpectedly quit");
    }
    qemu_snapshot_op_end(op, -1, &err);
    vb_error_clear(&err);
    return false;
}
