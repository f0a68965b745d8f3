/* virtbus-snmp's QMF requests to virtbusd: queued, sent as credit allows, matched to answers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proton/connection.h>
#include <proton/link.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/common/qmf_console.h"
#include "bridges/snmp/bridge.h"
#include "bridges/snmp/feed.h"
#include "util/log.h"
#include "util/time.h"
#include "util/uuid.h"

void pending_free(struct pending *p)
{
    free(p);
}

struct pending *pending_add(struct bridge *bridge, enum pending_kind kind, const char *agent)
{
    struct pending *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->kind = kind;
    snprintf(p->agent, sizeof(p->agent), "%s", agent ? agent : "");
    p->id = ++bridge->next_id;
    *bridge->pending_tail = p;
    bridge->pending_tail = &p->next;
    return p;
}

void pending_unlink(struct bridge *bridge, struct pending *p)
{
    for (struct pending **pp = &bridge->pending; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            if (bridge->pending_tail == &p->next)
                bridge->pending_tail = pp;
            return;
        }
    }
}

struct pending *pending_find(struct bridge *bridge, pn_message_t *msg)
{
    pn_data_t *cid = pn_message_correlation_id(msg);
    char text[32];
    pn_bytes_t bytes;

    pn_data_rewind(cid);
    if (!pn_data_next(cid) || pn_data_type(cid) != PN_STRING)
        return NULL;
    bytes = pn_data_get_string(cid);
    if (bytes.size >= sizeof(text))
        return NULL;
    memcpy(text, bytes.start, bytes.size);
    text[bytes.size] = '\0';
    for (struct pending *p = bridge->pending; p; p = p->next) {
        char id[32];
        snprintf(id, sizeof(id), "snmp-%" PRIu64, p->id);
        if (strcmp(id, text) == 0)
            return p;
    }
    return NULL;
}

static int encode_request(struct bridge *bridge, struct pending *p)
{
    char cid[32], object_name[64], uuid[VB_UUID_STRING_LEN];
    pn_message_t *msg = bridge->outgoing;

    const char *subject = p->agent[0] ? p->agent : NULL; /* none: the listener's first agent */

    snprintf(cid, sizeof(cid), "snmp-%" PRIu64, p->id);
    if (p->kind == PENDING_METHOD) {
        vb_uuid_format(p->uuid, uuid);
        snprintf(object_name, sizeof(object_name), "domain:%s", uuid);
        if (qmf_console_request(msg, "_method_request", subject, bridge->reply_to, cid) < 0)
            return -EINVAL;
        return qmf_console_method(msg, object_name, p->method);
    }
    if (qmf_console_request(msg, "_query_request", subject, bridge->reply_to, cid) < 0)
        return -EINVAL;
    if (p->kind == PENDING_RELOAD && !p->prefix[0])
        return qmf_console_query_objects(msg, "Domain", NULL);
    if (p->kind == PENDING_RELOAD) {
        char high[sizeof(p->prefix)];
        size_t n = strlen(p->prefix);
        memcpy(high, p->prefix, n + 1);
        high[n - 1]++; /* "0a" <= uuid < "0b": the next character is a hex digit or '-' */
        return qmf_console_query_range(msg, "Domain", "uuid", p->prefix, high);
    }
    vb_uuid_format(p->uuid, uuid);
    snprintf(object_name, sizeof(object_name), "domain:%s", uuid);
    return qmf_console_query_objects(msg, "Domain", object_name);
}

/* Agents are found by a locate on the topic, each answering on its own (a virtbusd serving
 * several connections runs one agent each, on its listener as through a broker), and on a broker
 * also by their heartbeats. */
static void send_locate(struct bridge *bridge)
{
    char cid[32];

    if (!bridge->locate_due || !bridge->topic || pn_link_credit(bridge->topic) <= 0)
        return;
    snprintf(cid, sizeof(cid), "snmp-locate-%" PRIu64, ++bridge->next_id);
    if (qmf_console_request(bridge->outgoing, "_agent_locate_request", "console.request.agent_locate",
                            bridge->reply_to, cid) < 0)
        return;
    pn_data_clear(pn_message_body(bridge->outgoing));
    pn_data_put_list(pn_message_body(bridge->outgoing));
    if (amqp_client_send(bridge->topic, bridge->outgoing) == 0)
        bridge->locate_due = false;
}

/* Sends queued requests while the link has credit and the reply address is known; a request
 * that cannot be encoded is dropped (a SET fails) rather than block those behind it. */
void bridge_send_requests(struct bridge *bridge)
{
    struct pending *p, *next;

    /* Nothing is asked before the event stream is attached: a reload answered earlier could
     * miss a change whose event came before the subscription (a broker keeps no history). */
    if (!bridge->requests || !bridge->reply_to[0] || !bridge->events ||
        !(pn_link_state(bridge->events) & PN_REMOTE_ACTIVE))
        return;
    send_locate(bridge);
    for (p = bridge->pending; p && pn_link_credit(bridge->requests) > 0; p = next) {
        next = p->next;
        if (p->sent)
            continue;
        if (encode_request(bridge, p) == 0 && amqp_client_send(bridge->requests, bridge->outgoing) == 0) {
            p->sent = true;
            continue;
        }
        vb_log_error("request %" PRIu64 " could not be encoded and is dropped", p->id);
        if (p->kind == PENDING_METHOD)
            guest_mib_set_done(p->token, SNMP_ERR_GENERR);
        pending_unlink(bridge, p);
        pending_free(p);
    }
    amqp_client_flush(bridge->amqp);
}

const char *bridge_host_of_agent(const char *agent)
{
    const char *colon = agent ? strrchr(agent, ':') : NULL;

    return colon ? colon + 1 : agent;
}

void bridge_queue_reload_part(struct bridge *bridge, const char *agent, const char *prefix)
{
    struct pending *p = pending_add(bridge, PENDING_RELOAD, agent);

    if (!p) {
        vb_log_error("out of memory: reload incomplete");
        bridge->reload_failed = true;
        return;
    }
    snprintf(p->prefix, sizeof(p->prefix), "%s", prefix);
}

void bridge_queue_reload(struct bridge *bridge, const char *agent)
{
    guest_table_unmark(&bridge->table, bridge_host_of_agent(agent));
    bridge_queue_reload_part(bridge, agent, "");
}

int bridge_set(void *userdata, const struct guest_row *row, enum guest_action action, void *token)
{
    struct bridge *bridge = userdata;
    struct pending *p;

    if (!bridge->requests)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    p = pending_add(bridge, PENDING_METHOD, bridge_agent_of_host(bridge, row->host));
    if (!p)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    memcpy(p->uuid, row->uuid, GUEST_UUID_LEN);
    snprintf(p->method, sizeof(p->method), "%s", guest_action_method(action));
    p->token = token;
    bridge_send_requests(bridge);
    return SNMP_ERR_NOERROR;
}


void bridge_cpu_time_read(void *userdata)
{
    struct bridge *bridge = userdata;

    if (!bridge->requests || vb_now_usec() - bridge->reloaded_usec < CPU_TIME_MAX_AGE_USEC)
        return;
    for (struct pending *p = bridge->pending; p; p = p->next)
        if (p->kind == PENDING_RELOAD)
            return;
    /* On the listener an agent not located since the connection came up may be gone (virtbusd
     * restarted serving fewer connections): asking it would fail the whole reload. */
    for (struct bridge_agent *a = bridge->agents; a; a = a->next)
        if (bridge->broker || a->located)
            bridge_queue_reload(bridge, a->name);
    bridge_send_requests(bridge);
}
