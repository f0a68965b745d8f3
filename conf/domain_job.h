/* The per-domain job lock. All core state lives on one thread, so the lock never blocks a
 * thread: an operation that finds the domain busy either fails at once or queues a waiter
 * that is called when the current job ends. Async drivers (QEMU) hold a job across loop
 * iterations while a monitor command is in flight. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum vb_job_kind {
    VB_JOB_NONE = 0,
    VB_JOB_QUERY,   /* read-only work that still needs a stable domain (stats) */
    VB_JOB_MODIFY,  /* anything that changes state or definition */
    VB_JOB_DESTROY, /* destroy: allowed to preempt a waiting queue, as libvirt's */
};

struct vb_job_waiter;
typedef void (*vb_job_waiter_fn)(struct vb_job_waiter *waiter, void *userdata);

struct vb_job_waiter {
    enum vb_job_kind kind;
    const char *operation;
    vb_job_waiter_fn fn;
    void *userdata;
    struct vb_job_waiter *next;
};

struct vb_domain_job {
    enum vb_job_kind active;
    const char *operation; /* what holds the lock, for the error message: "virDomainCreate" */
    uint64_t started_usec;
    struct vb_job_waiter *queue_head, *queue_tail;
};

/* Takes the lock or fails at once with libvirt's
 * VB_ERR_OPERATION_TIMEOUT "cannot acquire state change lock (held by virDomainCreate)". */
int vb_domain_job_begin(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation,
                        struct vb_error *err);

/* Takes the lock if free (returns 0; fn is not called), else queues waiter (returns 1) and
 * calls waiter->fn once the lock has been handed to it. Waiters are served in FIFO order. */
int vb_domain_job_begin_or_wait(struct vb_domain_job *job, struct vb_job_waiter *waiter);

/* Removes a queued waiter (e.g. its caller gave up). Returns true if it was queued. */
bool vb_domain_job_cancel_wait(struct vb_domain_job *job, struct vb_job_waiter *waiter);

/* Releases the lock; if waiters are queued, the first one now holds it and its fn is called. */
void vb_domain_job_end(struct vb_domain_job *job);

static inline bool vb_domain_job_is_active(const struct vb_domain_job *job)
{
    return job->active != VB_JOB_NONE;
}
