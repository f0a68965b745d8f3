/* The proton event switch of one connection: endpoints opened and closed, credit, deliveries. */
#include <stdlib.h>
#include <string.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/transport.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/session.h>

#include "bus/broker.h"
#include "bus/frontend.h"
#include "util/log.h"

/* Credit a requests link keeps offering. */
#define REQUEST_CREDIT 64

static void log_remote_condition(struct bus_conn *conn, const char *what, pn_condition_t *cond)
{
    if (pn_condition_is_set(cond))
        vb_log_info("amqp %s: %s closed by peer: %s: %s", conn->label, what, pn_condition_get_name(cond),
                    pn_condition_get_description(cond) ? pn_condition_get_description(cond) : "");
}

static void on_connection_remote_open(struct bus_conn *conn)
{
    conn->opened = true;
    if (conn->broker) {
        bus_broker_opened(conn->broker, conn);
        return;
    }
    pn_connection_open(conn->driver.connection);
}

static void on_link_remote_open(struct bus_conn *conn, pn_link_t *link)
{
    if (pn_link_state(link) & PN_LOCAL_UNINIT)
        bus_route_remote_open(conn, link);
    if (pn_link_is_receiver(link) && (pn_link_state(link) & PN_LOCAL_ACTIVE) && pn_link_credit(link) == 0)
        pn_link_flow(link, REQUEST_CREDIT);
}

static void on_link_flow(pn_link_t *link)
{
    struct bus_link *l = bus_link_of(link);

    if (!l || !pn_link_is_sender(link))
        return;
    bus_link_drain_queue(l);
    if (l->kind == BUS_LINK_EVENTS || l->kind == BUS_LINK_QMF_TOPIC)
        bus_events_pump(l);
    if (l->kind == BUS_LINK_PUBLISH && l->conn->broker)
        bus_broker_flow(l->conn->broker, l);
}

/* Gathers a message's transfers, refusing one larger than BUS_MAX_MESSAGE_BYTES before it
 * takes more memory. */
static void on_incoming(struct bus_link *l, pn_delivery_t *d)
{
    size_t pending = (size_t) pn_delivery_pending(d);
    ssize_t n;

    if (!(pn_link_state(l->link) & PN_LOCAL_ACTIVE)) { /* refused earlier: the rest is dropped */
        char scratch[16384];
        while (pn_link_recv(l->link, scratch, sizeof(scratch)) > 0)
            ;
        if (!pn_delivery_partial(d))
            pn_delivery_settle(d);
        return;
    }
    if (l->incoming_size + pending > BUS_MAX_MESSAGE_BYTES) {
        pn_delivery_update(d, PN_REJECTED);
        pn_delivery_settle(d);
        free(l->incoming);
        l->incoming = NULL;
        l->incoming_size = l->incoming_allocated = 0;
        bus_link_detach(l, "amqp:link:message-size-exceeded", "a message may hold at most %u bytes",
                        BUS_MAX_MESSAGE_BYTES);
        return;
    }
    if (l->incoming_size + pending > l->incoming_allocated) {
        size_t want = l->incoming_size + pending;
        char *grown = realloc(l->incoming, want);
        if (!grown) {
            bus_link_detach(l, "amqp:resource-limit-exceeded", "out of memory");
            return;
        }
        l->incoming = grown;
        l->incoming_allocated = want;
    }
    n = pn_link_recv(l->link, l->incoming + l->incoming_size, pending);
    if (n > 0)
        l->incoming_size += (size_t) n;
    if (pn_delivery_partial(d))
        return;
    pn_link_advance(l->link);
    pn_delivery_update(d, PN_ACCEPTED);
    pn_delivery_settle(d);
    bus_route_message(l, l->incoming, l->incoming_size);
    l->incoming_size = 0;
    if (pn_link_state(l->link) & PN_LOCAL_ACTIVE)
        pn_link_flow(l->link, 1);
}

static void on_delivery(pn_delivery_t *d)
{
    pn_link_t *link = pn_delivery_link(d);
    struct bus_link *l = bus_link_of(link);

    if (!l) {
        pn_delivery_settle(d);
        return;
    }
    if (pn_link_is_receiver(link)) {
        if (pn_delivery_readable(d))
            on_incoming(l, d);
        return;
    }
    if (!pn_delivery_updated(d))
        return;
    if (l->conn->broker)
        bus_broker_settled(l->conn->broker, l, d);
    else
        pn_delivery_settle(d);
}

static void on_link_remote_close(struct bus_conn *conn, pn_link_t *link)
{
    log_remote_condition(conn, "link", pn_link_remote_condition(link));
    if (!(pn_link_state(link) & PN_LOCAL_CLOSED))
        pn_link_close(link);
    if (conn->broker)
        bus_broker_link_lost(conn->broker, bus_link_of(link));
    bus_link_free(bus_link_of(link));
}

void bus_conn_handle_event(struct bus_conn *conn, pn_event_t *event)
{
    switch (pn_event_type(event)) {
    case PN_CONNECTION_REMOTE_OPEN: on_connection_remote_open(conn); break;
    case PN_SESSION_REMOTE_OPEN:
        if (pn_session_state(pn_event_session(event)) & PN_LOCAL_UNINIT)
            pn_session_open(pn_event_session(event));
        break;
    case PN_LINK_REMOTE_OPEN: on_link_remote_open(conn, pn_event_link(event)); break;
    case PN_LINK_FLOW: on_link_flow(pn_event_link(event)); break;
    case PN_DELIVERY: on_delivery(pn_event_delivery(event)); break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: on_link_remote_close(conn, pn_event_link(event)); break;
    case PN_LINK_FINAL: bus_link_free(bus_link_of(pn_event_link(event))); break;
    case PN_SESSION_REMOTE_CLOSE:
        log_remote_condition(conn, "session", pn_session_remote_condition(pn_event_session(event)));
        pn_session_close(pn_event_session(event));
        /* RabbitMQ ends the whole session for any one link's error: start over. */
        if (conn->broker)
            bus_conn_close(conn, "amqp:internal-error", "the broker ended the session");
        break;
    case PN_CONNECTION_REMOTE_CLOSE:
        log_remote_condition(conn, "connection", pn_connection_remote_condition(conn->driver.connection));
        pn_connection_close(conn->driver.connection);
        break;
    case PN_TRANSPORT_ERROR:
        log_remote_condition(conn, "transport", pn_transport_condition(conn->driver.transport));
        break;
    default: break;
    }
}
