/* Unit tests for the per-domain job lock: taking it, queueing, FIFO hand-over, destroy going
 * ahead of the queue, and waiters that give up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>

#include "conf/domain_job.h"

static void a_held_lock_cannot_be_taken_again(void **state)
{
    struct vb_domain_job job = { 0 };

    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "virDomainCreate"), 0);
    assert_true(vb_domain_job_is_active(&job));
    assert_string_equal(job.operation, "virDomainCreate");
    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "virDomainDestroy"), -EBUSY);
    vb_domain_job_end(&job);
    assert_false(vb_domain_job_is_active(&job));
    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_QUERY, "virDomainGetStats"), 0);
    vb_domain_job_end(&job);
}

struct order {
    struct vb_domain_job *job;
    const char *seen[8];
    int n;
};

struct tagged_waiter {
    struct vb_job_waiter waiter;
    struct order *order;
};

static void record(struct vb_job_waiter *waiter, void *userdata)
{
    struct tagged_waiter *t = userdata;

    /* Called with the lock already handed over. */
    assert_true(vb_domain_job_is_active(t->order->job));
    assert_string_equal(t->order->job->operation, waiter->operation);
    t->order->seen[t->order->n++] = waiter->operation;
}

static void queue(struct vb_domain_job *job, struct tagged_waiter *w, struct order *order, enum vb_job_kind kind,
                  const char *operation)
{
    *w = (struct tagged_waiter){ .waiter = { .kind = kind, .operation = operation, .fn = record, .userdata = w },
                                 .order = order };
    vb_domain_job_enqueue(job, &w->waiter);
}

static void waiters_get_the_lock_in_fifo_order(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w[2];

    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "first"), 0);
    queue(&job, &w[0], &order, VB_JOB_MODIFY, "second");
    queue(&job, &w[1], &order, VB_JOB_QUERY, "third");
    assert_int_equal(job.queued, 2);
    vb_domain_job_end(&job);
    vb_domain_job_end(&job);
    vb_domain_job_end(&job);
    assert_int_equal(order.n, 2);
    assert_string_equal(order.seen[0], "second");
    assert_string_equal(order.seen[1], "third");
    assert_false(vb_domain_job_is_active(&job));
    assert_int_equal(job.queued, 0);
}

/* libvirt's destroy does not wait behind queued work. */
static void destroy_goes_ahead_of_the_queue_but_behind_earlier_destroys(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w[4];

    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "holder"), 0);
    queue(&job, &w[0], &order, VB_JOB_MODIFY, "suspend");
    queue(&job, &w[1], &order, VB_JOB_DESTROY, "destroy-1");
    queue(&job, &w[2], &order, VB_JOB_MODIFY, "resume");
    queue(&job, &w[3], &order, VB_JOB_DESTROY, "destroy-2");
    for (int i = 0; i < 5; i++)
        vb_domain_job_end(&job);
    assert_int_equal(order.n, 4);
    assert_string_equal(order.seen[0], "destroy-1");
    assert_string_equal(order.seen[1], "destroy-2");
    assert_string_equal(order.seen[2], "suspend");
    assert_string_equal(order.seen[3], "resume");
}

/* A free lock with waiters still queued is theirs: nobody jumps the line. */
static void a_queued_waiter_keeps_newcomers_out(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w;

    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "first"), 0);
    queue(&job, &w, &order, VB_JOB_MODIFY, "second");
    vb_domain_job_end(&job); /* second holds it now */
    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "third"), -EBUSY);
    vb_domain_job_end(&job);
    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "third"), 0);
    vb_domain_job_end(&job);
}

static void a_cancelled_waiter_is_never_called(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w[2];

    assert_int_equal(vb_domain_job_try_begin(&job, VB_JOB_MODIFY, "first"), 0);
    queue(&job, &w[0], &order, VB_JOB_MODIFY, "gave-up");
    queue(&job, &w[1], &order, VB_JOB_MODIFY, "stayed");
    assert_true(vb_domain_job_cancel_wait(&job, &w[0].waiter));
    assert_false(vb_domain_job_cancel_wait(&job, &w[0].waiter));
    assert_int_equal(job.queued, 1);
    vb_domain_job_end(&job);
    vb_domain_job_end(&job);
    assert_int_equal(order.n, 1);
    assert_string_equal(order.seen[0], "stayed");
    assert_null(job.queue_tail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_held_lock_cannot_be_taken_again),
        cmocka_unit_test(waiters_get_the_lock_in_fifo_order),
        cmocka_unit_test(destroy_goes_ahead_of_the_queue_but_behind_earlier_destroys),
        cmocka_unit_test(a_queued_waiter_keeps_newcomers_out),
        cmocka_unit_test(a_cancelled_waiter_is_never_called),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
