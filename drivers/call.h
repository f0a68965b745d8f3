/* One call into the core: who asked, where its result goes, and what the core holds for it.
 *
 * Every operation a front end asks of the core carries a struct vb_call. The core function
 * returns 0 (done, outputs written), -1 (done, call->err says why) or VB_PENDING: then the
 * call ends later, from the event loop, and call->done runs exactly once, with call->result 0
 * or -1. Outputs the front end passed by pointer are written before done runs, so they must live
 * in memory the front end keeps until then (usually beside the struct vb_call it embeds).
 *
 * A call can be pending because the domain's job is held by another call (it waits in line,
 * for at most the job wait timeout, as libvirt's callers wait for its state change lock), or
 * because the driver answers later (a QEMU monitor round trip). While a call lasts, the core
 * holds a reference on its domain object and, if the operation needs it, the domain's job. */
#pragma once

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/domain_job.h"
#include "util/error.h"

#define VB_PENDING 1

struct vb_call;
struct vb_connect;
struct vb_domain_obj;
struct sd_event_source;

typedef void (*vb_call_done_fn)(struct vb_call *call);
/* A driver's way to abandon pending work when the caller went away. */
typedef void (*vb_call_cancel_fn)(struct vb_call *call, void *data);
/* Runs a domain operation on the driver once the core holds what it needs (api/dispatch.c). */
typedef int (*vb_call_invoke_fn)(struct vb_connect *conn, struct vb_call *call, struct vb_domain_obj *obj,
                                 const void *args);

/* The largest argument block a domain operation captures while it waits for the job. */
#define VB_CALL_ARGS_MAX 96

/* What the core and the driver keep for a call; front ends never read it. */
struct vb_call_state {
    struct vb_connect *conn;
    struct vb_domain_obj *obj;      /* referenced until the call ends */
    bool holds_job;                 /* obj's job is ours until the call ends */
    bool pending;                   /* the front end was told VB_PENDING */
    bool in_invoke, completed_early, finished, cancelled;
    int early_result;
    const char *operation;          /* libvirt's API name, for errors and the job's holder */
    struct vb_job_waiter waiter;    /* in obj's job queue while waiting */
    bool waiting;
    struct sd_event_source *timeout; /* the job wait deadline */
    struct sd_event_source *later;   /* a step deferred to the loop (grant, finish) */
    vb_call_invoke_fn invoke;
    alignas(max_align_t) unsigned char args[VB_CALL_ARGS_MAX];
    vb_call_cancel_fn cancel;
    void *cancel_data;
    char *owned; /* a string the core made for the call (an absolute path), freed when it ends */
};

struct vb_call {
    /* Filled by the front end (vb_call_init). */
    const char *client;   /* the requesting client's stable id: owns AUTODESTROY domains */
    vb_call_done_fn done; /* runs once, from the loop, when a call that returned VB_PENDING ends */
    void *userdata;

    /* The outcome once the call has ended: 0, or -1 with err set. */
    int result;
    struct vb_error err;

    struct vb_call_state state;
};

/* --- front ends ----------------------------------------------------------------------------- */

void vb_call_init(struct vb_call *call, const char *client, vb_call_done_fn done, void *userdata);

/* The client went away: a call still waiting for the job leaves the line and ends with
 * VB_ERR_OPERATION_ABORTED; one in the driver is asked to abandon its work (if the driver can)
 * or runs to its end. Either way done still runs once, later, from the loop. */
void vb_call_cancel(struct vb_call *call);

/* Frees what the call owns (its error). Only once the call has ended. */
void vb_call_clear(struct vb_call *call);

static inline bool vb_call_is_pending(const struct vb_call *call)
{
    return call->state.pending && !call->state.finished;
}

/* --- drivers -------------------------------------------------------------------------------- */

/* Ends a call the driver answered VB_PENDING: r is 0 (outputs written) or -1 (call->err set).
 * Call it from the loop, after the slot has returned. */
void vb_call_complete(struct vb_call *call, int r);

/* How to abandon the driver's pending work if the caller goes away. */
void vb_call_set_cancel(struct vb_call *call, vb_call_cancel_fn fn, void *data);

static inline bool vb_call_cancelled(const struct vb_call *call)
{
    return call->state.cancelled;
}

/* For a call that created obj (CreateXML, Restore): holds obj (a reference and its job, which
 * must be free) until the call ends, so other calls on the new domain wait for it. */
int vb_call_hold(struct vb_call *call, struct vb_domain_obj *obj, enum vb_job_kind kind);

/* --- the core (api/) ------------------------------------------------------------------------ */

/* Around a driver slot: the core marks the call as being inside the driver, then looks at what
 * the slot returned. Returns what the core function returns. */
void vb_call_enter(struct vb_call *call, struct vb_connect *conn, const char *operation);
int vb_call_leave(struct vb_call *call, int r);
/* Lets go of the object and job held for the call and records r (0 or -1) as its result. */
void vb_call_release(struct vb_call *call, int r);
/* Ends a call the front end was told is pending: release, then done. */
void vb_call_end_pending(struct vb_call *call, int r);
/* The same for a call whose caller went away before it ran: fails it with "the caller went away". */
void vb_call_end_cancelled(struct vb_call *call);
