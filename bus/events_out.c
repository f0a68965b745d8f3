/* Events to AMQP subscribers. Each subscriber link is a cursor into the stream's retained
 * events: it sends while it has credit and catches up when credit returns, so a subscriber
 * that stops taking costs no memory; one that falls behind the retained window is detached. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/link.h>

#include "bus/broker.h"
#include "bus/event_message.h"
#include "bus/frontend.h"
#include "util/log.h"

static void encoded_free_all(struct bus_encoded *slots)
{
    if (!slots)
        return;
    for (size_t i = 0; i < BUS_ENCODED_SLOTS; i++) {
        free(slots[i].subject);
        amqp_writer_free(&slots[i].out);
    }
    free(slots);
}

/* A QMF event goes out under the agent of the connection it came from; an event of a
 * connection no agent serves is not a QMF event (-1: no QMF subscriber is sent it). */
static int encode_qmf(struct bus_frontend *fe, const struct vb_event *ev, struct bus_encoded *e)
{
    const struct bus_agent *agent = bus_agent_of_uri(fe, ev->uri);
    pn_message_t *msg;
    char *bytes = NULL;
    size_t size = 0;
    int r = -1;

    if (!agent)
        return -1;
    msg = bus_event_qmf_message(ev, fe->hostname, agent->name);
    if (msg && bus_message_encode(msg, &bytes, &size) == 0 && (e->subject = strdup(pn_message_get_subject(msg)))) {
        amqp_writer_reset(&e->out);
        amqp_put_raw(&e->out, bytes, size);
        r = e->out.failed ? -1 : 0;
    }
    free(bytes);
    pn_message_free(msg);
    return r;
}

/* The event encoded for a link kind, cached so a hundred subscribers cost one encoding. */
static const struct bus_encoded *encoded_for(struct bus_frontend *fe, struct bus_link *l, const struct vb_event *ev)
{
    bool json = l->kind == BUS_LINK_EVENTS;
    struct bus_encoded **cache = json ? &fe->json_cache : &fe->qmf_cache, *e;
    int r;

    if (!*cache && !(*cache = calloc(BUS_ENCODED_SLOTS, sizeof(**cache))))
        return NULL;
    e = &(*cache)[ev->seq % BUS_ENCODED_SLOTS];
    if (e->seq == ev->seq)
        return e;
    e->seq = 0;
    free(e->subject);
    e->subject = NULL;
    r = json ? bus_event_json_encode(ev, fe->hostname, 0, &e->out) : encode_qmf(fe, ev, e);
    if (r < 0)
        return NULL;
    e->seq = ev->seq;
    return e;
}

static void resume_after_policy(void *userdata)
{
    struct bus_link *l = userdata;

    l->waiting_for_policy = false;
    bus_events_pump(l);
    bus_conn_flush(l->conn);
}

/* An event about a network, pool or node device reaches a subscriber who would see that object
 * in its kind's list (connect:search_*, and <kind>:getattr with the object's identity), as
 * D-Bus signals do. */
static int decide_object_event(struct policy_check *check, struct vb_connect *conn, const struct vb_event *ev,
                               bool *visible)
{
    struct vb_object_ref ref = { .name = (char *) ev->name };
    enum vb_operation op = ev->object == VB_OBJECT_NETWORK        ? VB_OP_CONNECT_LIST_ALL_NETWORKS
                           : ev->object == VB_OBJECT_STORAGE_POOL ? VB_OP_CONNECT_LIST_ALL_STORAGE_POOLS
                                                                  : VB_OP_CONNECT_LIST_ALL_NODE_DEVICES;

    memcpy(ref.uuid, ev->uuid, VB_UUID_LEN);
    return policy_check_decide_listed_object(check, op, conn, &ref, visible);
}

/* 0 decided (*visible says what), or VB_PENDING: polkit is being asked and the link waits. */
static int decide_visible(struct bus_link *l, const struct vb_event *ev, bool *visible)
{
    struct bus_frontend *fe = l->conn->fe;
    const struct bus_principal *principal = &l->conn->principal;
    struct policy_subject subject;
    struct vb_connect *conn;
    int r;

    *visible = true;
    if (principal->kind == BUS_PRINCIPAL_ANONYMOUS || !fe->engine)
        return 0;
    if (!l->check) {
        subject = (struct policy_subject){ .kind = POLICY_SUBJECT_UNIX_USER, .uid = (uint32_t) principal->uid,
                                           .principal = principal->name };
        if (policy_engine_trusts(fe->engine, &subject))
            return 0;
        l->check = policy_check_new(fe->engine, &subject, false);
        if (!l->check) {
            *visible = false;
            return 0;
        }
    }
    conn = bus_frontend_connection_of(fe, ev->uri);
    if (ev->object == VB_OBJECT_DOMAIN)
        r = policy_check_decide_listed(l->check, VB_OP_CONNECT_DOMAIN_EVENT_REGISTER_ANY, conn, ev->uuid,
                                       ev->name, visible);
    else
        r = decide_object_event(l->check, conn, ev, visible);
    if (r == VB_PENDING) {
        l->waiting_for_policy = true;
        policy_check_on_answered(l->check, resume_after_policy, l);
    }
    return r;
}

static int send_gap_message(struct bus_link *l, const struct vb_event *ev)
{
    struct bus_frontend *fe = l->conn->fe;
    int r = bus_event_json_encode(ev, fe->hostname, l->gap_oldest, &fe->scratch);

    if (r == 0)
        r = bus_link_send_bytes(l, fe->scratch.data, fe->scratch.len, ev->seq);
    l->gap_oldest = 0;
    return r;
}

static int send_event(struct bus_link *l, const struct vb_event *ev)
{
    const struct bus_encoded *e;

    if (l->kind == BUS_LINK_EVENTS && l->gap_oldest)
        return send_gap_message(l, ev);
    e = encoded_for(l->conn->fe, l, ev);
    if (!e)
        return -1;
    bus_link_send_bytes_now(l, e->out.data, e->out.len);
    return 0;
}

/* A QMF topic subscriber gets the events its binding key matches. */
static bool binding_matches(struct bus_link *l, const struct vb_event *ev)
{
    const struct bus_encoded *e;

    if (l->kind != BUS_LINK_QMF_TOPIC)
        return true;
    e = encoded_for(l->conn->fe, l, ev);
    return e && bus_topic_matches(l->binding, e->subject);
}

/* The event at the link's cursor, or NULL when there is none to send. Handles the gap a new
 * subscriber asked for and detaches a subscriber that fell out of the retained window. */
static const struct vb_event *event_at_cursor(struct bus_link *l, const struct vb_event *current)
{
    struct bus_frontend *fe = l->conn->fe;
    const struct vb_event *ev = vb_event_stream_find(fe->events, l->next_seq);
    uint64_t oldest;

    if (ev)
        return ev;
    if (current && current->seq == l->next_seq)
        return current;
    oldest = vb_event_stream_oldest_seq(fe->events);
    if (!l->started) {
        uint64_t resume = oldest ? oldest : fe->seen_seq + 1;
        if (l->kind == BUS_LINK_EVENTS)
            l->gap_oldest = resume;
        l->next_seq = resume;
        l->started = true;
        return vb_event_stream_find(fe->events, l->next_seq);
    }
    bus_link_detach(l, "amqp:resource-limit-exceeded",
                    "slow consumer: event %" PRIu64 " is no longer retained (oldest %" PRIu64 ")", l->next_seq,
                    oldest);
    return NULL;
}

/* A subscriber whose next event is no longer retained: detached at once, credit or not, so it
 * learns it lost events rather than waiting for credit to find out. */
static bool detach_if_behind(struct bus_link *l, const struct vb_event *current)
{
    uint64_t oldest = vb_event_stream_oldest_seq(l->conn->fe->events);

    if (!l->started || oldest == 0 || l->next_seq >= oldest || (current && current->seq == l->next_seq) ||
        !(pn_link_state(l->link) & PN_LOCAL_ACTIVE))
        return false;
    bus_link_detach(l, "amqp:resource-limit-exceeded",
                    "slow consumer: event %" PRIu64 " is no longer retained (oldest %" PRIu64 ")", l->next_seq,
                    oldest);
    return true;
}

static void pump(struct bus_link *l, const struct vb_event *current)
{
    struct bus_frontend *fe = l->conn->fe;

    if (detach_if_behind(l, current) || bus_conn_output_pending(l->conn) >= BUS_MAX_OUTPUT_BYTES)
        return;


    while (!l->waiting_for_policy && l->next_seq <= fe->seen_seq && bus_link_has_credit(l)) {
        const struct vb_event *ev = event_at_cursor(l, current);
        bool visible;

        if (!ev)
            return;
        l->started = true;
        if (!bus_event_published(ev) || !binding_matches(l, ev)) {
            l->next_seq++;
            continue;
        }
        if (decide_visible(l, ev, &visible) == VB_PENDING)
            return;
        if (visible && send_event(l, ev) < 0)
            return;
        l->next_seq++;
    }
}

void bus_events_pump(struct bus_link *l)
{
    pump(l, NULL);
}

static void on_event(const struct vb_event *event, void *userdata)
{
    struct bus_frontend *fe = userdata;

    if (event->seq > fe->seen_seq)
        fe->seen_seq = event->seq;
    for (struct bus_conn *c = fe->conns, *next; c; c = next) {
        bool touched = false;
        next = c->next;
        for (struct bus_link *l = c->links; l; l = l->next)
            if (l->kind == BUS_LINK_EVENTS || l->kind == BUS_LINK_QMF_TOPIC) {
                pump(l, event);
                touched = true;
            }
        if (touched)
            bus_conn_flush(c);
    }
    for (size_t i = 0; i < fe->n_brokers; i++)
        bus_broker_publish_event(fe->brokers[i], event);
}

int bus_events_subscribe(struct bus_frontend *fe)
{
    fe->seen_seq = vb_event_stream_last_seq(fe->events);
    fe->subscription = vb_event_subscribe(fe->events, on_event, fe);
    return fe->subscription < 0 ? fe->subscription : 0;
}

void bus_events_unsubscribe(struct bus_frontend *fe)
{
    if (fe->subscription > 0)
        vb_event_unsubscribe(fe->events, fe->subscription);
    fe->subscription = 0;
    encoded_free_all(fe->json_cache);
    encoded_free_all(fe->qmf_cache);
    fe->json_cache = fe->qmf_cache = NULL;
    amqp_writer_free(&fe->scratch);
}
