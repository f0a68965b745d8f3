/* The AMQP side of virtbus-snmp: one connection, to virtbusd's listener or to a broker, carrying
 * QMF requests (a locate, and a reload of every Domain of each agent found, on each connect; one
 * Domain after each event, SETs' method calls) and the JSON event stream. On the listener the
 * stream is replayed from the last seq seen after a reconnect; on a broker (no replay there)
 * each agent is reloaded when its heartbeat or locate answer comes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/common/qmf_console.h"
#include "bridges/common/virtbus_event.h"
#include "bridges/snmp/feed.h"
#include "util/log.h"

#define LINK_CREDIT 1000

static void handle_event_message(struct bridge *bridge, pn_message_t *msg)
{
    pn_data_t *body = pn_message_body(msg);
    struct virtbus_event event;
    const char *error = NULL;
    pn_bytes_t bytes = {0, NULL};
    const struct bridge_agent *agent;
    struct pending *p;

    pn_data_rewind(body);
    if (pn_data_next(body) && pn_data_type(body) == PN_BINARY)
        bytes = pn_data_get_binary(body);
    else if (pn_data_type(body) == PN_STRING)
        bytes = pn_data_get_string(body);
    if (!bytes.start || virtbus_event_parse(bytes.start, bytes.size, &event, &error) < 0) {
        vb_log_debug("message on the event stream ignored: %s", error ? error : "no JSON body");
        return;
    }
    if (!bridge_event_is_new(bridge, event.host, event.seq))
        return;
    vb_log_debug("event %s/%" PRIu64 ": %s %s %s", event.host, event.seq, event.name, event.event, event.detail);
    agent = bridge_agent_of_event(bridge, event.host, event.uri);
    if (!agent) {
        vb_log_debug("event %s/%" PRIu64 " ignored: no agent serves %s", event.host, event.seq, event.uri);
        return;
    }
    p = pending_add(bridge, PENDING_REFRESH, agent->name);
    if (!p)
        return;
    memcpy(p->uuid, event.uuid, GUEST_UUID_LEN);
    snprintf(p->name, sizeof(p->name), "%s", event.name);
    p->trap = guest_event_is_lifecycle(event.event);
    snprintf(p->host, sizeof(p->host), "%s", agent->host); /* as its rows name it */
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
            bridge_handle_reply(bridge, bridge->message);
        else if (link == bridge->events)
            handle_event_message(bridge, bridge->message);
        else if (link == bridge->heartbeats)
            bridge_agent_seen(bridge, bridge->message);
    } else {
        vb_log_warning("undecodable message ignored");
    }
    pn_delivery_update(delivery, PN_ACCEPTED);
    pn_delivery_settle(delivery);
    if (pn_link_credit(link) < LINK_CREDIT / 2)
        pn_link_flow(link, LINK_CREDIT - pn_link_credit(link));
    bridge_send_requests(bridge);
}

static pn_link_t *open_link(pn_session_t *session, bool sender, const char *name, const char *address)
{
    pn_link_t *link = sender ? pn_sender(session, name) : pn_receiver(session, name);

    if (address)
        pn_terminus_set_address(sender ? pn_link_target(link) : pn_link_source(link), address);
    else
        pn_terminus_set_dynamic(pn_link_source(link), true);
    pn_link_open(link);
    if (!sender)
        pn_link_flow(link, LINK_CREDIT);
    return link;
}

/* virtbusd's listener: a dynamic reply address, events replayed from the last seq seen, and a
 * locate, as on a broker: a virtbusd serving several connections runs an agent for each, and a
 * request naming no agent reaches only the first. Agents met before keep their connection's
 * uri, so the events replayed before their locate answers still reach their rows. */
static void open_listener_links(struct bridge *bridge, pn_session_t *session)
{
    char events[64];

    bridge->requests = open_link(session, true, "virtbus-snmp-requests", "qmf.default.direct");
    bridge->topic = open_link(session, true, "virtbus-snmp-locate", "qmf.default.topic");
    bridge->replies = open_link(session, false, "virtbus-snmp-replies", NULL);
    if (bridge->have_seq)
        snprintf(events, sizeof(events), "virtbus.events?from=%" PRIu64, bridge->last_seq + 1);
    else
        snprintf(events, sizeof(events), "virtbus.events");
    bridge->events = open_link(session, false, "virtbus-snmp-events", events);
    guest_table_unmark(&bridge->table, NULL); /* the agents' first reloads sweep what none lists */
    bridge_agents_forget_epochs(bridge);
    bridge->locate_due = true;
}

/* RabbitMQ (bus/README.md, "Addresses on a broker"): a named reply address, events of every
 * host, agents found by locate and heartbeats, each reloaded when found. */
static void open_broker_links(struct bridge *bridge, pn_session_t *session)
{
    char replies[128];

    snprintf(replies, sizeof(replies), "/exchange/qmf.default.direct/%s", bridge->console_name);
    bridge->requests = open_link(session, true, "virtbus-snmp-requests", "/exchange/qmf.default.direct");
    bridge->topic = open_link(session, true, "virtbus-snmp-locate", "/exchange/qmf.default.topic");
    bridge->replies = open_link(session, false, "virtbus-snmp-replies", replies);
    bridge->events = open_link(session, false, "virtbus-snmp-events", "/exchange/virtbus.events/#");
    bridge->heartbeats = open_link(session, false, "virtbus-snmp-heartbeats",
                                   "/exchange/qmf.default.topic/agent.ind.heartbeat.#");
    bridge_agents_forget_epochs(bridge);
    bridge->locate_due = true;
}

static void on_up(struct amqp_client *client, pn_connection_t *connection, void *userdata)
{
    struct bridge *bridge = userdata;
    pn_session_t *session = pn_session(connection);

    pn_session_open(session);
    if (bridge->broker)
        open_broker_links(bridge, session);
    else
        open_listener_links(bridge, session);
    /* What was asked on the lost connection is asked again on this one. */
    for (struct pending *p = bridge->pending; p; p = p->next)
        p->sent = false;
}

static void on_event(struct amqp_client *client, pn_event_t *event, void *userdata)
{
    struct bridge *bridge = userdata;
    pn_link_t *link;

    switch (pn_event_type(event)) {
    case PN_LINK_REMOTE_OPEN:
        link = pn_event_link(event);
        if (link == bridge->replies) {
            const char *address = pn_terminus_get_address(bridge->broker ? pn_link_source(link)
                                                                         : pn_link_remote_source(link));
            snprintf(bridge->reply_to, sizeof(bridge->reply_to), "%s", address ? address : "");
        }
        bridge_send_requests(bridge);
        break;
    case PN_LINK_FLOW:
        bridge_send_requests(bridge);
        break;
    case PN_LINK_REMOTE_CLOSE:
        /* A link the peer ends (a slow consumer's event stream, a refused address) is not
         * patched up alone: the connection starts over, with a replay and a reload. */
        vb_log_notice("amqp: the peer closed link %s; reconnecting", pn_link_name(pn_event_link(event)));
        pn_connection_close(pn_event_connection(event));
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

    bridge->requests = bridge->replies = bridge->events = bridge->topic = bridge->heartbeats = NULL;
    bridge->reply_to[0] = '\0';
    /* SETs fail rather than wait for a reconnect; refreshes are asked again, reloads anew. */
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

int bridge_init(struct bridge *bridge, sd_event *loop, const struct amqp_url *url, const char *profile)
{
    static const struct amqp_client_callbacks callbacks = {on_up, on_event, on_down};
    char host[64] = "";

    memset(bridge, 0, sizeof(*bridge));
    bridge->loop = loop;
    bridge->broker = profile && profile[0];
    bridge->pending_tail = &bridge->pending;
    bridge->message = pn_message();
    bridge->outgoing = pn_message();
    gethostname(host, sizeof(host) - 1);
    snprintf(bridge->console_name, sizeof(bridge->console_name), "virtbus-snmp-%.32s-%ld", host, (long) getpid());
    bridge->amqp = bridge->message && bridge->outgoing
                       ? amqp_client_new(loop, url, bridge->console_name, &callbacks, bridge)
                       : NULL;
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
    bridge_agents_free(bridge);
    if (bridge->message)
        pn_message_free(bridge->message);
    if (bridge->outgoing)
        pn_message_free(bridge->outgoing);
    guest_table_clear(&bridge->table);
}
