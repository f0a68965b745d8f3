/* For unit tests that call core operations without an event loop: one call context, and the
 * result of an operation that must have ended at once (nothing here waits), its error moved to
 * the test's struct vb_error. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/call.h"

static struct vb_call sync_call_;

static inline struct vb_call *sync_call_as(const char *client)
{
    vb_call_clear(&sync_call_);
    vb_call_init(&sync_call_, client, NULL, NULL);
    return &sync_call_;
}

static inline int sync_result(int r, struct vb_error *err)
{
    assert_int_not_equal(r, VB_PENDING);
    vb_error_move(err, &sync_call_.err);
    return r;
}

/* A fresh call for the next operation; CALL_AS names the client (AUTODESTROY). */
#define CALL sync_call_as(NULL)
#define CALL_AS(client) sync_call_as(client)
/* OP(vb_domain_suspend(conn, CALL, uuid), &err): 0 or -1, err holding the error. */
#define OP(expr, err) sync_result((expr), (err))
