/* Our state for each AMQP link, and sending with credit: messages wait in a bounded queue
 * while the peer gives none. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/link.h>

#include "bus/frontend.h"
#include "policy/engine.h"
#include "util/log.h"

struct bus_link *bus_link_new(struct bus_conn *conn, pn_link_t *link, enum bus_link_kind kind)
{
    struct bus_link *l = calloc(1, sizeof(*l));

    if (!l)
        return NULL;
    l->conn = conn;
    l->link = link;
    l->kind = kind;
    pn_link_set_context(link, l);
    l->next = conn->links;
    conn->links = l;
    return l;
}

struct bus_link *bus_link_of(pn_link_t *link)
{
    return link ? pn_link_get_context(link) : NULL;
}

static void clear_queue(struct bus_link *l)
{
    while (l->queue_head) {
        struct bus_queued *q = l->queue_head;
        l->queue_head = q->next;
        free(q);
    }
    l->queue_tail = NULL;
    l->queue_length = 0;
}

void bus_link_free(struct bus_link *l)
{
    struct bus_link **p;

    if (!l)
        return;
    for (p = &l->conn->links; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    if (l->link)
        pn_link_set_context(l->link, NULL);
    clear_queue(l);
    policy_check_free(l->check);
    free(l->incoming);
    free(l->address);
    free(l->binding);
    free(l);
}

void bus_link_detach(struct bus_link *l, const char *condition, const char *fmt, ...)
{
    pn_condition_t *cond = pn_link_condition(l->link);
    va_list ap;

    va_start(ap, fmt);
    pn_condition_vformat(cond, condition, fmt, ap);
    va_end(ap);
    vb_log_notice("amqp %s: link '%s' closed: %s", l->conn->label, l->address ? l->address : "",
                  pn_condition_get_description(cond));
    clear_queue(l);
    pn_link_close(l->link);
}

/* Sends bytes as one settled-on-receipt delivery; the link has credit. */
static void send_now(struct bus_link *l, const char *bytes, size_t size)
{
    static uint64_t tag;
    pn_delivery_t *d;

    tag++;
    d = pn_delivery(l->link, pn_dtag((const char *) &tag, sizeof(tag)));
    pn_link_send(l->link, bytes, size);
    pn_link_advance(l->link);
    l->conn->queued += size;
    /* Sent unsettled unless the receiver asked for at-most-once: consoles commonly accept what
     * they receive, and a pre-settled delivery makes that fail. The peer's disposition settles
     * it (bus/conn_events.c); nothing is kept for a resend but a broker publisher's outbox
     * (bus/broker.c). */
    if (l->presettled)
        pn_delivery_settle(d);
}

int bus_message_encode(pn_message_t *msg, char **out, size_t *size)
{
    pn_rwbytes_t buf = { 0, NULL };
    ssize_t n = pn_message_encode2(msg, &buf);

    if (n < 0) {
        free(buf.start);
        return -1;
    }
    *out = buf.start;
    *size = (size_t) n;
    return 0;
}

static bool can_send(struct bus_link *l)
{
    return pn_link_state(l->link) & PN_LOCAL_ACTIVE && pn_link_credit(l->link) > 0 &&
           bus_conn_output_pending(l->conn) < BUS_MAX_OUTPUT_BYTES;
}

void bus_link_drain_queue(struct bus_link *l)
{
    while (l->queue_head && can_send(l)) {
        struct bus_queued *q = l->queue_head;
        l->queue_head = q->next;
        if (!l->queue_head)
            l->queue_tail = NULL;
        l->queue_length--;
        send_now(l, q->bytes, q->size);
        free(q);
    }
}

static int enqueue(struct bus_link *l, const char *bytes, size_t size, uint64_t seq)
{
    struct bus_queued *q;

    if (l->queue_length >= BUS_MAX_LINK_QUEUE) {
        bus_link_detach(l, "amqp:resource-limit-exceeded",
                        "slow consumer: %u messages waited for credit", BUS_MAX_LINK_QUEUE);
        return -1;
    }
    q = malloc(sizeof(*q) + size);
    if (!q)
        return -1;
    q->next = NULL;
    q->seq = seq;
    q->size = size;
    memcpy(q->bytes, bytes, size);
    if (l->queue_tail)
        l->queue_tail->next = q;
    else
        l->queue_head = q;
    l->queue_tail = q;
    l->queue_length++;
    return 0;
}

int bus_link_send_bytes(struct bus_link *l, const char *bytes, size_t size, uint64_t seq)
{
    if (!(pn_link_state(l->link) & PN_LOCAL_ACTIVE))
        return -1;
    bus_link_drain_queue(l);
    if (!l->queue_head && can_send(l)) {
        send_now(l, bytes, size);
        return 0;
    }
    return enqueue(l, bytes, size, seq);
}

int bus_link_send(struct bus_link *l, pn_message_t *msg, uint64_t seq)
{
    char *bytes = NULL;
    size_t size = 0;
    int r;

    if (bus_message_encode(msg, &bytes, &size) < 0)
        return -1;
    r = bus_link_send_bytes(l, bytes, size, seq);
    free(bytes);
    return r;
}

bool bus_link_can_send(struct bus_link *l)
{
    return !l->queue_head && can_send(l);
}

bool bus_link_has_credit(struct bus_link *l)
{
    return !l->queue_head && pn_link_state(l->link) & PN_LOCAL_ACTIVE && pn_link_credit(l->link) > 0;
}

void bus_link_send_bytes_now(struct bus_link *l, const char *bytes, size_t size)
{
    send_now(l, bytes, size);
}

struct bus_link *bus_link_find_reply(struct bus_frontend *fe, struct bus_conn *prefer, const char *address)
{
    if (prefer)
        for (struct bus_link *l = prefer->links; l; l = l->next)
            if (l->kind == BUS_LINK_REPLIES && l->address && strcmp(l->address, address) == 0)
                return l;
    for (struct bus_conn *c = fe->conns; c; c = c->next)
        for (struct bus_link *l = c->links; l; l = l->next)
            if (l->kind == BUS_LINK_REPLIES && l->address && strcmp(l->address, address) == 0)
                return l;
    return NULL;
}
