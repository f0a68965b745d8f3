/* The per-domain job lock: acquire, queue, hand over. */
#include <errno.h>

#include "conf/domain_job.h"
#include "util/time.h"

static void job_take(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation)
{
    job->active = kind;
    job->operation = operation;
    job->started_usec = vb_now_usec();
}

int vb_domain_job_try_begin(struct vb_domain_job *job, enum vb_job_kind kind, const char *operation)
{
    if (vb_domain_job_is_active(job) || job->queue_head)
        return -EBUSY;
    job_take(job, kind, operation);
    return 0;
}

void vb_domain_job_enqueue(struct vb_domain_job *job, struct vb_job_waiter *waiter)
{
    struct vb_job_waiter **link = &job->queue_head;

    /* A destroy goes behind earlier destroys but ahead of everything else. */
    if (waiter->kind == VB_JOB_DESTROY)
        while (*link && (*link)->kind == VB_JOB_DESTROY)
            link = &(*link)->next;
    else
        while (*link)
            link = &(*link)->next;
    waiter->next = *link;
    *link = waiter;
    if (!waiter->next)
        job->queue_tail = waiter;
    job->queued++;
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
    job->queued--;
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
    job->queued--;
    job_take(job, next->kind, next->operation);
    next->fn(next, next->userdata);
}

int vb_domain_job_busy_error(const struct vb_domain_job *job, enum vb_error_code code, const char *suffix,
                             struct vb_error *err)
{
    return vb_error_set(err, code, "cannot acquire state change lock (held by monitor=%s)%s",
                        job->operation ? job->operation : "unknown", suffix);
}
