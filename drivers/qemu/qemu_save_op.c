/* One save or restore on the loop: QMP steps one after another, then query-migrate polled
 * until the stream is through, with a periodic watch that notices a qemu that went away
 * (its pending replies are then dropped, so waiting for them would wait forever). */
#include "drivers/qemu/qemu_domain_save_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_command.h"
#include "util/macros.h"

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
    *op = (struct qemu_save_op){ .dom = dom, .call = call, .path = op->path, .job = job, .fail = fail };
    if (sd_event_add_time_relative(dom->conn->loop, &op->watch, CLOCK_MONOTONIC, QEMU_SAVE_POLL_USEC, 0, on_watch,
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

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_save_op *op = userdata;

    op->in_flight = false;
    if (reply->result < 0)
        op->fail(op, &reply->err);
    else
        op->next(op);
}

void qemu_save_op_send(struct qemu_save_op *op, const char *command, struct json_object *arguments,
                       qemu_save_step_fn next)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!op->dom->proc) {
        json_object_put(arguments);
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "%s: unexpectedly failed", op->job);
    } else if (qemu_process_command(op->dom->proc, command, arguments, QEMU_COMMAND_TIMEOUT_USEC, on_reply, op,
                                    &err) == 0) {
        op->next = next;
        op->in_flight = true;
        return;
    }
    op->fail(op, &err);
    vb_error_clear(&err);
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
        op->fail(op, &reply->err);
        return;
    }
    json_object_object_get_ex(reply->ret, "status", &status);
    text = status ? json_object_get_string(status) : "";
    if (streq(text, "completed")) {
        op->polling = false;
        op->next(op);
        return;
    }
    if (!streq(text, "failed") && !streq(text, "cancelled"))
        return; /* setup, active, device, ...: the watch asks again */
    if (json_object_object_get_ex(reply->ret, "error-desc", &desc))
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "%s: unexpectedly failed: %s", op->job,
                     json_object_get_string(desc));
    else
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "%s: %s", op->job,
                     streq(text, "failed") ? "unexpectedly failed" : "canceled by client");
    op->fail(op, &err);
    vb_error_clear(&err);
}

void qemu_save_op_wait_migration(struct qemu_save_op *op, qemu_save_step_fn next)
{
    op->next = next;
    op->polling = true;
}

static int on_watch(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qemu_save_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (!op->dom->conn || !op->dom->proc) {
        vb_error_set(&err, op->dom->conn ? VB_ERR_OPERATION_FAILED : VB_ERR_OPERATION_ABORTED, "%s: %s", op->job,
                     op->dom->conn ? "unexpectedly failed" : "connection closed while waiting for qemu");
        op->fail(op, &err); /* frees op and the watch: sd-event keeps the source for this dispatch */
        vb_error_clear(&err);
        return 0;
    }
    if (sd_event_source_set_time_relative(source, QEMU_SAVE_POLL_USEC) < 0 ||
        sd_event_source_set_enabled(source, SD_EVENT_ONESHOT) < 0) {
        vb_error_set(&err, VB_ERR_INTERNAL_ERROR, "%s: cannot re-arm its timer", op->job);
        op->fail(op, &err);
        vb_error_clear(&err);
        return 0;
    }
    if (op->polling && !op->in_flight) {
        if (qemu_process_command(op->dom->proc, "query-migrate", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_query, op,
                                 &err) < 0) {
            op->fail(op, &err);
            vb_error_clear(&err);
            return 0;
        }
        op->in_flight = true;
    }
    return 0;
}

char *qemu_save_exec_uri(const char *before_path, const char *path, const char *after_path)
{
    _cleanup_free_ char *quoted = qemu_argv_to_string((char *[]){ (char *) path, NULL });
    char *uri;

    if (!quoted || asprintf(&uri, "exec:%s%s%s", before_path, quoted, after_path) < 0)
        return NULL;
    return uri;
}
