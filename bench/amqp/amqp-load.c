/* bench/amqp's load generator: event subscribers with an event producer (QMF suspend/resume
 * through virtbusd, or raw messages to a broker), or QMF method clients doing round trips.
 * One proton proactor, one thread, one connection per subscriber or client; prints one line
 * of key=value results.
 *
 *   amqp-load --mode events --url H:P --subscribers N [--produce qmf|raw|none] ...
 *   amqp-load --mode methods --url H:P --clients N [--op xml|node] ...
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "amqp-bench.h"

#define TICK_MS 5

enum peer_kind { PEER_SUBSCRIBER, PEER_PRODUCER, PEER_CLIENT };

/* What every connection's context starts with. */
struct peer {
    enum peer_kind kind;
    pn_connection_t *conn;
    pn_session_t *session;
    pn_link_t *sender, *receiver;
    char reply_to[256];  /* PRODUCER, CLIENT: the daemon's name for our dynamic receiver */
    bool ready;
    char *buf;
    size_t allocated;
    pn_message_t *msg;
    pn_rwbytes_t out;
    bool closed;
};

struct subscriber {
    struct peer p;
    uint64_t received, base, last_seq, gaps;
    bool detached;
};

enum stream_state { STREAM_CREATE, STREAM_SETTLE, STREAM_RUN };

/* One domain the producer suspends and resumes, one request at a time. */
struct stream {
    char object_name[64];
    enum stream_state state;
    bool busy, suspend_next;
    uint64_t sent_at;
};

struct client {
    struct peer p;
    uint64_t cid, sent_at;
    bool busy;
};

static struct {
    /* options */
    const char *mode, *url, *user, *password, *address, *produce, *produce_url, *produce_user, *produce_password;
    const char *agent, *raw_address, *op;
    unsigned subscribers, credit, domains, window, clients;
    size_t size;
    double rate, warmup, duration;
    int server_pid;

    pn_proactor_t *proactor;
    struct subscriber *subs;
    unsigned subs_open, subs_detached;
    struct client *clients_v;
    unsigned clients_ready;

    struct peer producer;
    struct stream *streams;
    unsigned streams_running;
    size_t raw_pad;
    uint64_t produced_sent, raw_seq; /* run phase: requests sent / raw messages sent */
    uint64_t run_start_usec;
    bool blocked;       /* the producer waits for the slowest subscriber */
    uint64_t target;    /* ... to have received this many since the run started */
    unsigned reached;   /* subscribers that have */
    bool wake_pending, producer_started, setup_sent;
    uint64_t started_usec, next_report;
    bool verbose;

    /* the timeline: ready, warm-up, measurement */
    uint64_t ready_usec, measure_start, measure_end;
    bool measuring, finished, closing;
    uint64_t close_deadline;
    unsigned peers_closed;
    uint64_t cpu_start, cpu_self_start;

    /* results */
    struct hist latency;
    uint64_t delivered, delivered_bytes, events_ok, errors, refused, calls, request_bytes, reply_bytes;
} b;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "amqp-load: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static bool in_window(uint64_t t)
{
    return b.measure_start && t >= b.measure_start && t < b.measure_end;
}

/* --- connections --------------------------------------------------------------------------- */

static void connect_peer(struct peer *p, enum peer_kind kind, const char *url, const char *user, const char *password)
{
    pn_transport_t *t = pn_transport();
    pn_sasl_t *sasl = pn_sasl(t);

    p->kind = kind;
    p->conn = pn_connection();
    p->msg = pn_message();
    pn_connection_set_container(p->conn, "virtbus-bench");
    if (user) {
        pn_sasl_set_allow_insecure_mechs(sasl, true);
        pn_sasl_allowed_mechs(sasl, "PLAIN");
        pn_connection_set_user(p->conn, user);
        pn_connection_set_password(p->conn, password ? password : "");
    } else {
        pn_sasl_allowed_mechs(sasl, "ANONYMOUS");
    }
    pn_connection_set_context(p->conn, p);
    pn_proactor_connect2(b.proactor, p->conn, t, url);
}

/* PN_CONNECTION_INIT: open, one session, the links this peer needs. */
static void open_links(struct peer *p)
{
    pn_connection_open(p->conn);
    p->session = pn_session(p->conn);
    pn_session_open(p->session);
    if (p->kind == PEER_SUBSCRIBER) {
        p->receiver = pn_receiver(p->session, "events");
        pn_terminus_set_address(pn_link_source(p->receiver), b.address);
        pn_link_open(p->receiver);
        pn_link_flow(p->receiver, (int) b.credit);
        return;
    }
    p->sender = pn_sender(p->session, "requests");
    if (p->kind == PEER_PRODUCER && strcmp(b.produce, "raw") == 0) {
        pn_terminus_set_address(pn_link_target(p->sender), b.raw_address);
        pn_link_open(p->sender);
        p->ready = true;
        return;
    }
    pn_terminus_set_address(pn_link_target(p->sender), "qmf.default.direct");
    pn_link_open(p->sender);
    p->receiver = pn_receiver(p->session, "replies");
    pn_terminus_set_dynamic(pn_link_source(p->receiver), true);
    pn_link_open(p->receiver);
    pn_link_flow(p->receiver, 1000);
}

/* --- the timeline ---------------------------------------------------------------------------- */

static void start_clock(void)
{
    b.ready_usec = mono_usec();
    b.measure_start = b.ready_usec + (uint64_t) (b.warmup * 1e6);
    b.measure_end = b.measure_start + (uint64_t) (b.duration * 1e6);
}

static void print_results(void)
{
    long hz = sysconf(_SC_CLK_TCK);
    double seconds = b.duration;
    double server_cpu = b.server_pid ? (double) (cpu_ticks(b.server_pid) - b.cpu_start) / (double) hz / seconds : 0;
    double self_cpu = (double) (cpu_ticks(getpid()) - b.cpu_self_start) / (double) hz / seconds;

    if (strcmp(b.mode, "events") == 0) {
        unsigned live = b.subscribers - b.subs_detached;
        double delivered_rate = (double) b.delivered / seconds;
        double event_rate = strcmp(b.produce, "none") == 0 ? delivered_rate / (live ? live : 1)
                                                            : (double) b.events_ok / seconds;
        uint64_t gaps = 0, min_seq = UINT64_MAX, max_seq = 0;
        for (unsigned i = 0; i < b.subscribers; i++) {
            gaps += b.subs[i].gaps;
            min_seq = b.subs[i].last_seq < min_seq ? b.subs[i].last_seq : min_seq;
            max_seq = b.subs[i].last_seq > max_seq ? b.subs[i].last_seq : max_seq;
        }
        printf("subscribers=%u delivered_rate=%.0f event_rate=%.0f p50_us=%" PRIu64 " p99_us=%" PRIu64
               " max_us=%" PRIu64 " msg_bytes=%.0f errors=%" PRIu64 " refused=%" PRIu64 " gaps=%" PRIu64 " detached=%u"
               " server_cpu=%.2f client_cpu=%.2f min_last_seq=%" PRIu64 " max_last_seq=%" PRIu64 "\n",
               b.subscribers, delivered_rate, event_rate, hist_percentile(&b.latency, 0.50),
               hist_percentile(&b.latency, 0.99), b.latency.max,
               b.delivered ? (double) b.delivered_bytes / (double) b.delivered : 0, b.errors, b.refused, gaps,
               b.subs_detached, server_cpu, self_cpu, b.subscribers ? min_seq : 0, max_seq);
    } else {
        printf("clients=%u rate=%.0f p50_us=%" PRIu64 " p99_us=%" PRIu64 " max_us=%" PRIu64 " req_bytes=%" PRIu64
               " reply_bytes=%" PRIu64 " errors=%" PRIu64 " server_cpu=%.2f client_cpu=%.2f\n",
               b.clients, (double) b.calls / seconds, hist_percentile(&b.latency, 0.50),
               hist_percentile(&b.latency, 0.99), b.latency.max, b.request_bytes, b.reply_bytes, b.errors,
               server_cpu, self_cpu);
    }
    fflush(stdout);
}

/* --- events: subscribers --------------------------------------------------------------------- */

/* Never once closing began: a connection may be gone by then. */
static void wake_producer(void)
{
    if (b.producer.conn && !b.wake_pending && !b.closing) {
        b.wake_pending = true;
        pn_connection_wake(b.producer.conn);
    }
}

static void on_event_message(struct subscriber *s, const char *bytes, size_t size)
{
    uint64_t now = mono_usec(), seq = 0, stamp = 0;

    s->received++;
    if (b.blocked && s->received - s->base == b.target && ++b.reached >= b.subscribers - b.subs_detached) {
        b.blocked = false;
        wake_producer();
    }
    if (!event_fields(bytes, size, &seq, &stamp)) {
        b.errors++;
        return;
    }
    if (s->last_seq && seq != s->last_seq + 1)
        s->gaps++;
    s->last_seq = seq;
    if (!in_window(now))
        return;
    uint64_t real = real_usec();
    hist_add(&b.latency, real > stamp ? real - stamp : 0);
    b.delivered++;
    b.delivered_bytes += size;
}

static void subscriber_delivery(struct subscriber *s, pn_delivery_t *d)
{
    ssize_t n = take_delivery(d, &s->p.buf, &s->p.allocated);
    int credit;

    if (n < 0)
        return;
    on_event_message(s, s->p.buf, (size_t) n);
    credit = pn_link_credit(s->p.receiver);
    if ((unsigned) credit < b.credit / 2)
        pn_link_flow(s->p.receiver, (int) b.credit - credit);
}

/* --- events: the producer ------------------------------------------------------------------- */

static uint64_t slowest_received(void)
{
    uint64_t min = UINT64_MAX;

    for (unsigned i = 0; i < b.subscribers; i++)
        if (!b.subs[i].detached && b.subs[i].received - b.subs[i].base < min)
            min = b.subs[i].received - b.subs[i].base;
    return min == UINT64_MAX ? 0 : min;
}

/* Too far ahead of the slowest subscriber: wait until it has 1/4 of the window left. (Set-up
 * events still arriving may make a subscriber look ahead of what we sent: hence no subtraction
 * that could wrap.) */
static bool window_open(void)
{
    if (b.subscribers == 0)
        return true;
    if (b.blocked)
        return false;
    if (slowest_received() + b.window > b.produced_sent)
        return true;
    b.blocked = true;
    b.target = b.produced_sent - b.window * 3 / 4;
    b.reached = 0;
    for (unsigned i = 0; i < b.subscribers; i++)
        if (!b.subs[i].detached && b.subs[i].received - b.subs[i].base >= b.target)
            b.reached++;
    if (b.reached >= b.subscribers - b.subs_detached)
        b.blocked = false;
    return !b.blocked;
}

static bool rate_allows(void)
{
    if (b.rate <= 0)
        return true;
    return (double) b.produced_sent < b.rate * (double) (mono_usec() - b.run_start_usec) / 1e6;
}

static void send_request(struct peer *p, const char *bytes, size_t size)
{
    send_bytes(p->sender, bytes, size);
}

static void send_stream_request(unsigned i)
{
    struct peer *p = &b.producer;
    struct stream *st = &b.streams[i];

    qmf_request(p->msg, "_method_request", p->reply_to, i);
    if (st->state == STREAM_CREATE) {
        char xml[512];
        snprintf(xml, sizeof(xml),
                 "<domain type='test'><name>bench%u</name><uuid>%s</uuid><memory>65536</memory>"
                 "<os><type>hvm</type></os></domain>",
                 i, st->object_name + strlen("domain:"));
        qmf_method_body(p->msg, "node", b.agent, "domainCreateXML", xml);
    } else {
        const char *method = st->state == STREAM_SETTLE ? "resume" : st->suspend_next ? "suspend" : "resume";
        qmf_method_body(p->msg, st->object_name, b.agent, method, NULL);
    }
    send_request(p, p->out.start, (size_t) encode(p->msg, &p->out));
    st->busy = true;
    st->sent_at = mono_usec();
}

static void produce_raw(void)
{
    struct peer *p = &b.producer;

    while (pn_link_credit(p->sender) > 0 && rate_allows() && window_open()) {
        ssize_t n = encode_raw_event(p->msg, &p->out, ++b.raw_seq, b.raw_pad, "bench.test.suspended");
        send_request(p, p->out.start, (size_t) n);
        b.produced_sent++;
        if (in_window(mono_usec()))
            b.events_ok++;
    }
}

static void produce(void)
{
    struct peer *p = &b.producer;

    if (!p->ready || !b.ready_usec || b.closing)
        return;
    if (strcmp(b.produce, "raw") == 0) {
        produce_raw();
        return;
    }
    for (unsigned i = 0; i < b.domains && pn_link_credit(p->sender) > 0; i++) {
        if (b.streams[i].busy || b.streams[i].state != STREAM_RUN)
            continue;
        if (!rate_allows() || !window_open())
            return;
        send_stream_request(i);
        b.produced_sent++;
    }
}

static void start_run_if_settled(void)
{
    if (b.streams_running < b.domains)
        return;
    for (unsigned i = 0; i < b.subscribers; i++)
        b.subs[i].base = b.subs[i].received;
    b.run_start_usec = mono_usec();
    start_clock();
}

static void producer_reply(struct peer *p, pn_delivery_t *d)
{
    ssize_t n = take_delivery(d, &p->buf, &p->allocated);
    char opcode[64] = "";
    pn_atom_t cid;
    struct stream *st;
    bool ok;

    if (n < 0)
        return;
    if (pn_message_decode(p->msg, p->buf, (size_t) n) != 0)
        die("%s", "undecodable reply");
    cid = pn_message_get_correlation_id(p->msg);
    if (cid.type != PN_ULONG || cid.u.as_ulong >= b.domains)
        die("%s", "reply with an unknown correlation id");
    st = &b.streams[cid.u.as_ulong];
    message_property(p->msg, "qmf.opcode", opcode, sizeof(opcode));
    ok = strcmp(opcode, "_method_response") == 0;
    st->busy = false;
    if (st->state != STREAM_RUN) {
        /* Set-up: create the domain (it may exist from an earlier run), then make sure it runs. */
        if (++st->state == STREAM_RUN) {
            st->suspend_next = true;
            b.streams_running++;
            start_run_if_settled();
        } else {
            send_stream_request((unsigned) cid.u.as_ulong);
        }
        return;
    }
    /* A refused suspend means the domain was paused already: resume it next, and vice versa. */
    st->suspend_next = !st->suspend_next;
    if (!ok) {
        b.errors++;
        b.produced_sent--; /* no event comes of it */
    }
    else if (in_window(mono_usec()))
        b.events_ok++;
}

static void start_producer(void)
{
    if (strcmp(b.produce, "raw") == 0) {
        start_clock();
        b.run_start_usec = mono_usec();
        return;
    }
    for (unsigned i = 0; i < b.domains; i++)
        send_stream_request(i);
}

/* Everything is attached: the producer sets up, or the clock starts. A connection is written
 * only after its own batch of events, so the producer is woken rather than driven from here. */
static void maybe_all_ready(void)
{
    if (b.subs_open < b.subscribers)
        return;
    if (strcmp(b.produce, "none") == 0) {
        if (!b.ready_usec)
            start_clock();
        return;
    }
    if (b.producer.ready && !b.producer_started) {
        b.producer_started = true;
        wake_producer();
    }
}

/* --- methods: clients ------------------------------------------------------------------------ */

static void client_send(struct client *c)
{
    struct peer *p = &c->p;
    size_t n;

    c->cid++;
    if (strcmp(b.op, "node") == 0) {
        pn_data_t *body;
        qmf_request(p->msg, "_query_request", p->reply_to, c->cid);
        body = pn_message_body(p->msg);
        pn_data_put_map(body);
        pn_data_enter(body);
        put_string(body, "_what");
        put_string(body, "OBJECT");
        put_string(body, "_schema_id");
        pn_data_put_map(body);
        pn_data_enter(body);
        put_string(body, "_class_name");
        put_string(body, "Node");
        pn_data_exit(body);
        pn_data_exit(body);
    } else {
        qmf_request(p->msg, "_method_request", p->reply_to, c->cid);
        qmf_method_body(p->msg, "domain:6695eb01-f6a4-8304-79aa-97f2502e193f", b.agent, "getXMLDesc", NULL);
    }
    n = (size_t) encode(p->msg, &p->out);
    b.request_bytes = n;
    send_request(p, p->out.start, n);
    c->busy = true;
    c->sent_at = mono_usec();
}

static void client_reply(struct client *c, pn_delivery_t *d)
{
    ssize_t n = take_delivery(d, &c->p.buf, &c->p.allocated);
    uint64_t now = mono_usec();
    char opcode[64] = "";
    pn_atom_t cid;

    if (n < 0)
        return;
    if (pn_message_decode(c->p.msg, c->p.buf, (size_t) n) != 0)
        die("%s", "undecodable reply");
    cid = pn_message_get_correlation_id(c->p.msg);
    if (cid.type != PN_ULONG || cid.u.as_ulong != c->cid)
        die("%s", "reply with an unexpected correlation id");
    message_property(c->p.msg, "qmf.opcode", opcode, sizeof(opcode));
    if (strcmp(opcode, strcmp(b.op, "node") == 0 ? "_query_response" : "_method_response") != 0 &&
        strcmp(b.op, "echo") != 0)
        b.errors++;
    b.reply_bytes = (uint64_t) n;
    c->busy = false;
    if (in_window(c->sent_at)) {
        hist_add(&b.latency, now - c->sent_at);
        b.calls++;
    }
    if (!b.finished && now < b.measure_end + 1000000u)
        client_send(c);
}

/* Replies arrive one per request: keep the dynamic receiver's credit up. */
static void top_up_replies(struct peer *p)
{
    int credit = pn_link_credit(p->receiver);

    if (credit < 500)
        pn_link_flow(p->receiver, 1000 - credit);
}

/* Links detached and the connection closed, as a well-behaved client leaves. */
static void close_peer(struct peer *p)
{
    if (p->receiver)
        pn_link_close(p->receiver);
    if (p->sender)
        pn_link_close(p->sender);
    pn_connection_close(p->conn);
}

static bool requests_in_flight(struct peer *p)
{
    for (unsigned i = 0; p->kind == PEER_PRODUCER && b.streams && i < b.domains; i++)
        if (b.streams[i].busy)
            return true;
    return false;
}

/* The producer closes once its last request is answered: virtbusd's handling of a close that
 * arrives while requests are in flight is what we measure elsewhere, not here. */
static void close_when_idle(struct peer *p)
{
    if (!p->closed && !requests_in_flight(p)) {
        p->closed = true;
        close_peer(p);
    }
}

static void wake_to_close(struct peer *p)
{
    if (p->conn)
        pn_connection_wake(p->conn);
}

static void finish(uint64_t now)
{
    print_results();
    b.closing = true;
    b.close_deadline = now + 3000000u;
    for (unsigned i = 0; b.subs && i < b.subscribers; i++)
        wake_to_close(&b.subs[i].p);
    for (unsigned i = 0; b.clients_v && i < b.clients; i++)
        wake_to_close(&b.clients_v[i].p);
    wake_to_close(&b.producer);
}

/* --- the event switch ---------------------------------------------------------------------- */

static void on_link_remote_open(struct peer *p, pn_link_t *link)
{
    if (p->kind == PEER_SUBSCRIBER) {
        b.subs_open++;
        maybe_all_ready();
        return;
    }
    if (link != p->receiver)
        return;
    snprintf(p->reply_to, sizeof(p->reply_to), "%s", pn_terminus_get_address(pn_link_remote_source(link)));
    p->ready = true;
    if (p->kind == PEER_CLIENT) {
        if (++b.clients_ready == b.clients) {
            start_clock();
            for (unsigned i = 0; i < b.clients; i++)
                pn_connection_wake(b.clients_v[i].p.conn);
        }
        return;
    }
    maybe_all_ready();
}

static void on_link_remote_close(struct peer *p, pn_link_t *link)
{
    if (!report_condition(p->kind == PEER_SUBSCRIBER ? "subscriber link closed" : "link closed",
                          pn_link_remote_condition(link)) && !b.closing)
        fprintf(stderr, "amqp-load: the peer closed a link of ours (no condition)\n");
    if (p->kind == PEER_SUBSCRIBER) {
        struct subscriber *s = (struct subscriber *) p;
        if (!s->detached) {
            s->detached = true;
            b.subs_detached++;
        }
    } else if (!b.finished) {
        exit(1);
    }
    pn_link_close(link);
}

static void on_delivery(struct peer *p, pn_delivery_t *d)
{
    pn_link_t *link = pn_delivery_link(d);

    if (pn_link_is_sender(link)) {
        uint64_t state = pn_delivery_remote_state(d);
        if (!pn_delivery_updated(d) && !state)
            return;
        if (p->kind == PEER_PRODUCER && strcmp(b.produce, "raw") == 0 && state != PN_ACCEPTED)
            b.refused++; /* the broker released, modified or rejected what we published */
        pn_delivery_settle(d);
        if (p->kind == PEER_PRODUCER)
            produce();
        return;
    }
    if (p->kind == PEER_SUBSCRIBER)
        subscriber_delivery((struct subscriber *) p, d);
    else if (p->kind == PEER_PRODUCER) {
        producer_reply(p, d);
        top_up_replies(p);
        if (b.closing)
            close_when_idle(p);
        else
            produce();
    } else {
        client_reply((struct client *) p, d);
        top_up_replies(p);
    }
}

static void handle(pn_event_t *e)
{
    pn_connection_t *conn = pn_event_connection(e);
    struct peer *p = conn ? pn_connection_get_context(conn) : NULL;

    switch (pn_event_type(e)) {
    case PN_CONNECTION_INIT: open_links(p); break;
    case PN_CONNECTION_REMOTE_OPEN:
        if (p->kind == PEER_PRODUCER && strcmp(b.produce, "raw") == 0)
            maybe_all_ready();
        break;
    case PN_LINK_REMOTE_OPEN: on_link_remote_open(p, pn_event_link(e)); break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: on_link_remote_close(p, pn_event_link(e)); break;
    case PN_LINK_FLOW:
        if (p->kind == PEER_PRODUCER)
            produce();
        break;
    case PN_DELIVERY: on_delivery(p, pn_event_delivery(e)); break;
    case PN_CONNECTION_WAKE:
        if (b.closing) {
            close_when_idle(p);
            break;
        }
        if (p->kind == PEER_PRODUCER) {
            b.wake_pending = false;
            if (b.producer_started && !b.setup_sent) {
                b.setup_sent = true;
                start_producer();
            }
            produce();
        } else if (p->kind == PEER_CLIENT && !((struct client *) p)->busy && b.ready_usec) {
            client_send((struct client *) p);
        }
        break;
    case PN_TRANSPORT_CLOSED:
        /* Done once every connection we opened has closed (or at the deadline, on the tick). */
        if (b.closing && ++b.peers_closed >= b.subscribers + (b.clients_v ? b.clients : 0) + !!b.producer.conn)
            exit(0);
        if (!b.closing) {
            if (!report_condition("connection", pn_transport_condition(pn_event_transport(e))))
                fprintf(stderr, "amqp-load: a connection closed\n");
            exit(1);
        }
        break;
    case PN_PROACTOR_TIMEOUT: {
        uint64_t now = mono_usec();
        if (b.measure_start && !b.measuring && now >= b.measure_start) {
            b.measuring = true;
            b.cpu_start = b.server_pid ? cpu_ticks(b.server_pid) : 0;
            b.cpu_self_start = cpu_ticks(getpid());
        }
        if (b.measure_end && now >= b.measure_end) {
            bool calls_done = true;
            for (unsigned i = 0; b.clients_v && i < b.clients; i++)
                calls_done = calls_done && !b.clients_v[i].busy;
            if (!b.finished) {
                b.finished = true;
                if (strcmp(b.mode, "events") == 0)
                    finish(now);
            }
            if (!b.closing && (calls_done || now > b.measure_end + 1000000u))
                finish(now);
            if (b.closing && now > b.close_deadline)
                exit(0); /* a peer that does not answer our close */
        }
        /* Recounted on the tick as well: a subscriber may have detached while we waited. */
        b.wake_pending = false; /* a lost wake-up costs one tick at most */
        if (b.blocked && slowest_received() + b.window * 3 / 4 >= b.produced_sent) {
            b.blocked = false;
            wake_producer();
        }
        if (!b.ready_usec && now > b.started_usec + 30000000u)
            die("%s", "not ready within 30 s (connections, links or the producer's set-up)");
        if (b.rate > 0 && b.producer.conn)
            wake_producer();
        if (b.verbose && now >= b.next_report) {
            b.next_report = now + 500000u;
            fprintf(stderr, "amqp-load: subscribers open %u/%u detached %u; producer ready %d started %d streams %u/%u;"
                    " sent %" PRIu64 " slowest %" PRIu64 " blocked %d target %" PRIu64 " reached %u; delivered %" PRIu64
                    "\n", b.subs_open, b.subscribers, b.subs_detached, b.producer.ready, b.producer_started,
                    b.streams_running, b.streams ? b.domains : 0, b.produced_sent, slowest_received(), b.blocked,
                    b.target, b.reached, b.delivered);
        }
        pn_proactor_set_timeout(b.proactor, TICK_MS);
        break;
    }
    default: break;
    }
}

/* --- options and main -------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: amqp-load --mode events|methods --url HOST:PORT [--user U --password P]\n"
            "  events:  --subscribers N [--address A] [--credit C] [--window W] [--rate R]\n"
            "           [--produce qmf|raw|none] [--produce-url H:P] [--produce-user U --produce-password P]\n"
            "           [--domains D] [--agent NAME] [--raw-address A --size BYTES]\n"
            "  methods: --clients N [--op xml|node|echo] [--agent NAME]\n"
            "  both:    [--warmup S] [--duration S] [--server-pid PID]\n");
    exit(2);
}

static void parse_options(int argc, char **argv)
{
    static const struct option options[] = {
        { "mode", required_argument, NULL, 'm' },        { "url", required_argument, NULL, 'u' },
        { "user", required_argument, NULL, 'U' },        { "password", required_argument, NULL, 'P' },
        { "subscribers", required_argument, NULL, 's' }, { "address", required_argument, NULL, 'a' },
        { "credit", required_argument, NULL, 'c' },      { "window", required_argument, NULL, 'w' },
        { "rate", required_argument, NULL, 'r' },        { "produce", required_argument, NULL, 'p' },
        { "produce-url", required_argument, NULL, 'x' }, { "produce-user", required_argument, NULL, 'y' },
        { "produce-password", required_argument, NULL, 'z' },
        { "domains", required_argument, NULL, 'd' },     { "agent", required_argument, NULL, 'A' },
        { "raw-address", required_argument, NULL, 'R' }, { "size", required_argument, NULL, 'S' },
        { "clients", required_argument, NULL, 'C' },     { "op", required_argument, NULL, 'o' },
        { "warmup", required_argument, NULL, 'W' },      { "duration", required_argument, NULL, 'D' },
        { "server-pid", required_argument, NULL, 'i' },  { "verbose", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    b.mode = "events";
    b.address = "virtbus.events";
    b.produce = "none";
    b.agent = "virtbus.org:virtbusd:bench";
    b.op = "xml";
    b.credit = 1000;
    b.window = 256;
    b.domains = 16;
    b.clients = 1;
    b.warmup = 0.5;
    b.duration = 3;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'm': b.mode = optarg; break;
        case 'u': b.url = optarg; break;
        case 'U': b.user = optarg; break;
        case 'P': b.password = optarg; break;
        case 's': b.subscribers = (unsigned) atoi(optarg); break;
        case 'a': b.address = optarg; break;
        case 'c': b.credit = (unsigned) atoi(optarg); break;
        case 'w': b.window = (unsigned) atoi(optarg); break;
        case 'r': b.rate = atof(optarg); break;
        case 'p': b.produce = optarg; break;
        case 'x': b.produce_url = optarg; break;
        case 'y': b.produce_user = optarg; break;
        case 'z': b.produce_password = optarg; break;
        case 'd': b.domains = (unsigned) atoi(optarg); break;
        case 'A': b.agent = optarg; break;
        case 'R': b.raw_address = optarg; break;
        case 'S': b.size = (size_t) atol(optarg); break;
        case 'C': b.clients = (unsigned) atoi(optarg); break;
        case 'o': b.op = optarg; break;
        case 'W': b.warmup = atof(optarg); break;
        case 'D': b.duration = atof(optarg); break;
        case 'i': b.server_pid = atoi(optarg); break;
        case 'v': b.verbose = true; break;
        default: usage();
        }
    }
    if (!b.url || (strcmp(b.mode, "events") != 0 && strcmp(b.mode, "methods") != 0))
        usage();
    if (!b.produce_url)
        b.produce_url = b.url;
    if (strcmp(b.produce, "raw") == 0 && !b.raw_address)
        die("%s", "--produce raw needs --raw-address");
    if (b.domains == 0 || b.domains > 4096 || b.credit < 2 || b.window < 4)
        usage();
}

int main(int argc, char **argv)
{
    parse_options(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    b.started_usec = mono_usec();
    b.proactor = pn_proactor();
    if (strcmp(b.mode, "events") == 0) {
        b.subs = calloc(b.subscribers ? b.subscribers : 1, sizeof(*b.subs));
        for (unsigned i = 0; i < b.subscribers; i++)
            connect_peer(&b.subs[i].p, PEER_SUBSCRIBER, b.url, b.user, b.password);
        if (strcmp(b.produce, "none") != 0) {
            b.streams = calloc(b.domains, sizeof(*b.streams));
            for (unsigned i = 0; i < b.domains; i++)
                /* domain 0 is test:///default's "test"; the others are created as bench<i> */
                snprintf(b.streams[i].object_name, sizeof(b.streams[i].object_name),
                         i == 0 ? "domain:6695eb01-f6a4-8304-79aa-97f2502e193f"
                                : "domain:6695eb01-0000-4000-8000-%012x",
                         i);
            if (strcmp(b.produce, "raw") == 0)
                b.raw_pad = raw_event_pad_for(b.size, "bench.test.suspended");
            connect_peer(&b.producer, PEER_PRODUCER, b.produce_url, b.produce_user, b.produce_password);
        }
    } else {
        b.clients_v = calloc(b.clients, sizeof(*b.clients_v));
        for (unsigned i = 0; i < b.clients; i++)
            connect_peer(&b.clients_v[i].p, PEER_CLIENT, b.url, b.user, b.password);
    }
    pn_proactor_set_timeout(b.proactor, TICK_MS);
    for (;;) {
        pn_event_batch_t *batch = pn_proactor_wait(b.proactor);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch)))
            handle(e);
        pn_proactor_done(b.proactor, batch);
    }
}
