/* bench/amqp's baselines: plain qpid-proton on the proactor, one thread, nothing between the
 * socket and the message but proton itself.
 *
 *   amqp-raw-server --listen H:P --mode fanout --subscribers N --size BYTES [--window W] [--rate R]
 *       every receiver gets every message, event messages of BYTES bytes laid out as
 *       virtbusd's, produced as fast as the slowest receiver settles them (at most W ahead),
 *       or R a second;
 *   amqp-raw-server --listen H:P --mode echo
 *       each message is sent back to its reply-to (a dynamic receiver of ours), as virtbusd
 *       answers a QMF request.
 *
 * Prints "ready" once listening; runs until killed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "amqp-bench.h"

#include <proton/listener.h>

#define RING 8192u
#define MAX_LINKS 4096u
#define ECHO_CREDIT 64

/* One link we send on: a fan-out receiver's, or an echo client's dynamic receiver. */
struct out_link {
    pn_link_t *link;
    pn_connection_t *conn;
    uint64_t cursor, acked; /* fanout: next message to send; messages the peer settled */
    char address[64];       /* echo: the address we gave it */
};

struct slot {
    char *bytes;
    size_t size, allocated;
};

static struct {
    const char *listen, *mode;
    unsigned subscribers, window;
    double rate;
    uint64_t start_usec;
    size_t size, pad;
    bool fanout;

    pn_proactor_t *proactor;
    struct out_link links[MAX_LINKS];
    unsigned n_links, next_address;
    bool started;

    struct slot ring[RING];
    uint64_t head;             /* messages produced */
    uint64_t min_acked;        /* the slowest receiver's settled count */
    unsigned at_min;           /* receivers with exactly min_acked */
    pn_message_t *msg;
    pn_rwbytes_t out;
    char *in;
    size_t in_allocated;
} s;

static pn_connection_t *link_connection(pn_link_t *link)
{
    return pn_session_connection(pn_link_session(link));
}

static struct out_link *out_link_of(pn_link_t *link)
{
    return pn_link_get_context(link);
}

/* --- fanout ------------------------------------------------------------------------------------ */

static void recount_min(void)
{
    s.min_acked = UINT64_MAX;
    s.at_min = 0;
    for (unsigned i = 0; i < s.n_links; i++) {
        if (!s.links[i].link)
            continue;
        if (s.links[i].acked < s.min_acked) {
            s.min_acked = s.links[i].acked;
            s.at_min = 0;
        }
        if (s.links[i].acked == s.min_acked)
            s.at_min++;
    }
    if (s.min_acked == UINT64_MAX)
        s.min_acked = s.head;
}

static void pump_link(struct out_link *o)
{
    while (o->cursor < s.head && pn_link_credit(o->link) > 0) {
        const struct slot *slot = &s.ring[o->cursor % RING];
        send_bytes(o->link, slot->bytes, slot->size);
        o->cursor++;
    }
}

static void pump_connection(const pn_connection_t *conn)
{
    for (unsigned i = 0; i < s.n_links; i++)
        if (s.links[i].link && s.links[i].conn == conn)
            pump_link(&s.links[i]);
}

/* New messages once the slowest receiver has settled all but 3/4 of the window, up to the
 * window (as amqp-load's producers do); the other connections are woken to send them: a
 * connection is written only after its own batch. */
static void produce(pn_connection_t *current)
{
    uint64_t before = s.head, limit = UINT64_MAX;

    if (!s.started || s.head - s.min_acked > s.window * 3 / 4)
        return;
    if (s.rate > 0)
        limit = (uint64_t) (s.rate * (double) (mono_usec() - s.start_usec) / 1e6);
    while (s.head - s.min_acked < s.window && s.head < limit) {
        struct slot *slot = &s.ring[s.head % RING];
        ssize_t n = encode_raw_event(s.msg, &s.out, s.head + 1, s.pad, "bench.test.suspended");
        if ((size_t) n > slot->allocated)
            slot->bytes = xrealloc(slot->bytes, slot->allocated = (size_t) n);
        memcpy(slot->bytes, s.out.start, (size_t) n);
        slot->size = (size_t) n;
        s.head++;
    }
    if (s.head == before)
        return;
    for (unsigned i = 0; i < s.n_links; i++)
        if (s.links[i].link && s.links[i].conn != current)
            pn_connection_wake(s.links[i].conn);
    pump_connection(current);
}

static void on_settled(struct out_link *o)
{
    uint64_t old = o->acked++;

    if (old == s.min_acked && --s.at_min == 0)
        recount_min();
}

static void attach_fanout(pn_link_t *link)
{
    struct out_link *o;

    if (s.n_links == MAX_LINKS) {
        pn_condition_set_name(pn_link_condition(link), "amqp:resource-limit-exceeded");
        pn_link_close(link);
        return;
    }
    o = &s.links[s.n_links++];
    *o = (struct out_link){ .link = link, .conn = link_connection(link), .cursor = s.head, .acked = s.head };
    pn_link_set_context(link, o);
    if (!s.started && s.n_links >= s.subscribers) {
        s.started = true;
        s.start_usec = mono_usec();
        recount_min();
        for (unsigned i = 0; i + 1 < s.n_links; i++)
            pn_connection_wake(s.links[i].conn);
    }
}

/* --- echo -------------------------------------------------------------------------------------- */

static struct out_link *find_reply_link(const pn_connection_t *prefer, const char *address)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < s.n_links; i++)
            if (s.links[i].link && (pass == 1 || s.links[i].conn == prefer) &&
                strcmp(s.links[i].address, address) == 0)
                return &s.links[i];
    return NULL;
}

static void echo(pn_delivery_t *d)
{
    pn_link_t *link = pn_delivery_link(d);
    ssize_t n = take_delivery(d, &s.in, &s.in_allocated);
    struct out_link *o;
    const char *reply_to;

    if (n < 0)
        return;
    pn_link_flow(link, 1);
    if (pn_message_decode(s.msg, s.in, (size_t) n) != 0 || !(reply_to = pn_message_get_reply_to(s.msg)))
        return;
    o = find_reply_link(link_connection(link), reply_to);
    if (!o)
        return;
    pn_message_set_address(s.msg, reply_to);
    n = encode(s.msg, &s.out);
    send_bytes(o->link, s.out.start, (size_t) n);
    if (o->conn != link_connection(link))
        pn_connection_wake(o->conn);
}

static void attach_echo_sender(pn_link_t *link)
{
    struct out_link *o;

    if (s.n_links == MAX_LINKS) {
        pn_link_close(link);
        return;
    }
    o = &s.links[s.n_links++];
    *o = (struct out_link){ .link = link, .conn = link_connection(link) };
    snprintf(o->address, sizeof(o->address), "echo.reply.%u", ++s.next_address);
    pn_terminus_set_address(pn_link_source(link), o->address);
    pn_link_set_context(link, o);
}

/* --- the event switch -------------------------------------------------------------------------- */

static void on_link_remote_open(pn_link_t *link)
{
    pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
    pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
    if (pn_link_is_receiver(link)) {
        pn_link_open(link);
        pn_link_flow(link, ECHO_CREDIT);
        return;
    }
    pn_terminus_set_dynamic(pn_link_source(link), false);
    if (s.fanout)
        attach_fanout(link);
    else
        attach_echo_sender(link);
    pn_link_open(link);
}

static void on_link_gone(pn_link_t *link)
{
    struct out_link *o = out_link_of(link);

    if (o) {
        o->link = NULL;
        pn_link_set_context(link, NULL);
        if (s.fanout)
            recount_min();
    }
    if (!(pn_link_state(link) & PN_LOCAL_CLOSED))
        pn_link_close(link);
}

static void on_delivery(pn_delivery_t *d)
{
    pn_link_t *link = pn_delivery_link(d);
    struct out_link *o = out_link_of(link);

    if (pn_link_is_receiver(link)) {
        echo(d);
        return;
    }
    if (!pn_delivery_updated(d))
        return;
    pn_delivery_settle(d);
    if (o && s.fanout)
        on_settled(o);
}

static void handle(pn_event_t *e)
{
    pn_connection_t *conn = pn_event_connection(e);

    switch (pn_event_type(e)) {
    case PN_LISTENER_OPEN:
        printf("ready\n");
        fflush(stdout);
        break;
    case PN_LISTENER_ACCEPT: {
        pn_transport_t *t = pn_transport();
        pn_transport_set_server(t);
        pn_sasl_allowed_mechs(pn_sasl(t), "ANONYMOUS");
        pn_listener_accept2(pn_event_listener(e), pn_connection(), t);
        break;
    }
    case PN_LISTENER_CLOSE:
        report_condition("listener", pn_listener_condition(pn_event_listener(e)));
        exit(1);
    case PN_CONNECTION_REMOTE_OPEN: pn_connection_open(conn); break;
    case PN_SESSION_REMOTE_OPEN: pn_session_open(pn_event_session(e)); break;
    case PN_LINK_REMOTE_OPEN: on_link_remote_open(pn_event_link(e)); break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: on_link_gone(pn_event_link(e)); break;
    case PN_CONNECTION_REMOTE_CLOSE: pn_connection_close(conn); break;
    case PN_DELIVERY: on_delivery(pn_event_delivery(e)); break;
    case PN_PROACTOR_TIMEOUT:
        /* Paced: the first receiver's connection produces what is due and wakes the others. */
        for (unsigned i = 0; s.started && i < s.n_links; i++)
            if (s.links[i].link) {
                pn_connection_wake(s.links[i].conn);
                break;
            }
        pn_proactor_set_timeout(s.proactor, 1);
        break;
    default: break;
    }
    /* Whatever happened on a fan-out connection may have given credit or settled messages. */
    if (s.fanout && conn) {
        switch (pn_event_type(e)) {
        case PN_LINK_FLOW:
        case PN_DELIVERY:
        case PN_CONNECTION_WAKE:
            pump_connection(conn);
            produce(conn);
            break;
        default: break;
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: amqp-raw-server --listen HOST:PORT --mode fanout|echo [--subscribers N] [--size BYTES]"
                    " [--window W] [--rate R]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "listen", required_argument, NULL, 'l' },      { "mode", required_argument, NULL, 'm' },
        { "subscribers", required_argument, NULL, 's' }, { "size", required_argument, NULL, 'S' },
        { "window", required_argument, NULL, 'w' },      { "rate", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    s.mode = "fanout";
    s.subscribers = 1;
    s.window = 256;
    s.size = 343;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'l': s.listen = optarg; break;
        case 'm': s.mode = optarg; break;
        case 's': s.subscribers = (unsigned) atoi(optarg); break;
        case 'S': s.size = (size_t) atol(optarg); break;
        case 'w': s.window = (unsigned) atoi(optarg); break;
        case 'r': s.rate = atof(optarg); break;
        default: usage();
        }
    }
    if (!s.listen || (strcmp(s.mode, "fanout") != 0 && strcmp(s.mode, "echo") != 0) || s.window < 1 ||
        s.window >= RING)
        usage();
    s.fanout = strcmp(s.mode, "fanout") == 0;
    signal(SIGPIPE, SIG_IGN);
    s.msg = pn_message();
    s.pad = raw_event_pad_for(s.size, "bench.test.suspended");
    s.proactor = pn_proactor();
    pn_proactor_listen(s.proactor, pn_listener(), s.listen, 128);
    if (s.rate > 0)
        pn_proactor_set_timeout(s.proactor, 1);
    for (;;) {
        pn_event_batch_t *batch = pn_proactor_wait(s.proactor);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch)))
            handle(e);
        pn_proactor_done(s.proactor, batch);
    }
}
