/* The AMQP side of virtbus-snmp: one connection to virtbusd (or a broker) carrying QMF requests
 * (a reload of every Domain on each connect, one Domain after each event, SETs' method calls)
 * and the JSON event stream, replayed from the last sequence number seen after a reconnect. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/common/qmf_console.h"
#include "bridges/common/virtbus_event.h"
#include "bridges/snmp/bridge.h"
#include "bridges/snmp/trap.h"
#include "util/log.h"
#include "util/uuid.h"

#define LINK_CREDIT 1000

static void pending_free(struct pending *p)
{
    free(p);
}

static struct pending *pending_add(struct bridge *bridge, enum pending_kind kind)
{
    struct pending *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->kind = kind;
    p->id = ++bridge->next_id;
    *bridge->pending_tail = p;
    bridge->pending_tail = &p->next;
    return p;
}

static void pending_unlink(struct bridge *bridge, struct pending *p)
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

static struct pending *pending_find(struct bridge *bridge, pn_message_t *msg)
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

    snprintf(cid, sizeof(cid), "snmp-%" PRIu64, p->id);
    if (p->kind == PENDING_METHOD) {
        vb_uuid_format(p->uuid, uuid);
        snprintf(object_name, sizeof(object_name), "domain:%s", uuid);
        if (qmf_console_request(msg, "_method_request", NULL, bridge->reply_to, cid) < 0)
            return -EINVAL;
        return qmf_console_method(msg, object_name, p->method);
    }
    if (qmf_console_request(msg, "_query_request", NULL, bridge->reply_to, cid) < 0)
        return -EINVAL;
    if (p->kind == PENDING_RELOAD)
        return qmf_console_query_objects(msg, "Domain", NULL);
    vb_uuid_format(p->uuid, uuid);
    snprintf(object_name, sizeof(object_name), "domain:%s", uuid);
    return qmf_console_query_objects(msg, "Domain", object_name);
}

/* Sends queued requests while the link has credit and the reply address is known; a request
 * that cannot be encoded is dropped (a SET fails) rather than block those behind it. */
static void send_requests(struct bridge *bridge)
{
    struct pending *p, *next;

    if (!bridge->requests || !bridge->reply_to[0])
        return;
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

static void queue_reload(struct bridge *bridge)
{
    if (!pending_add(bridge, PENDING_RELOAD))
        vb_log_error("out of memory: no reload");
}

static void finish_reload(struct bridge *bridge, struct pending *p)
{
    size_t dropped = guest_table_sweep(&bridge->table, NULL);

    vb_log_info("table reloaded: %zu domains, %zu stale rows removed", bridge->table.count, dropped);
}

struct object_read {
    struct bridge *bridge;
    char host[GUEST_HOST_MAX]; /* the answering agent's host */
    struct guest_row *last;    /* the row the last object updated */
};

/* The host an answer comes from: its agent's name is virtbus.org:virtbusd:<host>. */
static void reply_host(pn_message_t *msg, char *host, size_t size)
{
    char agent[GUEST_HOST_MAX + 32];
    const char *last;

    qmf_console_reply_agent(msg, agent, sizeof(agent));
    last = strrchr(agent, ':');
    snprintf(host, size, "%.*s", (int) size - 1, last ? last + 1 : agent);
}

static void read_property(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    guest_info_set_property(userdata, key, len, data);
}

static void read_object(pn_data_t *values, void *userdata)
{
    struct object_read *read = userdata;
    struct guest_info info;

    memset(&info, 0, sizeof(info));
    qmf_map_each(values, read_property, &info);
    read->last = guest_table_update(&read->bridge->table, &info, read->host);
    if (!read->last)
        vb_log_warning("a Domain object without a usable uuid was ignored");
}

/* The trap of a lifecycle event: the state the event left the domain in (the row may have moved
 * on since), and the row status: active while in a running state, destroy once the row is gone. */
static void send_trap(struct bridge *bridge, const struct pending *p, const struct guest_row *row)
{
    struct guest_trap trap = {
        .name = row ? row->name : p->name, .uuid = p->uuid, .state = p->event_state,
        .host = p->host, .event = p->event, .detail = p->detail, .seq = p->seq,
    };

    if (!row) {
        trap.row_status = GUEST_ROW_DESTROY;
        if (!trap.state)
            trap.state = GUEST_STATE_SHUTOFF;
    } else if (!trap.state) {
        trap.state = row->state;
        trap.row_status = guest_row_status(row);
    } else {
        trap.row_status = trap.state == GUEST_STATE_SHUTOFF ? GUEST_ROW_NOT_IN_SERVICE : GUEST_ROW_ACTIVE;
    }
    guest_trap_send(&trap);
    bridge->traps_sent++;
}

/* The answer to a one-domain query: the row updated, or removed when the domain is gone. */
static void finish_refresh(struct bridge *bridge, struct pending *p, pn_message_t *msg, bool exception)
{
    struct object_read read = {.bridge = bridge};
    int count;

    reply_host(msg, read.host, sizeof(read.host));
    count = exception ? 0 : qmf_console_each_object(msg, read_object, &read);
    if (count > 0 && read.last && p->event[0]) {
        snprintf(read.last->last_event, sizeof(read.last->last_event), "%s", p->event);
        snprintf(read.last->last_detail, sizeof(read.last->last_detail), "%s", p->detail);
        read.last->last_seq = p->seq;
    }
    vb_log_debug("domain %s: %d objects%s", p->name, count, exception ? " (exception)" : "");
    if (count <= 0)
        guest_table_remove(&bridge->table, p->uuid);
    if (p->trap)
        send_trap(bridge, p, count > 0 ? guest_table_find(&bridge->table, p->uuid) : NULL);
}

/* SNMP's answer to a method's outcome: libvirt's error codes (bus/README.md) to SET errors. */
static int method_error(int64_t code)
{
    switch (code) {
    case 0:
        return SNMP_ERR_NOERROR;
    case 88: /* access denied (also every ANONYMOUS call) */
    case 6:  /* read-only connection */
        return SNMP_ERR_NOACCESS;
    case 55: /* operation invalid in the domain's state */
        return SNMP_ERR_INCONSISTENTVALUE;
    default:
        return SNMP_ERR_COMMITFAILED;
    }
}

static void finish_method(struct pending *p, pn_message_t *msg, bool exception)
{
    int64_t code = 0;

    if (exception) {
        char text[256];
        qmf_console_exception(msg, &code, text, sizeof(text));
        vb_log_notice("SET %s refused by virtbusd: %s (%" PRId64 ")", p->method, text, code);
        if (code == 0)
            code = -1;
    }
    guest_mib_set_done(p->token, method_error(code));
}

static void handle_reply(struct bridge *bridge, pn_message_t *msg)
{
    struct pending *p = pending_find(bridge, msg);
    char opcode[64];
    bool exception, partial;

    if (!p) {
        vb_log_debug("reply to no request ignored");
        return;
    }
    qmf_console_reply_opcode(msg, opcode, sizeof(opcode));
    exception = strcmp(opcode, "_exception") == 0;
    partial = !exception && qmf_console_reply_partial(msg);
    if (p->kind == PENDING_RELOAD) {
        struct object_read read = {.bridge = bridge};
        reply_host(msg, read.host, sizeof(read.host));
        if (!p->started)
            guest_table_unmark(&bridge->table, NULL);
        p->started = true;
        if (exception)
            vb_log_warning("reload refused by virtbusd; the table keeps its rows");
        else if (qmf_console_each_object(msg, read_object, &read) < 0)
            vb_log_warning("malformed reload answer ignored");
        if (partial)
            return;
        if (!exception)
            finish_reload(bridge, p);
    } else if (partial) {
        return; /* one object or a method answer never spans messages */
    } else if (p->kind == PENDING_REFRESH) {
        finish_refresh(bridge, p, msg, exception);
    } else {
        finish_method(p, msg, exception);
    }
    pending_unlink(bridge, p);
    pending_free(p);
}

static void handle_event_message(struct bridge *bridge, pn_message_t *msg)
{
    pn_data_t *body = pn_message_body(msg);
    struct virtbus_event event;
    const char *error = NULL;
    pn_bytes_t bytes = {0, NULL};
    struct pending *p;

    pn_data_rewind(body);
    if (pn_data_next(body) && pn_data_type(body) == PN_BINARY)
        bytes = pn_data_get_binary(body);
    else if (pn_data_type(body) == PN_STRING)
        bytes = pn_data_get_string(body);
    if (!bytes.start || virtbus_event_parse(bytes.start, bytes.size, &event, &error) < 0) {
        vb_log_warning("event ignored: %s", error ? error : "no JSON body");
        return;
    }
    if (bridge->have_seq && event.seq <= bridge->last_seq)
        return; /* seen already (a broker may deliver twice) */
    if (bridge->have_seq && event.seq > bridge->last_seq + 1)
        vb_log_notice("events %" PRIu64 "..%" PRIu64 " were not received; the reload covers them",
                      bridge->last_seq + 1, event.seq - 1);
    bridge->last_seq = event.seq;
    bridge->have_seq = true;
    vb_log_debug("event %" PRIu64 ": %s %s %s", event.seq, event.name, event.event, event.detail);
    p = pending_add(bridge, PENDING_REFRESH);
    if (!p)
        return;
    memcpy(p->uuid, event.uuid, GUEST_UUID_LEN);
    snprintf(p->name, sizeof(p->name), "%s", event.name);
    p->trap = guest_event_is_lifecycle(event.event);
    snprintf(p->host, sizeof(p->host), "%s", event.host);
    snprintf(p->event, sizeof(p->event), "%s", event.event);
    snprintf(p->detail, sizeof(p->detail), "%s", event.detail);
    p->seq = event.seq;
    p->event_state = guest_event_state(event.event);
}

static void handle_delivery(struct bridge *bridge, pn_delivery_t *delivery)
{
    pn_link_t *link = pn_delivery_link(delivery);

    if (pn_link_is_sender(link) || pn_delivery_partial(delivery) || !pn_delivery_readable(delivery))
        return;
    if (amqp_client_read(delivery, bridge->message) == 0) {
        if (link == bridge->replies)
            handle_reply(bridge, bridge->message);
        else if (link == bridge->events)
            handle_event_message(bridge, bridge->message);
    } else {
        vb_log_warning("undecodable message ignored");
    }
    pn_delivery_update(delivery, PN_ACCEPTED);
    pn_delivery_settle(delivery);
    if (pn_link_credit(link) < LINK_CREDIT / 2)
        pn_link_flow(link, LINK_CREDIT - pn_link_credit(link));
    send_requests(bridge);
}

static void on_up(struct amqp_client *client, pn_connection_t *connection, void *userdata)
{
    struct bridge *bridge = userdata;
    pn_session_t *session = pn_session(connection);
    char events_address[64];

    pn_session_open(session);
    bridge->requests = pn_sender(session, "virtbus-snmp-requests");
    pn_terminus_set_address(pn_link_target(bridge->requests), "qmf.default.direct");
    pn_link_open(bridge->requests);

    bridge->replies = pn_receiver(session, "virtbus-snmp-replies");
    pn_terminus_set_dynamic(pn_link_source(bridge->replies), true);
    pn_link_open(bridge->replies);
    pn_link_flow(bridge->replies, LINK_CREDIT);

    if (bridge->have_seq)
        snprintf(events_address, sizeof(events_address), "virtbus.events?from=%" PRIu64, bridge->last_seq + 1);
    else
        snprintf(events_address, sizeof(events_address), "virtbus.events");
    bridge->events = pn_receiver(session, "virtbus-snmp-events");
    pn_terminus_set_address(pn_link_source(bridge->events), events_address);
    pn_link_open(bridge->events);
    pn_link_flow(bridge->events, LINK_CREDIT);

    /* Whatever was asked on the lost connection is asked again on this one, after a reload. */
    for (struct pending *p = bridge->pending; p; p = p->next)
        p->sent = p->started = false;
    queue_reload(bridge);
}

static void on_event(struct amqp_client *client, pn_event_t *event, void *userdata)
{
    struct bridge *bridge = userdata;
    pn_link_t *link;

    switch (pn_event_type(event)) {
    case PN_LINK_REMOTE_OPEN:
        link = pn_event_link(event);
        if (link == bridge->replies) {
            const char *address = pn_terminus_get_address(pn_link_remote_source(link));
            snprintf(bridge->reply_to, sizeof(bridge->reply_to), "%s", address ? address : "");
        }
        send_requests(bridge);
        break;
    case PN_LINK_FLOW:
        send_requests(bridge);
        break;
    case PN_DELIVERY:
        handle_delivery(bridge, pn_event_delivery(event));
        break;
    default:
        break;
    }
}

static void on_down(struct amqp_client *client, const char *reason, void *userdata)
{
    struct bridge *bridge = userdata;
    struct pending **pp = &bridge->pending;

    bridge->requests = bridge->replies = bridge->events = NULL;
    bridge->reply_to[0] = '\0';
    /* SETs fail rather than wait for a reconnect; queries are asked again, reloads once. */
    while (*pp) {
        struct pending *p = *pp;
        if (p->kind == PENDING_METHOD || p->kind == PENDING_RELOAD) {
            *pp = p->next;
            if (p->kind == PENDING_METHOD)
                guest_mib_set_done(p->token, SNMP_ERR_COMMITFAILED);
            pending_free(p);
        } else {
            pp = &p->next;
        }
    }
    bridge->pending_tail = pp;
}

int bridge_set(void *userdata, const struct guest_row *row, enum guest_action action, void *token)
{
    struct bridge *bridge = userdata;
    struct pending *p;

    if (!bridge->requests)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    p = pending_add(bridge, PENDING_METHOD);
    if (!p)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    memcpy(p->uuid, row->uuid, GUEST_UUID_LEN);
    snprintf(p->method, sizeof(p->method), "%s", guest_action_method(action));
    p->token = token;
    send_requests(bridge);
    return SNMP_ERR_NOERROR;
}

int bridge_init(struct bridge *bridge, sd_event *loop, const struct amqp_url *url)
{
    static const struct amqp_client_callbacks callbacks = {on_up, on_event, on_down};
    char container[128];

    memset(bridge, 0, sizeof(*bridge));
    bridge->loop = loop;
    bridge->pending_tail = &bridge->pending;
    bridge->message = pn_message();
    bridge->outgoing = pn_message();
    snprintf(container, sizeof(container), "virtbus-snmp-%ld", (long) getpid());
    bridge->amqp = bridge->message && bridge->outgoing ? amqp_client_new(loop, url, container, &callbacks, bridge) : NULL;
    return bridge->amqp ? 0 : -ENOMEM;
}

void bridge_done(struct bridge *bridge)
{
    amqp_client_free(bridge->amqp);
    while (bridge->pending) {
        struct pending *p = bridge->pending;
        bridge->pending = p->next;
        pending_free(p);
    }
    if (bridge->message)
        pn_message_free(bridge->message);
    if (bridge->outgoing)
        pn_message_free(bridge->outgoing);
    guest_table_clear(&bridge->table);
}
