/* One QMF request in flight: authorization, the core call, and the answer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/amqp_value.h"
#include "bus/request.h"
#include "policy/acl.h"
#include "util/log.h"

struct bus_request *bus_request_new(struct bus_conn *conn, pn_message_t *msg)
{
    struct bus_request *req;
    const char *reply_to = pn_message_get_reply_to(msg);

    if (conn->n_requests >= BUS_MAX_REQUESTS_PER_CONN)
        return NULL;
    req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    if (reply_to && !(req->reply_to = strdup(reply_to))) {
        free(req);
        return NULL;
    }
    req->fe = conn->fe;
    req->conn = conn;
    req->agent = &conn->fe->agents[0];
    req->principal = &conn->principal;
    req->msg = msg;
    req->body = pn_message_body(msg);
    req->split_lists = conn->broker != NULL && conn->fe->options->profile == BUS_BROKER_RABBITMQ;
    req->next = conn->requests;
    if (conn->requests)
        conn->requests->prev = req;
    conn->requests = req;
    conn->n_requests++;
    return req;
}

static void unlink_request(struct bus_request *req)
{
    struct bus_conn *conn = req->conn;

    if (!conn)
        return;
    if (req->prev)
        req->prev->next = req->next;
    else
        conn->requests = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->next = req->prev = NULL;
    conn->n_requests--;
    req->conn = NULL;
}

void bus_request_free(struct bus_request *req)
{
    if (!req)
        return;
    unlink_request(req);
    policy_check_free(req->check);
    vb_call_clear(&req->call);
    if (req->free_data)
        req->free_data(req->data);
    pn_message_free(req->msg);
    free(req->own_principal.name);
    free(req->reply_to);
    free(req);
}

void bus_request_run(struct bus_request *req)
{
    struct bus_conn *conn = req->conn;

    if (req->step(req) != VB_PENDING)
        bus_request_free(req);
    if (conn)
        bus_conn_flush(conn);
}

void bus_request_orphan(struct bus_request *req)
{
    unlink_request(req);
    if (req->call_pending) {
        vb_call_cancel(&req->call);
        return; /* freed when the call ends */
    }
    bus_request_free(req);
}

/* --- authorization ----------------------------------------------------------------------- */

static bool permission_is_read_only(const char *name)
{
    return strcmp(name, "getattr") == 0 || strcmp(name, "read") == 0 || strncmp(name, "search_", 7) == 0;
}

/* ANONYMOUS principals may do what a libvirt read-only connection may. */
static int authorize_anonymous(const struct policy_request *preq, struct vb_error *err)
{
    const struct policy_rule *rule = policy_rule_for(preq->op);
    char action[128];

    if (!rule->defined)
        return vb_error_set_literal(err, VB_ERR_ACCESS_DENIED, "access denied: %s has no policy rule",
                                    vb_operation_api(preq->op));
    for (const struct policy_permission *p = rule->permissions; p->name; p++) {
        if (!policy_permission_applies(p, preq->flags) || permission_is_read_only(p->name))
            continue;
        if (policy_action_id(p->object, p->name, action, sizeof(action)) < 0)
            snprintf(action, sizeof(action), "%s", p->name);
        return vb_error_set_literal(err, VB_ERR_ACCESS_DENIED,
                                    "access denied: anonymous principals are read-only: %s", action);
    }
    return 0;
}

static void resume_after_policy(void *userdata)
{
    bus_request_run(userdata);
}

struct policy_check *bus_request_check(struct bus_request *req)
{
    const struct bus_principal *principal;
    struct policy_subject subject;

    if (req->check || !req->conn)
        return req->check;
    principal = req->principal;
    if (principal->kind != BUS_PRINCIPAL_USER)
        return NULL;
    subject = (struct policy_subject){ .kind = POLICY_SUBJECT_UNIX_USER, .uid = (uint32_t) principal->uid,
                                       .principal = principal->name };
    req->check = policy_check_new(req->fe->engine, &subject, false);
    return req->check;
}

int bus_request_authorize(struct bus_request *req, const struct policy_request *preq, struct vb_error *err)
{
    struct policy_check *check;
    uid_t uid;
    int r;

    if (!req->conn)
        return vb_error_set(err, VB_ERR_OPERATION_ABORTED, "the caller went away");
    if (req->principal->kind == BUS_PRINCIPAL_ANONYMOUS)
        return authorize_anonymous(preq, err);
    uid = req->principal->uid;
    /* A session daemon authorizes nobody through polkit: only its own user may act there. */
    if (!policy_engine_enabled(req->fe->engine) && uid != getuid() && uid != 0)
        return vb_error_set_literal(err, VB_ERR_ACCESS_DENIED,
                                    "access denied: principal '%s' is not this session daemon's user",
                                    req->principal->name);
    check = bus_request_check(req);
    if (!check)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    r = policy_check_decide(check, preq, err);
    if (r == VB_PENDING)
        policy_check_on_answered(check, resume_after_policy, req);
    return r;
}

int bus_request_ask_listed(struct bus_request *req, enum vb_operation op, const struct vb_object_ref *refs, size_t n)
{
    struct policy_check *check = bus_request_check(req);
    bool pending = false, visible;

    for (size_t i = 0; check && i < n; i++)
        pending |= policy_check_decide_listed_object(check, op, req->agent->conn, &refs[i], &visible) == VB_PENDING;
    if (!pending)
        return 0;
    policy_check_on_answered(check, resume_after_policy, req);
    return VB_PENDING;
}

int bus_request_authorize_all(struct bus_request *req, const struct policy_request *preqs, size_t n)
{
    struct vb_error err = VB_ERROR_INIT;
    int r = 0;

    for (size_t i = 0; i < n && r == 0; i++)
        r = bus_request_authorize(req, &preqs[i], &err);
    if (r < 0) {
        bus_request_fail(req, &err);
        vb_error_clear(&err);
    }
    return r;
}

/* --- core calls ------------------------------------------------------------------------------ */

static void on_call_done(struct vb_call *call)
{
    struct bus_request *req = call->userdata;
    struct bus_conn *conn = req->conn;

    req->call_pending = false;
    req->fe->pending_calls--;
    if (conn)
        req->finish(req);
    bus_request_free(req);
    if (conn)
        bus_conn_flush(conn);
}

struct vb_call *bus_request_call(struct bus_request *req, bus_request_finish finish)
{
    snprintf(req->client, sizeof(req->client), "amqp:%u", req->conn->id);
    vb_call_clear(&req->call);
    vb_call_init(&req->call, req->client, on_call_done, req);
    req->finish = finish;
    return &req->call;
}

int bus_request_after_call(struct bus_request *req, int r)
{
    if (r == VB_PENDING) {
        req->call_pending = true;
        req->fe->pending_calls++;
        return VB_PENDING;
    }
    req->call.result = r;
    req->finish(req);
    return 0;
}

/* --- answers --------------------------------------------------------------------------------- */

static void put_property(pn_data_t *props, const char *key, const char *value)
{
    pn_data_put_string(props, pn_bytes(strlen(key), key));
    if (value)
        pn_data_put_string(props, pn_bytes(strlen(value), value));
    else
        pn_data_put_null(props);
}

pn_message_t *bus_request_new_reply(struct bus_request *req, const char *opcode, const char *content)
{
    pn_message_t *reply = pn_message();
    pn_data_t *props;

    if (!reply)
        return NULL;
    pn_message_set_correlation_id(reply, pn_message_get_correlation_id(req->msg));
    if (req->reply_to) {
        pn_message_set_address(reply, req->reply_to);
        pn_message_set_subject(reply, req->reply_to);
    }
    props = pn_message_properties(reply);
    pn_data_put_map(props);
    pn_data_enter(props);
    put_property(props, "x-amqp-0-10.app-id", "qmf2");
    put_property(props, "qmf.opcode", opcode);
    put_property(props, "qmf.agent", req->agent->name);
    put_property(props, "method", "response");
    if (content)
        put_property(props, "qmf.content", content);
    pn_data_exit(props);
    return reply;
}

void bus_request_send(struct bus_request *req, pn_message_t *reply)
{
    if (reply && req->conn && req->reply_to)
        bus_route_reply(req->fe, req->conn, req->reply_to, reply);
    else if (req->conn && !req->reply_to)
        vb_log_debug("amqp %s: request without reply-to: answer dropped", req->conn->label);
    pn_message_free(reply);
}

static void mark_partial(pn_message_t *reply)
{
    pn_data_t *props = pn_message_properties(reply);

    pn_data_rewind(props);
    pn_data_next(props);
    pn_data_enter(props);
    while (pn_data_next(props))
        ;
    pn_data_put_string(props, pn_bytes(7, "partial"));
    pn_data_put_null(props);
    pn_data_exit(props);
}

void bus_request_send_list(struct bus_request *req, const char *opcode, const char *content, pn_data_t *list)
{
    bus_request_send_list_part(req, opcode, content, list, true);
}

void bus_request_send_list_part(struct bus_request *req, const char *opcode, const char *content, pn_data_t *list,
                                bool last)
{
    size_t n, i = 0;

    pn_data_rewind(list);
    pn_data_next(list);
    n = pn_data_get_list(list);
    if (!req->split_lists || n < 2) {
        pn_message_t *reply = bus_request_new_reply(req, opcode, content);
        if (reply) {
            pn_data_rewind(list);
            pn_data_appendn(pn_message_body(reply), list, 1);
            if (!last)
                mark_partial(reply);
        }
        bus_request_send(req, reply);
        return;
    }
    pn_data_enter(list);
    while (pn_data_next(list)) {
        pn_message_t *reply = bus_request_new_reply(req, opcode, content);
        pn_data_t *body;
        if (!reply)
            break;
        body = pn_message_body(reply);
        pn_data_put_list(body);
        pn_data_enter(body);
        bus_value_copy(body, list);
        pn_data_exit(body);
        if (++i < n || !last)
            mark_partial(reply);
        bus_request_send(req, reply);
    }
    pn_data_exit(list);
}

/* "access denied by policy: org.libvirt.api.domain.stop": the action, for consoles to show. */
static const char *denied_action(const struct vb_error *err, size_t *len)
{
    const char *action = err->code == VB_ERR_ACCESS_DENIED && err->message ? strstr(err->message, "org.libvirt.api.")
                                                                           : NULL;

    if (!action)
        return NULL;
    *len = strcspn(action, " ,;)'\"");
    return action;
}

void bus_request_fail(struct bus_request *req, const struct vb_error *err)
{
    pn_message_t *reply = bus_request_new_reply(req, "_exception", NULL);
    pn_data_t *body;
    const char *action;
    size_t len = 0;

    if (!reply)
        return;
    body = pn_message_body(reply);
    pn_data_put_map(body);
    pn_data_enter(body);
    bus_put_map(body, "_values");
    bus_put_string(body, "error_text", vb_error_message(err));
    bus_put_int64(body, "error_code", err->code);
    action = denied_action(err, &len);
    if (action) {
        pn_data_put_string(body, pn_bytes(6, "action"));
        pn_data_put_string(body, pn_bytes(len, action));
    }
    pn_data_exit(body);
    pn_data_exit(body);
    if (req->conn)
        vb_log_debug("amqp %s: _exception: %s", req->conn->label, vb_error_message(err));
    bus_request_send(req, reply);
}

void bus_request_failf(struct bus_request *req, enum vb_error_code code, const char *fmt, ...)
{
    struct vb_error err = VB_ERROR_INIT;
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    vb_error_set_literal(&err, code, "%s", text);
    bus_request_fail(req, &err);
    vb_error_clear(&err);
}
