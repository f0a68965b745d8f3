/* One QMF request in flight: who asked, what, its authorization and its core call, and how
 * its answer gets back (the reply-to address and correlation id of the request). */
#pragma once

#include <stdbool.h>

#include <proton/message.h>

#include "bus/frontend.h"
#include "drivers/call.h"
#include "policy/engine.h"

struct bus_request;

/* A step that can run again: after polkit answers, it is called from the start. Returns 0 when
 * it answered (or arranged to), VB_PENDING when it waits (policy or a core call). */
typedef int (*bus_request_step)(struct bus_request *req);
/* Called once a core call that went VB_PENDING has ended (req->call.result says how). */
typedef void (*bus_request_finish)(struct bus_request *req);

struct bus_request {
    struct bus_frontend *fe;
    struct bus_conn *conn;          /* NULL once the connection went away: no answer is sent */
    struct bus_request *next, *prev;
    const struct bus_agent *agent;  /* the agent addressed (the first until bus/qmf.c knows) */
    pn_message_t *msg;              /* the request */
    pn_data_t *body;                /* msg's body, positioned by the handlers */
    char *reply_to;
    bool split_lists;               /* one list element per reply message (RabbitMQ) */
    const struct bus_principal *principal; /* the connection's, or own_principal */
    struct bus_principal own_principal;     /* a broker-validated user-id (bus/qmf.c) */
    struct policy_check *check;
    bus_request_step step;
    bus_request_finish finish;
    bool call_pending;
    struct vb_call call;
    char client[24];                /* "amqp:<connection id>": owns AUTODESTROY domains */
    void *data;                     /* the handler's own state (freed with free_data) */
    void (*free_data)(void *data);
};

/* Takes msg. NULL when out of memory or the connection has too many requests in flight (the
 * peer gets an _exception then). */
struct bus_request *bus_request_new(struct bus_conn *conn, pn_message_t *msg);
void bus_request_free(struct bus_request *req);
/* Runs req->step; frees the request when it did not wait. */
void bus_request_run(struct bus_request *req);
/* The connection is going away: the request ends without an answer (a core call in flight is
 * cancelled and the request freed when it ends). */
void bus_request_orphan(struct bus_request *req);

/* Authorizes one core request for the request's principal. 0 allowed; -1 refused (err set);
 * VB_PENDING: polkit is being asked and the step runs again when it answers. */
int bus_request_authorize(struct bus_request *req, const struct policy_request *preq, struct vb_error *err);
/* Authorizes each request in turn and answers a refusal itself: 0 all allowed, VB_PENDING
 * (the step runs again), or -1 (the _exception is sent). */
int bus_request_authorize_all(struct bus_request *req, const struct policy_request *preqs, size_t n);
/* For the objects a query answers unasked (volumes, filtered one by one): asks the engine
 * whether the principal may see each of refs as op's list filter says, so the answer can be
 * filtered from the check's answers. 0 all known, or VB_PENDING (the step runs again). */
int bus_request_ask_listed(struct bus_request *req, enum vb_operation op, const struct vb_object_ref *refs, size_t n);
/* The policy check of a user principal (NULL for anonymous and trusted principals). */
struct policy_check *bus_request_check(struct bus_request *req);

/* Starts req->call (vb_call_init); the core function is called by the handler. */
struct vb_call *bus_request_call(struct bus_request *req, bus_request_finish finish);
/* After the core function returned r: VB_PENDING keeps the request until finish runs. */
int bus_request_after_call(struct bus_request *req, int r);

/* Answers. Each builds the QMF reply (opcode, agent, correlation id) around body. */
pn_message_t *bus_request_new_reply(struct bus_request *req, const char *opcode, const char *content);
void bus_request_send(struct bus_request *req, pn_message_t *reply);
/* Sends a list body, split into one message per element when the route needs it. */
void bus_request_send_list(struct bus_request *req, const char *opcode, const char *content, pn_data_t *list);
/* One part of a list answer too large for one message: every part but the last carries `partial`. */
void bus_request_send_list_part(struct bus_request *req, const char *opcode, const char *content, pn_data_t *list,
                                bool last);
/* An _exception: error_text, error_code (libvirt's), and for a denial the polkit action. */
void bus_request_fail(struct bus_request *req, const struct vb_error *err);
void bus_request_failf(struct bus_request *req, enum vb_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
