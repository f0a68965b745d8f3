/* The per-domain job lock. All core state lives on one thread, so the lock never blocks a
 * thread: an operation that finds the domain busy queues a waiter that is handed the lock when
 * the current job ends (the core bounds the wait with a timer). A job may span loop iterations
 * while a driver waits for its hypervisor. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum vb_job_kind {
    VB_JOB_NONE = 0,
    VB_JOB_QUERY,   /* read-only work that still needs a stable domain (stats, guest queries) */
    VB_JOB_MODIFY,  /* anything that changes state or definition */
    VB_JOB_DESTROY, /* destroy: waits ahead of the queued jobs, as libvirt's destroy goes first */
};

struct vb_job_waiter;
typedef void (*vb_job_waiter_fn)(struct vb_job_waiter *waiter, void *userdata);

struct vb_job_waiter {
    enum vb_job_kind kind;
    const char *operation; /* libvirt's API name: "virDomainSuspend" */
    vb_job_waiter_fn fn;   /* called once the lock is this waiter's */
    void *userdata;
    struct vb_job_waiter *next;
};

struct vb_domain_job {
    enum vb_job_kind active;
    const char *operation; /* what holds the lock, for errors: "virDomainCreateWithFlags" */
    uint64_t started_usec; /* CLOCK_MONOTONIC */
    struct vb_job_waiter *queue_head, *queue_tail;
    unsigned int queued;
};

static inline bool vb_domain_job_is_active(const struct vb_domain_job *job)
{
    return job->active != VB_JOB_NONE;
}

/* Takes the lock if it is free and nobody waits for it: 0, else -EBUSY. */
int vb_domain_job_try_begin(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation);

/* Queues waiter (a DESTROY ahead of the others); its fn runs once the lock is handed to it. */
void vb_domain_job_enqueue(struct vb_domain_job *job, struct vb_job_waiter *waiter);

/* Removes a queued waiter (its caller gave up). Returns true if it was queued. */
bool vb_domain_job_cancel_wait(struct vb_domain_job *job, struct vb_job_waiter *waiter);

/* libvirt's words for a busy domain: "cannot acquire state change lock (held by monitor=<the
 * holder's API>)", then suffix ("" or " due to max_queued limit"), with code. Returns -1. */
int vb_domain_job_busy_error(const struct vb_domain_job *job, enum vb_error_code code, const char *suffix,
                             struct vb_error *err);

/* Releases the lock; if waiters are queued, the first one now holds it and its fn is called. */
void vb_domain_job_end(struct vb_domain_job *job);
