/* The QMF agent: requests by opcode, agent locate and heartbeats. */
#include <stdlib.h>
#include <string.h>

#include <proton/link.h>

#include "bus/amqp_value.h"
#include "bus/broker.h"
#include "bus/qmf.h"
#include "bus/users.h"
#include "util/log.h"
#include "util/time.h"

/* The application property key as a new string, or NULL. */
static char *property(pn_message_t *msg, const char *key)
{
    pn_data_t *props = pn_message_properties(msg);
    char *value = NULL;

    pn_data_rewind(props);
    if (pn_data_next(props) && bus_map_find(props, key)) {
        value = bus_value_dup_string(props);
        pn_data_exit(props);
    }
    return value;
}

void bus_qmf_put_agent_values(const struct bus_agent *agent, pn_data_t *data)
{
    bus_put_map(data, "_values");
    bus_put_string(data, "_vendor", BUS_AGENT_VENDOR);
    bus_put_string(data, "_product", BUS_AGENT_PRODUCT);
    bus_put_string(data, "_instance", agent->instance);
    bus_put_string(data, "_name", agent->name);
    bus_put_uint64(data, "_timestamp", vb_realtime_usec() * 1000u);
    bus_put_uint32(data, "_heartbeat_interval", agent->fe->options->heartbeat_seconds);
    bus_put_uint64(data, "_epoch", agent->fe->epoch);
    bus_put_string(data, "hostname", agent->fe->hostname);
    bus_put_string(data, "uri", agent->conn->uri);
    pn_data_exit(data);
}

/* A locate request names agents by a predicate over their values; none means every agent. */
static bool locate_matches(struct bus_request *req, const struct bus_agent *agent)
{
    pn_data_t *values = pn_data(0);
    bool match = true;

    pn_data_rewind(req->body);
    if (pn_data_next(req->body) && pn_data_type(req->body) == PN_LIST && pn_data_get_list(req->body) > 0 && values) {
        pn_data_put_map(values);
        pn_data_enter(values);
        bus_qmf_put_agent_values(agent, values);
        pn_data_exit(values);
        pn_data_rewind(values);
        pn_data_next(values);
        char err[128];
        bus_map_find(values, "_values");
        match = bus_qmf_where(req->body, values, err, sizeof(err)) == 1;
    }
    pn_data_free(values);
    return match;
}

/* Every agent the predicate selects answers, each in a message of its own, in agent order. */
static void answer_locate(struct bus_request *req)
{
    for (size_t i = 0; i < req->fe->n_agents; i++) {
        pn_message_t *reply;
        pn_data_t *body;

        req->agent = &req->fe->agents[i];
        if (!locate_matches(req, req->agent))
            continue;
        reply = bus_request_new_reply(req, "_agent_locate_response", NULL);
        if (!reply)
            return;
        body = pn_message_body(reply);
        pn_data_put_map(body);
        pn_data_enter(body);
        bus_qmf_put_agent_values(req->agent, body);
        pn_data_exit(body);
        bus_request_send(req, reply);
    }
}

/* A request on the direct node names its agent in the subject (none: the first); the
 * request then acts on that agent's connection. */
static bool find_addressed_agent(struct bus_request *req)
{
    const struct bus_agent *agent = bus_agent_by_name(req->fe, pn_message_get_subject(req->msg));

    if (agent)
        req->agent = agent;
    return agent != NULL;
}

static void refuse_unknown_agent(struct bus_request *req)
{
    char names[1024] = "";
    size_t used = 0;

    for (size_t i = 0; i < req->fe->n_agents && used < sizeof(names); i++)
        used += (size_t) snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                                  req->fe->agents[i].name);
    bus_request_failf(req, VB_ERR_INVALID_ARG, "no agent named '%s' here (agents here: %s)",
                      pn_message_get_subject(req->msg), names);
}

/* Through RabbitMQ a request's user-id is the console's broker login (the broker refuses any
 * other), so a users file entry of that name is the principal the request acts as. Other
 * brokers are not known to check it: their requests stay anonymous. */
static void take_broker_user(struct bus_request *req)
{
    pn_bytes_t user_id = pn_message_get_user_id(req->msg);
    char name[256];
    uid_t uid;

    if (!req->conn->broker || req->fe->options->profile != BUS_BROKER_RABBITMQ || !req->fe->users ||
        user_id.size == 0 || user_id.size >= sizeof(name) || memchr(user_id.start, '\0', user_id.size))
        return;
    memcpy(name, user_id.start, user_id.size);
    name[user_id.size] = '\0';
    if (!bus_users_lookup(req->fe->users, name, &uid) || !(req->own_principal.name = strdup(name)))
        return;
    req->own_principal.kind = BUS_PRINCIPAL_USER;
    req->own_principal.uid = uid;
    req->principal = &req->own_principal;
}

void bus_qmf_handle(struct bus_conn *conn, pn_message_t *msg)
{
    struct bus_request *req;
    char *opcode = property(msg, "qmf.opcode");

    if (!opcode) {
        vb_log_debug("amqp %s: message without qmf.opcode ignored", conn->label);
        pn_message_free(msg);
        return;
    }
    req = bus_request_new(conn, msg);
    if (!req) {
        pn_message_free(msg);
        free(opcode);
        return;
    }
    take_broker_user(req);
    if (conn->n_requests > BUS_MAX_REQUESTS_PER_CONN) {
        bus_request_failf(req, VB_ERR_RESOURCE_BUSY, "too many requests in flight on this connection (%u)",
                          BUS_MAX_REQUESTS_PER_CONN);
        bus_request_free(req);
    } else if (strcmp(opcode, "_agent_locate_request") == 0) {
        answer_locate(req);
        bus_request_free(req);
    } else if (strcmp(opcode, "_agent_locate_response") == 0 || strcmp(opcode, "_agent_heartbeat_indication") == 0 ||
               strcmp(opcode, "_data_indication") == 0) {
        bus_request_free(req); /* other agents' broadcasts */
    } else if (!find_addressed_agent(req)) {
        refuse_unknown_agent(req);
        bus_request_free(req);
    } else if (strcmp(opcode, "_query_request") == 0) {
        bus_qmf_query(req);
    } else if (strcmp(opcode, "_method_request") == 0) {
        bus_qmf_method(req);
    } else {
        bus_request_failf(req, VB_ERR_ARGUMENT_UNSUPPORTED, "unsupported qmf.opcode '%s'", opcode);
        bus_request_free(req);
    }
    free(opcode);
}

static pn_message_t *heartbeat_message(const struct bus_agent *agent)
{
    pn_message_t *msg = pn_message();
    pn_data_t *props, *body;

    if (!msg)
        return NULL;
    pn_message_set_subject(msg, "agent.ind.heartbeat.virtbus_org.virtbusd");
    props = pn_message_properties(msg);
    pn_data_put_map(props);
    pn_data_enter(props);
    bus_put_string(props, "x-amqp-0-10.app-id", "qmf2");
    bus_put_string(props, "qmf.opcode", "_agent_heartbeat_indication");
    bus_put_string(props, "qmf.agent", agent->name);
    bus_put_string(props, "method", "indication");
    pn_data_exit(props);
    body = pn_message_body(msg);
    pn_data_put_map(body);
    pn_data_enter(body);
    bus_qmf_put_agent_values(agent, body);
    pn_data_exit(body);
    return msg;
}

/* Heartbeats are not worth queueing: a subscriber without credit misses one. */
static void send_heartbeat(struct bus_frontend *fe, const struct bus_agent *agent)
{
    pn_message_t *msg = heartbeat_message(agent);
    const char *subject;

    if (!msg)
        return;
    subject = pn_message_get_subject(msg);
    for (struct bus_conn *c = fe->conns, *next; c; c = next) {
        bool sent = false;
        next = c->next;
        for (struct bus_link *l = c->links; l; l = l->next)
            if (l->kind == BUS_LINK_QMF_TOPIC && bus_topic_matches(l->binding, subject) && bus_link_can_send(l)) {
                bus_link_send(l, msg, 0);
                sent = true;
            }
        if (sent)
            bus_conn_flush(c);
    }
    for (size_t i = 0; i < fe->n_brokers; i++)
        bus_broker_publish_heartbeat(fe->brokers[i], msg);
    pn_message_free(msg);
}

/* Each interval starts with the next agent, so a subscriber that has credit for one message at
 * a time still hears every agent in turn. */
void bus_qmf_send_heartbeat(struct bus_frontend *fe)
{
    for (size_t i = 0; i < fe->n_agents; i++)
        send_heartbeat(fe, &fe->agents[(fe->heartbeat_turn + i) % fe->n_agents]);
    fe->heartbeat_turn++;
}
