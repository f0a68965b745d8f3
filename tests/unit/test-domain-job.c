/* Unit tests for the per-domain job lock: exclusion, FIFO hand-over, cancellation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf/domain_job.h"

static void second_begin_fails_with_libvirt_wording(void **state)
{
    struct vb_domain_job job = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "virDomainCreate", &err), 0);
    assert_true(vb_domain_job_is_active(&job));
    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "virDomainDestroy", &err), -1);
    assert_int_equal(err.code, VB_ERR_OPERATION_TIMEOUT);
    assert_string_equal(err.message,
                        "Timed out during operation: cannot acquire state change lock (held by virDomainCreate)");
    vb_error_clear(&err);
    vb_domain_job_end(&job);
    assert_false(vb_domain_job_is_active(&job));
    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "virDomainDestroy", &err), 0);
    vb_domain_job_end(&job);
}

struct order {
    int calls[8];
    int n;
    struct vb_domain_job *job;
};

struct tagged_waiter {
    struct vb_job_waiter waiter;
    struct order *order;
    int tag;
};

static void record_and_release(struct vb_job_waiter *waiter, void *userdata)
{
    struct tagged_waiter *t = userdata;

    assert_true(vb_domain_job_is_active(t->order->job));
    assert_string_equal(t->order->job->operation, waiter->operation);
    t->order->calls[t->order->n++] = t->tag;
}

static void waiters_get_the_lock_in_fifo_order(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w[3];

    for (int i = 0; i < 3; i++) {
        w[i] = (struct tagged_waiter){ .order = &order, .tag = i + 1 };
        w[i].waiter = (struct vb_job_waiter){ .kind = VB_JOB_MODIFY, .operation = "op", .fn = record_and_release,
                                              .userdata = &w[i] };
    }
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &w[0].waiter), 0); /* free: taken at once */
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &w[1].waiter), 1);
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &w[2].waiter), 1);
    assert_int_equal(order.n, 0);
    vb_domain_job_end(&job); /* hands over to w[1] */
    assert_int_equal(order.n, 1);
    assert_int_equal(order.calls[0], 2);
    vb_domain_job_end(&job); /* hands over to w[2] */
    assert_int_equal(order.calls[1], 3);
    vb_domain_job_end(&job);
    assert_false(vb_domain_job_is_active(&job));
    assert_int_equal(order.n, 2);
}

static void queued_waiter_blocks_immediate_begin_until_served(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter w = { .order = &order, .tag = 7 };
    struct vb_error err = VB_ERROR_INIT;

    w.waiter = (struct vb_job_waiter){ .kind = VB_JOB_MODIFY, .operation = "queued", .fn = record_and_release,
                                       .userdata = &w };
    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "first", &err), 0);
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &w.waiter), 1);
    vb_domain_job_end(&job);
    /* The waiter now holds the lock, so nobody may jump the queue. */
    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "third", &err), -1);
    vb_error_clear(&err);
    vb_domain_job_end(&job);
    assert_int_equal(order.calls[0], 7);
}

static void cancelled_waiter_is_never_called(void **state)
{
    struct vb_domain_job job = { 0 };
    struct order order = { .job = &job };
    struct tagged_waiter a = { .order = &order, .tag = 1 }, b = { .order = &order, .tag = 2 };
    struct vb_error err = VB_ERROR_INIT;

    a.waiter = (struct vb_job_waiter){ .kind = VB_JOB_MODIFY, .operation = "a", .fn = record_and_release, .userdata = &a };
    b.waiter = (struct vb_job_waiter){ .kind = VB_JOB_MODIFY, .operation = "b", .fn = record_and_release, .userdata = &b };
    assert_int_equal(vb_domain_job_begin(&job, VB_JOB_MODIFY, "holder", &err), 0);
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &a.waiter), 1);
    assert_int_equal(vb_domain_job_begin_or_wait(&job, &b.waiter), 1);
    assert_true(vb_domain_job_cancel_wait(&job, &b.waiter));
    assert_false(vb_domain_job_cancel_wait(&job, &b.waiter));
    vb_domain_job_end(&job);
    vb_domain_job_end(&job);
    assert_int_equal(order.n, 1);
    assert_int_equal(order.calls[0], 1);
    assert_false(vb_domain_job_is_active(&job));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(second_begin_fails_with_libvirt_wording),
        cmocka_unit_test(waiters_get_the_lock_in_fifo_order),
        cmocka_unit_test(queued_waiter_blocks_immediate_begin_until_served),
        cmocka_unit_test(cancelled_waiter_is_never_called),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
