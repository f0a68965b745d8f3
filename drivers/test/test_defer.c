/* The test driver's deferred mode (test:///...?delay_ms=N): every operation answers N ms after
 * it was made, as a hypervisor whose monitor replies late, so front ends, the core's job queue
 * and cancellation are exercised against a driver that finishes later. */
#include <stdlib.h>

#include <systemd/sd-event.h>

#include "drivers/test/test_private.h"
#include "util/log.h"
#include "util/time.h"

struct test_pending {
    struct test_conn *conn;
    struct vb_call *call;
    int result;
    sd_event_source *timer;
    struct test_pending *prev, *next;
};

static void pending_unlink(struct test_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        p->conn->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

static void pending_finish(struct test_pending *p)
{
    struct vb_call *call = p->call;
    int result = p->result;

    pending_unlink(p);
    sd_event_source_disable_unref(p->timer);
    free(p);
    vb_call_complete(call, result);
}

static int on_delay_over(sd_event_source *source, uint64_t usec, void *userdata)
{
    pending_finish(userdata);
    return 0;
}

/* The caller went away: answer at the next loop iteration instead of after the delay (the
 * change was made already; nobody waits for the answer). */
static void on_cancel(struct vb_call *call, void *data)
{
    struct test_pending *p = data;

    if (sd_event_source_set_time_relative(p->timer, 0) < 0)
        vb_log_warning("%s: cannot shorten the delay of a cancelled call", call->state.operation);
}

int test_done(struct test_conn *conn, struct vb_call *call, int r)
{
    struct test_pending *p;

    if (conn->delay_usec == 0 || !conn->loop)
        return r;
    p = calloc(1, sizeof(*p));
    if (!p)
        return r; /* answering at once is still a right answer */
    *p = (struct test_pending){ .conn = conn, .call = call, .result = r };
    /* Accuracy 1 µs: sd-event reads 0 as its default of 250 ms and would answer up to a quarter
     * of a second late, not delay_ms later. */
    if (sd_event_add_time_relative(conn->loop, &p->timer, CLOCK_MONOTONIC, conn->delay_usec, VB_TIMER_ACCURACY_USEC, on_delay_over,
                                   p) < 0) {
        free(p);
        return r;
    }
    p->next = conn->pending;
    if (p->next)
        p->next->prev = p;
    conn->pending = p;
    vb_call_set_cancel(call, on_cancel, p);
    return VB_PENDING;
}

void test_defer_flush(struct test_conn *conn)
{
    while (conn->pending)
        pending_finish(conn->pending);
}
