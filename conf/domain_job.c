/* The per-domain job lock: acquire, queue, hand over. */
#include <time.h>

#include "conf/domain_job.h"

static uint64_t now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void job_take(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation)
{
    job->active = kind;
    job->operation = operation;
    job->started_usec = now_usec();
}

int vb_domain_job_begin(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation,
                        struct vb_error *err)
{
    if (vb_domain_job_is_active(job) || job->queue_head)
        return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT,
                            "cannot acquire state change lock (held by %s)",
                            job->operation ? job->operation : "unknown");
    job_take(job, kind, operation);
    return 0;
}

int vb_domain_job_begin_or_wait(struct vb_domain_job *job, struct vb_job_waiter *waiter)
{
    if (!vb_domain_job_is_active(job) && !job->queue_head) {
        job_take(job, waiter->kind, waiter->operation);
        return 0;
    }
    waiter->next = NULL;
    if (job->queue_tail)
        job->queue_tail->next = waiter;
    else
        job->queue_head = waiter;
    job->queue_tail = waiter;
    return 1;
}

bool vb_domain_job_cancel_wait(struct vb_domain_job *job, struct vb_job_waiter *waiter)
{
    struct vb_job_waiter **link = &job->queue_head;
    struct vb_job_waiter *prev = NULL;

    while (*link && *link != waiter) {
        prev = *link;
        link = &(*link)->next;
    }
    if (!*link)
        return false;
    *link = waiter->next;
    if (job->queue_tail == waiter)
        job->queue_tail = prev;
    waiter->next = NULL;
    return true;
}

void vb_domain_job_end(struct vb_domain_job *job)
{
    struct vb_job_waiter *next = job->queue_head;

    job->active = VB_JOB_NONE;
    job->operation = NULL;
    if (!next)
        return;
    job->queue_head = next->next;
    if (!job->queue_head)
        job->queue_tail = NULL;
    next->next = NULL;
    job_take(job, next->kind, next->operation);
    next->fn(next, next->userdata);
}
