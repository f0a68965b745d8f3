/* What each link a peer attaches is for, and where each message goes. On the listener virtbus
 * is its own small router: requests arrive on qmf.default.direct / qmf.default.topic (or the
 * anonymous relay), replies leave on whichever link owns the reply-to address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proton/link.h>
#include <proton/terminus.h>

#include "bus/amqp_value.h"
#include "bus/broker.h"
#include "bus/frontend.h"
#include "util/log.h"

#define BINDING_MAX 255

static bool address_is(const char *address, const char *node)
{
    size_t len = strlen(node);

    /* "qmf.default.direct" and qpid's "qmf.default.direct/<subject>" */
    return address && strncmp(address, node, len) == 0 && (address[len] == '\0' || address[len] == '/');
}

static void refuse(pn_link_t *link, const char *fmt, const char *address)
{
    pn_condition_t *cond = pn_link_condition(link);

    pn_condition_format(cond, "amqp:not-found", fmt, address ? address : "(none)");
    pn_link_open(link);
    pn_link_close(link);
}

static void open_receiver(struct bus_conn *conn, pn_link_t *link)
{
    const char *address = pn_terminus_get_address(pn_link_remote_target(link));

    if (address && !address_is(address, BUS_QMF_DIRECT) && !address_is(address, BUS_QMF_TOPIC)) {
        refuse(link, "virtbus takes messages for qmf.default.direct and qmf.default.topic only, not '%s'",
               address);
        return;
    }
    if (!bus_link_new(conn, link, BUS_LINK_REQUESTS)) {
        refuse(link, "out of memory attaching '%s'", address);
        return;
    }
    pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
    pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
    pn_link_open(link);
}

/* The binding key of a topic subscription: the value of the source's filter (qpid's
 * legacy-amqp-topic-binding or a subject filter), or the address's "/subject" suffix. */
static char *topic_binding(pn_terminus_t *source, const char *address)
{
    pn_data_t *filter = pn_terminus_filter(source);
    const char *slash = strchr(address, '/');

    pn_data_rewind(filter);
    if (pn_data_next(filter) && pn_data_type(filter) == PN_MAP && pn_data_enter(filter)) {
        while (pn_data_next(filter) && pn_data_next(filter)) {
            char *value;
            if (pn_data_type(filter) == PN_DESCRIBED && pn_data_enter(filter)) {
                pn_data_next(filter);
                pn_data_next(filter);
                value = bus_value_dup_string(filter);
                pn_data_exit(filter);
            } else {
                value = bus_value_dup_string(filter);
            }
            if (value) {
                pn_data_exit(filter);
                return value;
            }
        }
        pn_data_exit(filter);
    }
    return strdup(slash && slash[1] ? slash + 1 : "#");
}

static int setup_sender(struct bus_conn *conn, struct bus_link *l, pn_terminus_t *source, const char *address)
{
    bool has_from;
    uint64_t from;

    if (address_is(address, BUS_QMF_TOPIC)) {
        l->kind = BUS_LINK_QMF_TOPIC;
        l->binding = topic_binding(source, address);
        l->next_seq = conn->fe->seen_seq + 1;
        l->started = true; /* live: it has missed nothing yet */
        return l->binding && strlen(l->binding) <= BINDING_MAX ? 0 : -1;
    }
    if (bus_events_parse_address(address, &has_from, &from) == 0) {
        l->kind = BUS_LINK_EVENTS;
        l->next_seq = has_from ? from : conn->fe->seen_seq + 1;
        l->started = !has_from; /* a replay starts by checking what is still retained */
        return 0;
    }
    /* Anything else names a reply queue of the peer's own (qmf.default.direct/<console>). */
    l->kind = BUS_LINK_REPLIES;
    l->address = strdup(address);
    return l->address ? 0 : -1;
}

static void open_sender(struct bus_conn *conn, pn_link_t *link)
{
    pn_terminus_t *source = pn_link_remote_source(link);
    const char *address = pn_terminus_get_address(source);
    char generated[64];
    struct bus_link *l;

    if (!pn_terminus_is_dynamic(source) && !address) {
        refuse(link, "a receiver needs a source address or a dynamic source%s", "");
        return;
    }
    if (address && strncmp(address, BUS_EVENTS_ADDRESS, strlen(BUS_EVENTS_ADDRESS)) == 0 &&
        bus_events_parse_address(address, &(bool){ false }, &(uint64_t){ 0 }) < 0) {
        refuse(link, "malformed events address '%s': use virtbus.events or virtbus.events?from=N", address);
        return;
    }
    l = bus_link_new(conn, link, BUS_LINK_REPLIES);
    if (!l) {
        refuse(link, "out of memory attaching '%s'", address);
        return;
    }
    pn_terminus_copy(pn_link_source(link), source);
    pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
    if (pn_terminus_is_dynamic(source)) {
        snprintf(generated, sizeof(generated), "virtbus.reply.%u.%u", conn->id, ++conn->next_address);
        pn_terminus_set_dynamic(pn_link_source(link), false);
        pn_terminus_set_address(pn_link_source(link), generated);
        address = generated;
    }
    if (setup_sender(conn, l, source, address) < 0) {
        bus_link_free(l);
        refuse(link, "cannot subscribe to '%s'", address);
        return;
    }
    /* A receiver that attaches with snd-settle-mode settled asked for at-most-once: no
     * disposition per message, both sides forget a delivery once it is written. */
    if (pn_link_remote_snd_settle_mode(link) == PN_SND_SETTLED) {
        pn_link_set_snd_settle_mode(link, PN_SND_SETTLED);
        l->presettled = true;
    }
    pn_link_open(link);
}

void bus_route_remote_open(struct bus_conn *conn, pn_link_t *link)
{
    if (pn_link_is_receiver(link))
        open_receiver(conn, link);
    else
        open_sender(conn, link);
}

void bus_route_message(struct bus_link *l, const char *bytes, size_t size)
{
    struct bus_conn *conn = l->conn;
    pn_message_t *msg = pn_message();

    if (!msg)
        return;
    /* proton asserts (aborts) on an empty buffer: an empty transfer is undecodable, not fatal. */
    if (size == 0 || pn_message_decode(msg, bytes, size) != 0) {
        vb_log_notice("amqp %s: undecodable message (%zu bytes) dropped", conn->label, size);
        pn_message_free(msg);
        bus_link_detach(l, "amqp:decode-error", "the message could not be decoded as AMQP 1.0");
        return;
    }
    bus_qmf_handle(conn, msg); /* takes msg */
}

int bus_route_reply(struct bus_frontend *fe, struct bus_conn *via, const char *address, pn_message_t *msg)
{
    struct bus_link *l;

    if (via && via->broker)
        return bus_broker_send_to(via->broker, address, msg);
    l = bus_link_find_reply(fe, via, address);
    if (!l) {
        vb_log_debug("amqp: nobody receives from '%s': reply dropped", address);
        return -1;
    }
    if (bus_link_send(l, msg, 0) < 0)
        return -1;
    if (l->conn != via)
        bus_conn_flush(l->conn);
    return 0;
}
