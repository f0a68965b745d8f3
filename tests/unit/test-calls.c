/* Unit tests for calls that finish later: the test driver's deferred mode (?delay_ms=N) on a real
 * sd-event loop, the core's job queue (two calls on one domain run one after the other, calls on
 * other domains are not held up), the job wait timeout with libvirt's error, cancellation in
 * line and in the driver, and a domain that goes away while calls wait for it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "api/domain.h"
#include "conf/domain_obj.h"
#include "events/event.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define OTHER_XML "<domain type='test'><name>other</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>" \
                  "<memory>1024</memory><os><type>hvm</type></os></domain>"
#define MAX_CALLS 8

struct fixture {
    sd_event *loop;
    struct vb_event_stream *events;
    struct vb_connect *conn;
    struct vb_call calls[MAX_CALLS];
    int finished[MAX_CALLS]; /* order in which each call ended, from 1 */
    int n_finished;
    unsigned char test_uuid[VB_UUID_LEN], other_uuid[VB_UUID_LEN];
};

static struct fixture *current;

/* The signature is vb_call_done_fn's, which hands every front end a call it may change. */
// cppcheck-suppress constParameter
static void on_done(struct vb_call *call)
{
    struct fixture *f = current;
    int i = (int) (call - f->calls);

    assert_true(i >= 0 && i < MAX_CALLS);
    assert_int_equal(f->finished[i], 0); /* done runs once */
    f->finished[i] = ++f->n_finished;
}

static struct fixture *fixture_open(const char *uri, uint64_t job_wait_usec, unsigned int max_queued)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_error err = VB_ERROR_INIT;

    assert_non_null(f);
    current = f;
    assert_int_equal(sd_event_new(&f->loop), 0);
    f->events = vb_event_stream_new(16);
    if (vb_connect_open(uri,
                        &(struct vb_driver_env){ .events = f->events, .loop = f->loop,
                                                 .job_wait_usec = job_wait_usec, .max_queued_jobs = max_queued },
                        &f->conn, &err) < 0)
        fail_msg("open %s: %s", uri, vb_error_message(&err));
    for (int i = 0; i < MAX_CALLS; i++)
        vb_call_init(&f->calls[i], "client-1", on_done, NULL);
    vb_uuid_parse(TEST_UUID, f->test_uuid);
    vb_uuid_parse("4dea22b3-1d52-d8f3-2516-782e98ab3fa0", f->other_uuid);
    return f;
}

static void fixture_close(struct fixture *f)
{
    vb_connect_close(f->conn); /* ends what is still pending */
    for (int i = 0; i < MAX_CALLS; i++)
        vb_call_clear(&f->calls[i]);
    vb_event_stream_free(f->events);
    sd_event_unref(f->loop);
    free(f);
    current = NULL;
}

/* Runs the loop until `count` calls have ended (or a generous number of iterations passed). */
static void run_until(struct fixture *f, int count)
{
    for (int i = 0; i < 1000 && f->n_finished < count; i++)
        assert_true(sd_event_run(f->loop, 1000000) >= 0);
    assert_int_equal(f->n_finished, count);
}

static void expect_state(struct fixture *f, vb_uuid_t uuid, int state)
{
    struct vb_error err = VB_ERROR_INIT;
    int s, reason;

    assert_int_equal(vb_domain_get_state(f->conn, uuid, &s, &reason, &err), 0);
    assert_int_equal(s, state);
}

static void a_deferred_call_answers_later_and_once(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=20", 0, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    assert_true(vb_call_is_pending(&f->calls[0]));
    assert_int_equal(f->n_finished, 0);
    run_until(f, 1);
    assert_int_equal(f->calls[0].result, 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_PAUSED);
    fixture_close(f);
}

/* The answer of a call that failed in the driver also comes later, with its error. */
static void a_deferred_failure_carries_its_error(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=20", 0, 0);
    char *xml = NULL;

    assert_int_equal(vb_domain_get_xml_desc(f->conn, &f->calls[0], f->test_uuid, 0, &xml), VB_PENDING);
    run_until(f, 1);
    assert_int_equal(f->calls[0].result, 0);
    assert_non_null(strstr(xml, "<name>test</name>"));
    free(xml);
    /* Checks fail at once, without waiting for the driver. */
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), -1);
    assert_string_equal(f->calls[1].err.message, "internal error: domain 'test' not paused");
    fixture_close(f);
}

/* Two calls on one domain: the second waits for the first's job, then runs. */
static void calls_on_one_domain_run_one_after_the_other(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=30", 0, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    /* Resume has not run yet: it waits in line, it did not fail "not paused". */
    expect_state(f, f->test_uuid, VB_DOMAIN_PAUSED);
    run_until(f, 2);
    assert_int_equal(f->calls[0].result, 0);
    assert_int_equal(f->calls[1].result, 0);
    assert_int_equal(f->finished[0], 1);
    assert_int_equal(f->finished[1], 2);
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING);
    fixture_close(f);
}

/* A call on another domain is not held up by the line on the first. */
static void calls_on_other_domains_are_answered_meanwhile(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=30", 0, 0);
    struct vb_domain_ref ref = { 0 };

    assert_int_equal(vb_domain_define_xml(f->conn, &f->calls[0], OTHER_XML, 0, &ref), VB_PENDING);
    run_until(f, 1);
    vb_domain_ref_clear(&ref);
    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[2], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_create(f->conn, &f->calls[3], f->other_uuid, 0), VB_PENDING);
    run_until(f, 4);
    /* The other domain's start ran at once and ended before the queued resume. */
    assert_true(f->finished[3] < f->finished[2]);
    assert_int_equal(f->calls[3].result, 0);
    expect_state(f, f->other_uuid, VB_DOMAIN_RUNNING);
    fixture_close(f);
}

static void a_waiter_gives_up_after_the_job_wait_timeout(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=300", 20 * 1000, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    run_until(f, 1);
    assert_int_equal(f->finished[1], 1);
    assert_int_equal(f->calls[1].result, -1);
    assert_int_equal(f->calls[1].err.code, VB_ERR_OPERATION_TIMEOUT);
    assert_string_equal(f->calls[1].err.message,
                        "Timed out during operation: cannot acquire state change lock (held by "
                        "monitor=virDomainSuspend)");
    run_until(f, 2);
    assert_int_equal(f->calls[0].result, 0);
    fixture_close(f);
}

static void the_line_for_one_domain_is_bounded(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=30", 0, 1);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[2], f->test_uuid), -1);
    assert_string_equal(f->calls[2].err.message, "operation failed: cannot acquire state change lock (held by "
                                                 "monitor=virDomainSuspend) due to max_queued limit");
    run_until(f, 2);
    fixture_close(f);
}

/* The client went away while its call waited in line: it leaves the line and ends, from the
 * loop, as aborted; the next in line gets the job. */
static void a_cancelled_waiter_leaves_the_line(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=30", 0, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    assert_int_equal(vb_domain_destroy(f->conn, &f->calls[2], f->test_uuid, 0), VB_PENDING);
    vb_call_cancel(&f->calls[1]);
    assert_int_equal(f->n_finished, 0); /* never ended inside the cancel */
    run_until(f, 3);
    assert_int_equal(f->calls[1].err.code, VB_ERR_OPERATION_ABORTED);
    assert_int_equal(f->calls[2].result, 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_SHUTOFF);
    fixture_close(f);
}

/* The client went away while the driver worked: the driver answers sooner (to nobody), and
 * the job is free for the next caller. */
static void a_cancelled_call_in_the_driver_ends_early(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=60000", 0, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    vb_call_cancel(&f->calls[0]);
    run_until(f, 1); /* well before the minute's delay */
    assert_true(vb_call_cancelled(&f->calls[0]));
    /* The job is free: resume runs at once (it would wait in line otherwise). */
    assert_int_equal(vb_domain_resume(f->conn, &f->calls[1], f->test_uuid), VB_PENDING);
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING);
    fixture_close(f);
}

/* A transient domain destroyed while another call waits for it: the waiter, holding a
 * reference, finds it gone and says so; nothing is read after it is freed (ASan). */
static void a_domain_gone_while_calls_wait_answers_not_found(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=20", 0, 0);
    struct vb_domain_ref ref = { 0 };

    assert_int_equal(vb_domain_create_xml(f->conn, &f->calls[0], OTHER_XML, 0, &ref), VB_PENDING);
    vb_domain_ref_clear(&ref);
    assert_int_equal(vb_domain_destroy(f->conn, &f->calls[1], f->other_uuid, 0), VB_PENDING);
    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[2], f->other_uuid), VB_PENDING);
    run_until(f, 3);
    assert_int_equal(f->calls[0].result, 0);
    assert_int_equal(f->calls[1].result, 0);
    assert_int_equal(f->calls[2].result, -1);
    assert_int_equal(f->calls[2].err.code, VB_ERR_NO_DOMAIN);
    fixture_close(f);
}

/* Closing the connection ends every call still pending. */
static void closing_the_connection_ends_pending_calls(void **state)
{
    struct fixture *f = fixture_open("test:///default?delay_ms=60000", 0, 0);

    assert_int_equal(vb_domain_suspend(f->conn, &f->calls[0], f->test_uuid), VB_PENDING);
    vb_connect_close(f->conn);
    f->conn = NULL;
    assert_int_equal(f->n_finished, 1);
    for (int i = 0; i < MAX_CALLS; i++)
        vb_call_clear(&f->calls[i]);
    vb_event_stream_free(f->events);
    sd_event_unref(f->loop);
    free(f);
    current = NULL;
}

static void an_unknown_uri_parameter_is_refused(void **state)
{
    struct vb_connect *conn = NULL;
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_connect_open("test:///default?delay=5", &(struct vb_driver_env){ 0 }, &conn, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), "delay"));
    vb_error_clear(&err);
    assert_int_equal(vb_connect_open("test:///default?delay_ms=x", &(struct vb_driver_env){ 0 }, &conn, &err), -1);
    vb_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_deferred_call_answers_later_and_once),
        cmocka_unit_test(a_deferred_failure_carries_its_error),
        cmocka_unit_test(calls_on_one_domain_run_one_after_the_other),
        cmocka_unit_test(calls_on_other_domains_are_answered_meanwhile),
        cmocka_unit_test(a_waiter_gives_up_after_the_job_wait_timeout),
        cmocka_unit_test(the_line_for_one_domain_is_bounded),
        cmocka_unit_test(a_cancelled_waiter_leaves_the_line),
        cmocka_unit_test(a_cancelled_call_in_the_driver_ends_early),
        cmocka_unit_test(a_domain_gone_while_calls_wait_answers_not_found),
        cmocka_unit_test(closing_the_connection_ends_pending_calls),
        cmocka_unit_test(an_unknown_uri_parameter_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
