/* Domain operations: reference, job (or a place in line for it), driver. */
#include <assert.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "api/dispatch.h"
#include "conf/domain_obj.h"
#include "util/log.h"
#include "util/time.h"

static int run(struct vb_call *call, vb_call_invoke_fn invoke, const void *args)
{
    struct vb_connect *conn = call->state.conn;

    vb_call_enter(call, conn, call->state.operation);
    return vb_call_leave(call, invoke(conn, call, call->state.obj, args));
}

/* The job is ours now and the call runs from the loop, never inside the call that ended the
 * previous job. */
static int on_turn(sd_event_source *source, void *userdata)
{
    struct vb_call *call = userdata;
    struct vb_call_state *s = &call->state;

    s->later = sd_event_source_disable_unref(s->later);
    if (s->cancelled) {
        vb_call_end_cancelled(call);
        return 0;
    }
    if (s->obj->removed) {
        char uuid[VB_UUID_STRING_LEN];

        vb_uuid_format(s->obj->def->uuid, uuid);
        vb_error_set(&call->err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s' (%s)", uuid,
                     s->obj->def->name);
        vb_call_end_pending(call, -1);
        return 0;
    }
    if (run(call, s->invoke, s->args) != VB_PENDING && call->done)
        call->done(call);
    return 0;
}

static void on_job_handed_over(struct vb_job_waiter *waiter, void *userdata)
{
    struct vb_call *call = userdata;
    struct vb_call_state *s = &call->state;
    int r;

    s->waiting = false;
    s->holds_job = true;
    s->timeout = sd_event_source_disable_unref(s->timeout);
    r = sd_event_add_defer(s->conn->loop, &s->later, on_turn, call);
    if (r >= 0)
        r = sd_event_source_set_enabled(s->later, SD_EVENT_ONESHOT);
    if (r < 0) {
        /* Cannot happen short of memory exhaustion; the job must not stay held by nobody. */
        vb_log_error("%s: cannot schedule a queued call: %s", s->operation, strerror(-r));
        s->later = sd_event_source_disable_unref(s->later);
        vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
        vb_call_end_pending(call, -1);
    }
}

static int busy_error(struct vb_call *call, enum vb_error_code code, const char *suffix)
{
    return vb_domain_job_busy_error(&call->state.obj->job, code, suffix, &call->err);
}

static int on_job_wait_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct vb_call *call = userdata;

    vb_domain_job_cancel_wait(&call->state.obj->job, &call->state.waiter);
    call->state.waiting = false;
    busy_error(call, VB_ERR_OPERATION_TIMEOUT, "");
    vb_call_end_pending(call, -1);
    return 0;
}

static int wait_for_job(struct vb_call *call, enum vb_job_kind kind, vb_call_invoke_fn invoke, const void *args,
                        size_t args_size)
{
    struct vb_call_state *s = &call->state;
    struct vb_connect *conn = s->conn;
    int r;

    if (!conn->loop)
        r = busy_error(call, VB_ERR_OPERATION_TIMEOUT, "");
    else if (conn->max_queued_jobs && s->obj->job.queued >= conn->max_queued_jobs)
        r = busy_error(call, VB_ERR_OPERATION_FAILED, " due to max_queued limit");
    else
        r = sd_event_add_time_relative(conn->loop, &s->timeout, CLOCK_MONOTONIC, conn->job_wait_usec, VB_TIMER_ACCURACY_USEC,
                                       on_job_wait_timeout, call);
    if (r < 0) {
        if (!vb_error_is_set(&call->err))
            vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
        vb_call_release(call, -1);
        return -1;
    }
    if (args_size)
        memcpy(s->args, args, args_size);
    s->invoke = invoke;
    s->waiter = (struct vb_job_waiter){ .kind = kind, .operation = s->operation, .fn = on_job_handed_over,
                                        .userdata = call };
    vb_domain_job_enqueue(&s->obj->job, &s->waiter);
    s->waiting = true;
    s->pending = true;
    return VB_PENDING;
}

int vb_dispatch_domain(struct vb_connect *conn, struct vb_call *call, enum vb_operation op, vb_uuid_t uuid,
                       vb_call_invoke_fn invoke, const void *args, size_t args_size)
{
    struct vb_call_state *s = &call->state;
    enum vb_job_kind kind = vb_operation_job(op);

    assert(args_size <= VB_CALL_ARGS_MAX);
    s->conn = conn;
    s->operation = vb_operation_api(op);
    s->obj = conn->driver->domain_acquire(conn->priv, uuid, &call->err);
    if (!s->obj) {
        vb_call_release(call, -1);
        return -1;
    }
    if (kind == VB_JOB_NONE)
        return run(call, invoke, args);
    if (vb_domain_job_try_begin(&s->obj->job, kind, s->operation) == 0) {
        s->holds_job = true;
        return run(call, invoke, args);
    }
    return wait_for_job(call, kind, invoke, args, args_size);
}

int vb_dispatch_unsupported(struct vb_call *call, enum vb_operation op)
{
    vb_error_set(&call->err, VB_ERR_NO_SUPPORT, "%s", vb_operation_api(op));
    vb_call_release(call, -1);
    return -1;
}
