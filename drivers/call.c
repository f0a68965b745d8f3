/* A call's life: entering and leaving the driver, ending later, being cancelled, and letting
 * go of the domain object and job the core held for it. */
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "api/connect.h"
#include "conf/domain_obj.h"
#include "drivers/call.h"
#include "util/log.h"

void vb_call_init(struct vb_call *call, const char *client, vb_call_done_fn done, void *userdata)
{
    memset(call, 0, sizeof(*call));
    call->client = client;
    call->done = done;
    call->userdata = userdata;
    call->err = VB_ERROR_INIT;
}

void vb_call_clear(struct vb_call *call)
{
    vb_error_clear(&call->err);
    free(call->state.owned);
    call->state.owned = NULL;
}

static struct sd_event *call_loop(const struct vb_call *call)
{
    return call->state.conn ? call->state.conn->loop : NULL;
}

/* Lets go of everything the core holds for the call and records its result. Handing the job
 * over to the next waiter only schedules that waiter, so nothing runs re-entrantly here. */
void vb_call_release(struct vb_call *call, int r)
{
    struct vb_call_state *s = &call->state;

    s->timeout = sd_event_source_disable_unref(s->timeout);
    s->later = sd_event_source_disable_unref(s->later);
    if (s->waiting) {
        vb_domain_job_cancel_wait(&s->obj->job, &s->waiter);
        s->waiting = false;
    }
    if (s->holds_job) {
        s->holds_job = false;
        vb_domain_job_end(&s->obj->job);
    }
    vb_domain_obj_unref(s->obj);
    s->obj = NULL;
    free(s->owned);
    s->owned = NULL;
    if (r < 0 && !vb_error_is_set(&call->err))
        vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "%s failed without a reason",
                     s->operation ? s->operation : "the operation");
    call->result = r < 0 ? -1 : 0;
    s->finished = true;
}

/* Ends a call the front end was told is pending. */
void vb_call_end_pending(struct vb_call *call, int r)
{
    vb_call_release(call, r);
    if (call->done)
        call->done(call);
}

void vb_call_enter(struct vb_call *call, struct vb_connect *conn, const char *operation)
{
    call->state.conn = conn;
    call->state.operation = operation;
    call->state.in_invoke = true;
    call->state.completed_early = false;
}

int vb_call_leave(struct vb_call *call, int r)
{
    struct vb_call_state *s = &call->state;

    s->in_invoke = false;
    if (r == VB_PENDING && s->completed_early)
        r = s->early_result;
    if (r == VB_PENDING) {
        s->pending = true;
        return VB_PENDING;
    }
    if (r > 0) {
        vb_log_error("%s: a driver slot returned %d; slots return 0, -1 or VB_PENDING", s->operation, r);
        r = vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "%s returned an unexpected value", s->operation);
    }
    vb_call_release(call, r);
    return call->result;
}

void vb_call_complete(struct vb_call *call, int r)
{
    struct vb_call_state *s = &call->state;

    /* A driver that ends the call before its slot has returned: the slot's return settles it. */
    if (s->in_invoke) {
        s->completed_early = true;
        s->early_result = r;
        return;
    }
    if (s->finished) {
        vb_log_error("%s: a call was completed twice", s->operation ? s->operation : "?");
        return;
    }
    vb_call_end_pending(call, r);
}

void vb_call_set_cancel(struct vb_call *call, vb_call_cancel_fn fn, void *data)
{
    call->state.cancel = fn;
    call->state.cancel_data = data;
}

int vb_call_hold(struct vb_call *call, struct vb_domain_obj *obj, enum vb_job_kind kind)
{
    struct vb_call_state *s = &call->state;

    if (s->obj)
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "%s already holds a domain", s->operation);
    if (kind != VB_JOB_NONE && vb_domain_job_try_begin(&obj->job, kind, s->operation) < 0)
        return vb_domain_job_busy_error(&obj->job, VB_ERR_OPERATION_TIMEOUT, "", &call->err);
    s->obj = vb_domain_obj_ref(obj);
    s->holds_job = kind != VB_JOB_NONE;
    return 0;
}

void vb_call_end_cancelled(struct vb_call *call)
{
    vb_error_set(&call->err, VB_ERR_OPERATION_ABORTED, "%s: the caller went away", call->state.operation);
    vb_call_end_pending(call, -1);
}

static int on_cancelled_in_line(sd_event_source *source, void *userdata)
{
    struct vb_call *call = userdata;

    call->state.later = sd_event_source_disable_unref(call->state.later);
    vb_call_end_cancelled(call);
    return 0;
}

void vb_call_cancel(struct vb_call *call)
{
    struct vb_call_state *s = &call->state;
    struct sd_event *loop = call_loop(call);

    if (s->finished || s->cancelled)
        return;
    s->cancelled = true;
    if (!s->pending)
        return;
    if (s->waiting) {
        /* Out of the line now, so it is never handed the job; done runs from the loop. */
        vb_domain_job_cancel_wait(&s->obj->job, &s->waiter);
        s->waiting = false;
        s->timeout = sd_event_source_disable_unref(s->timeout);
        if (!loop || sd_event_add_defer(loop, &s->later, on_cancelled_in_line, call) < 0 ||
            sd_event_source_set_enabled(s->later, SD_EVENT_ONESHOT) < 0) {
            s->later = sd_event_source_disable_unref(s->later);
            vb_call_end_cancelled(call);
        }
        return;
    }
    if (s->later)
        return; /* handed the job, about to run: it sees the cancellation then */
    if (s->cancel)
        s->cancel(call, s->cancel_data);
}
