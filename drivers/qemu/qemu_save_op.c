/* One save or restore on the loop: QMP steps one after another, the image's descriptor handed
 * to qemu (`getfd`) for an `fd:` migration, then query-migrate polled until the stream is
 * through or stalls, with a periodic watch that notices a qemu that went away (its pending
 * replies are then dropped, so waiting for them would wait forever). */
#include "drivers/qemu/qemu_domain_save_private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/macros.h"
#include "util/time.h"

static int on_watch(sd_event_source *source, uint64_t usec, void *userdata);

struct qemu_save_op *qemu_save_op_new(struct qemu_dom *dom, struct vb_call *call, const char *path, const char *job,
                                      qemu_save_fail_fn fail)
{
    struct qemu_save_op *op = calloc(1, sizeof(*op));

    if (!op || !(op->path = strdup(path))) {
        free(op);
        vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    *op = (struct qemu_save_op){ .dom = dom, .call = call, .path = op->path, .job = job, .fail = fail,
                                 .image_fd = -1, .started_usec = vb_now_usec() };
    /* 1 ms accuracy: sd-event's default (250 ms) would hold each poll, and so the end of every
     * save and restore, up to a quarter of a second */
    if (sd_event_add_time_relative(dom->conn->loop, &op->watch, CLOCK_MONOTONIC, QEMU_SAVE_POLL_USEC, VB_TIMER_ACCURACY_USEC, on_watch,
                                   op) < 0) {
        free(op->path);
        free(op);
        vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "cannot arm a timer for the %s", job);
        return NULL;
    }
    dom->save_op = op;
    return op;
}

void qemu_save_op_free(struct qemu_save_op *op)
{
    if (!op)
        return;
    if (op->dom->save_op == op)
        op->dom->save_op = NULL;
    sd_event_source_disable_unref(op->watch);
    if (op->image_fd >= 0)
        close(op->image_fd);
    free(op->path);
    free(op);
}

void qemu_save_op_finish(struct qemu_save_op *op, int r, const struct vb_error *err)
{
    struct vb_call *call = op->call;

    qemu_save_op_free(op);
    if (r < 0 && err)
        vb_error_set_literal(&call->err, err->code, "%s", vb_error_message(err));
    vb_call_complete(call, r);
}

/* A step failed. When qemu went away meanwhile, its monitor closes before its exit is reaped (a
 * reply fails with "End of file", a command finds no monitor): the operation then waits for the
 * exit (on_watch), so that the call ends after the domain is shutoff/crashed, with libvirt's words
 * for a job whose qemu vanished rather than the monitor's. */
static void fail_step(struct qemu_save_op *op, const struct vb_error *err)
{
    struct vb_error gone = VB_ERROR_INIT;
    uint64_t now = 0;

    if (op->dom->proc && qemu_process_monitor_ready(op->dom->proc)) {
        op->fail(op, err);
        return;
    }
    vb_log_debug("%s: %s", op->job, vb_error_message(err));
    op->polling = op->in_flight = false; /* a closed monitor has failed every command: no reply comes */
    if (op->dom->proc && op->dom->conn && !op->monitor_lost_at) {
        op->monitor_lost_at = sd_event_now(op->dom->conn->loop, CLOCK_MONOTONIC, &now) < 0 || !now ? 1 : now;
        return;
    }
    vb_error_set(&gone, VB_ERR_OPERATION_FAILED, "job '%s' unexpectedly failed", op->job);
    op->fail(op, &gone);
    vb_error_clear(&gone);
}

/* The monitor closed a while ago and qemu's exit still has not been seen. */
static bool exit_overdue(const struct qemu_save_op *op)
{
    uint64_t now = 0;

    return op->monitor_lost_at && sd_event_now(op->dom->conn->loop, CLOCK_MONOTONIC, &now) >= 0 &&
           now >= op->monitor_lost_at + QEMU_SAVE_EXIT_WAIT_USEC;
}

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_save_op *op = userdata;

    op->in_flight = false;
    if (reply->result < 0)
        fail_step(op, &reply->err);
    else
        op->next(op);
}

void qemu_save_op_send(struct qemu_save_op *op, const char *command, struct json_object *arguments,
                       qemu_save_step_fn next)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!op->dom->proc) {
        json_object_put(arguments);
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "job '%s' unexpectedly failed", op->job);
    } else if (qemu_process_command(op->dom->proc, command, arguments, QEMU_COMMAND_TIMEOUT_USEC, on_reply, op,
                                    &err) == 0) {
        op->next = next;
        op->in_flight = true;
        return;
    }
    fail_step(op, &err);
    vb_error_clear(&err);
}

/* A number query-migrate may leave out: *set says whether it was there. */
static uint64_t field(struct json_object *object, const char *name, bool *set)
{
    struct json_object *value = NULL;
    bool present = json_object_object_get_ex(object, name, &value);

    if (set)
        *set = present;
    return present ? (uint64_t) json_object_get_int64(value) : 0;
}

/* query-migrate's statistics (no "ram" in setup), as libvirt's qemuMonitorJSONGetMigrationStatsReply
 * reads them: kept for GetJobInfo and GetJobStats. */
static void record_stats(struct qemu_save_op *op, struct json_object *info)
{
    struct qemu_migration_stats *s = &op->stats;
    struct json_object *ram = NULL, *mbps = NULL;

    s->setup_time = field(info, "setup-time", &s->setup_time_set);
    if (!json_object_object_get_ex(info, "ram", &ram))
        return;
    s->total = field(ram, "total", NULL);
    s->transferred = field(ram, "transferred", NULL);
    s->remaining = field(ram, "remaining", NULL);
    /* Mbit/s, M as in 10^6 */
    s->bps = json_object_object_get_ex(ram, "mbps", &mbps) && json_object_get_double(mbps) > 0
                 ? (uint64_t) (json_object_get_double(mbps) * (1000 * 1000 / 8))
                 : 0;
    s->duplicate = field(ram, "duplicate", &s->duplicate_set);
    s->normal = field(ram, "normal", NULL);
    s->normal_bytes = field(ram, "normal-bytes", NULL);
    s->dirty_rate = field(ram, "dirty-pages-rate", NULL);
    s->page_size = field(ram, "page-size", NULL);
    s->iteration = field(ram, "dirty-sync-count", NULL);
    s->postcopy_reqs = field(ram, "postcopy-requests", NULL);
}

/* Still going: true when the stream has written nothing new for op->stall_usec. */
static bool stalled(struct qemu_save_op *op)
{
    uint64_t bytes = op->stats.transferred, now = 0;

    if (!op->stall_usec || !op->dom->conn || sd_event_now(op->dom->conn->loop, CLOCK_MONOTONIC, &now) < 0)
        return false;
    if (bytes != op->progress_bytes || !op->progress_at) {
        op->progress_bytes = bytes;
        op->progress_at = now;
        return false;
    }
    return now - op->progress_at >= op->stall_usec;
}

/* query-migrate's answer: "completed", "failed" (with "error-desc"), "cancelled", or still going. */
static void on_query(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_save_op *op = userdata;
    struct json_object *status = NULL, *desc = NULL;
    const char *text;
    struct vb_error err = VB_ERROR_INIT;

    op->in_flight = false;
    if (reply->result < 0) {
        fail_step(op, &reply->err);
        return;
    }
    json_object_object_get_ex(reply->ret, "status", &status);
    text = status ? json_object_get_string(status) : "";
    record_stats(op, reply->ret);
    if (streq(text, "completed")) {
        op->polling = op->migrating = false;
        op->next(op);
        return;
    }
    if (!streq(text, "failed") && !streq(text, "cancelled")) { /* setup, active, device, ... */
        if (!stalled(op))
            return; /* the watch asks again */
        vb_error_set(&err, VB_ERR_OPERATION_TIMEOUT,
                     "job '%s': the migration stream to '%s' made no progress for %" PRIu64 " ms (%s); cancelled",
                     op->job, op->path, op->stall_usec / 1000u, QEMU_MIGRATE_TIMEOUT_ENV);
    } else if (streq(text, "cancelled")) {
        vb_error_set(&err, VB_ERR_OPERATION_ABORTED, "job '%s' canceled by client", op->job);
    } else if (json_object_object_get_ex(reply->ret, "error-desc", &desc)) {
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "job '%s' failed: %s", op->job, json_object_get_string(desc));
    } else {
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "job '%s' unexpectedly failed", op->job);
    }
    op->polling = false;
    fail_step(op, &err);
    vb_error_clear(&err);
}

static void log_cancel_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (reply->result < 0)
        vb_log_debug("migrate_cancel: %s", vb_error_message(&reply->err));
}

static int send_cancel(struct qemu_save_op *op, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    return qemu_process_command(op->dom->proc, "migrate_cancel", NULL, QEMU_COMMAND_TIMEOUT_USEC,
                                done ? done : log_cancel_reply, userdata, err);
}

/* The migration command was accepted and took the descriptor: poll until the stream is through
 * (or, when AbortJob came first, until qemu reports it cancelled). */
static void stream_started(struct qemu_save_op *op)
{
    op->fd_in_qemu = false;
    op->migrating = op->polling = true;
    op->progress_bytes = op->progress_at = 0;
    op->next = op->after_stream;
    if (op->abort_requested && send_cancel(op, NULL, NULL, NULL) < 0)
        vb_log_warning("cannot cancel the save of '%s'", op->dom->obj->def->name);
}

int qemu_save_op_abort(struct qemu_save_op *op, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    op->abort_requested = true;
    if (!op->migrating || !op->dom->proc)
        return 0; /* stream_started cancels it */
    return send_cancel(op, done, userdata, err) < 0 ? -1 : 1;
}

static void stream_begin(struct qemu_save_op *op)
{
    struct json_object *args = json_object_new_object();
    struct vb_error err = VB_ERROR_INIT;

    op->fd_in_qemu = true;
    if (!args || json_object_object_add(args, "uri", json_object_new_string("fd:" QEMU_SAVE_FDNAME)) < 0) {
        json_object_put(args);
        vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
        fail_step(op, &err);
        vb_error_clear(&err);
        return;
    }
    qemu_save_op_send(op, op->stream_command, args, stream_started);
}

static struct json_object *fdname_args(void)
{
    struct json_object *args = json_object_new_object();

    if (args && json_object_object_add(args, "fdname", json_object_new_string(QEMU_SAVE_FDNAME)) < 0) {
        json_object_put(args);
        return NULL;
    }
    return args;
}

void qemu_save_op_stream(struct qemu_save_op *op, const char *command, qemu_save_step_fn next)
{
    struct json_object *args = fdname_args();
    struct vb_error err = VB_ERROR_INIT;
    int r = -1;

    op->stream_command = command;
    op->after_stream = next;
    if (!args)
        vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
    else if (!op->dom->proc)
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "job '%s' unexpectedly failed", op->job);
    else
        r = qemu_process_command_fd(op->dom->proc, "getfd", TAKE_PTR(args), op->image_fd, QEMU_COMMAND_TIMEOUT_USEC,
                                    on_reply, op, &err);
    json_object_put(args);
    /* The monitor sends a copy of its own: ours goes now, so that only qemu keeps the image open. */
    if (op->image_fd >= 0)
        close(TAKE_FD(op->image_fd));
    if (r < 0) {
        fail_step(op, &err);
        vb_error_clear(&err);
        return;
    }
    op->next = stream_begin;
    op->in_flight = true;
}

static void log_cleanup_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (reply->result < 0)
        vb_log_debug("after a failed save: %s", vb_error_message(&reply->err));
}

void qemu_save_op_abandon_stream(struct qemu_save_op *op)
{
    struct qemu_process *proc = op->dom->proc;

    /* qemu stops the stream and closes the image. A writer blocked in write() stays blocked until
     * that write returns (a file channel cannot be shut down): qemu says `cancelling` till then. */
    if (proc && op->migrating &&
        qemu_process_command(proc, "migrate_cancel", NULL, QEMU_COMMAND_TIMEOUT_USEC, log_cleanup_reply, NULL,
                             NULL) < 0)
        vb_log_debug("cannot cancel the migration of '%s'", op->dom->obj->def->name);
    if (proc && op->fd_in_qemu &&
        qemu_process_command(proc, "closefd", fdname_args(), QEMU_COMMAND_TIMEOUT_USEC, log_cleanup_reply, NULL,
                             NULL) < 0)
        vb_log_debug("cannot make qemu close the image of '%s'", op->dom->obj->def->name);
    op->migrating = op->fd_in_qemu = false;
}

static int on_watch(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qemu_save_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (!op->dom->conn || !op->dom->proc || exit_overdue(op)) {
        if (op->dom->conn)
            vb_error_set(&err, VB_ERR_OPERATION_FAILED, "job '%s' unexpectedly failed", op->job);
        else
            vb_error_set(&err, VB_ERR_OPERATION_ABORTED, "job '%s': connection closed while waiting for qemu",
                         op->job);
        op->fail(op, &err); /* frees op and the watch: sd-event keeps the source for this dispatch */
        vb_error_clear(&err);
        return 0;
    }
    if (sd_event_source_set_time_relative(source, QEMU_SAVE_POLL_USEC) < 0 ||
        sd_event_source_set_enabled(source, SD_EVENT_ONESHOT) < 0) {
        vb_error_set(&err, VB_ERR_INTERNAL_ERROR, "%s: cannot re-arm its timer", op->job);
        fail_step(op, &err);
        vb_error_clear(&err);
        return 0;
    }
    if (op->polling && !op->in_flight) {
        if (qemu_process_command(op->dom->proc, "query-migrate", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_query, op,
                                 &err) < 0) {
            fail_step(op, &err);
            vb_error_clear(&err);
            return 0;
        }
        op->in_flight = true;
    }
    return 0;
}

uint64_t qemu_save_migrate_timeout_usec(void)
{
    const char *text = getenv(QEMU_MIGRATE_TIMEOUT_ENV);
    unsigned long long ms;
    char *end;

    if (!text || !*text)
        return QEMU_MIGRATE_TIMEOUT_USEC;
    errno = 0;
    ms = strtoull(text, &end, 10);
    if (!errno && !*end && ms > 0 && ms <= UINT64_MAX / 1000u)
        return ms * 1000u;
    vb_log_warning("ignoring %s='%s': not a number of milliseconds", QEMU_MIGRATE_TIMEOUT_ENV, text);
    return QEMU_MIGRATE_TIMEOUT_USEC;
}
