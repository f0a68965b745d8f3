/* What the files of the AMQP front end share: the front end, its connections, links and
 * requests. Nothing outside bus/ includes this. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <proton/connection_driver.h>
#include <proton/message.h>
#include <proton/ssl.h>

#include "bus/amqp_writer.h"
#include "bus/bus.h"

/* One incoming message at most (libvirt's 4 MiB string limit, encoded, with room to spare). */
#define BUS_MAX_MESSAGE_BYTES (8u << 20)
/* Unsent bytes a connection may hold; past this it stops reading requests until its peer
 * reads (so a peer that never reads costs at most this much). */
#define BUS_MAX_OUTPUT_BYTES (16u << 20)
/* Messages a link may hold while its peer gives no credit; past this the link is detached. */
#define BUS_MAX_LINK_QUEUE 1024u
/* Requests one connection may have in flight; more are refused with an _exception. */
#define BUS_MAX_REQUESTS_PER_CONN 256u

#define BUS_QMF_DIRECT "qmf.default.direct"
#define BUS_QMF_TOPIC "qmf.default.topic"
#define BUS_EVENTS_ADDRESS "virtbus.events"
#define BUS_AGENT_VENDOR "virtbus.org"
#define BUS_AGENT_PRODUCT "virtbusd"

struct bus_users;
struct bus_request;
struct bus_broker;
struct sd_event_source;
struct vb_event_stream;

enum bus_principal_kind {
    BUS_PRINCIPAL_ANONYMOUS, /* read-only: queries and events */
    BUS_PRINCIPAL_USER,      /* PLAIN or EXTERNAL, acting as a unix user */
};

struct bus_principal {
    enum bus_principal_kind kind;
    char *name;
    uid_t uid;
};

enum bus_link_kind {
    BUS_LINK_REQUESTS,  /* incoming: QMF requests (direct, topic or the anonymous relay) */
    BUS_LINK_REPLIES,   /* outgoing: replies addressed to this link (dynamic or named) */
    BUS_LINK_QMF_TOPIC, /* outgoing: heartbeats and QMF events matching a binding key */
    BUS_LINK_EVENTS,    /* outgoing: JSON events from a sequence number on */
    BUS_LINK_PUBLISH,   /* outgoing on a broker connection: to a broker address */
};

/* One encoded message waiting for credit. */
struct bus_queued {
    struct bus_queued *next;
    uint64_t seq;   /* an event's sequence number, 0 for other messages */
    size_t size;
    char bytes[];
};

/* One event encoded for sending, shared by every link that sends it. */
struct epoll_event;

struct bus_encoded {
    uint64_t seq;           /* 0: empty */
    char *subject;          /* QMF: the topic subject, matched against bindings */
    struct amqp_writer out; /* the message's bytes; the buffer is reused by the slot's next event */
};

/* Encoded events are kept in a slot per seq modulo this: subscribers at different points of the
 * stream (one replaying, others live) each find theirs without encoding it again. */
#define BUS_ENCODED_SLOTS 2048u

struct bus_link {
    struct bus_conn *conn;
    pn_link_t *link;
    enum bus_link_kind kind;
    char *address;             /* REPLIES/PUBLISH: where messages to it are addressed */
    char *binding;             /* QMF_TOPIC: the subscription's binding key */
    uint64_t next_seq;         /* EVENTS, QMF_TOPIC: the next event to send */
    uint64_t gap_oldest;       /* EVENTS: nonzero: the first message must announce this gap */
    bool started;              /* EVENTS, QMF_TOPIC: an event was sent or passed over */
    bool waiting_for_policy;   /* EVENTS, QMF_TOPIC: polkit is being asked about an event */
    bool presettled;           /* the receiver asked for at-most-once: deliveries go settled */
    struct bus_queued *queue_head, *queue_tail;
    size_t queue_length;
    char *incoming;            /* REQUESTS: the message being received */
    size_t incoming_size, incoming_allocated;
    struct policy_check *check; /* EVENTS, QMF_TOPIC of a user principal: what it may see */
    struct bus_link *next;
};

struct bus_conn {
    struct bus_frontend *fe;
    struct bus_conn *next, *prev;
    unsigned int id;
    char *label;               /* the peer's address, for logs */
    int fd;
    struct sd_event_source *timer;
    bool polled;               /* in the front end's epoll set (bus/conn_poll.c) */
    uint32_t poll_events;      /* what it waits for there */
    pn_connection_driver_t driver;
    bool server;               /* accepted by a listener (else: a broker connection) */
    bool opened;               /* the peer's open arrived (after SASL) */
    bool connected;            /* the socket is connected (a broker connection's connect ended) */
    bool running;              /* inside conn_run: a nested flush leaves the writing to it */
    bool flush_marked;         /* bus_conn_flush asked for a run; the front end's flush source does it */
    size_t unwritten;          /* output the socket did not take at the last write */
    size_t queued;             /* message bytes given to proton since the last write */
    uint64_t open_deadline;
    struct bus_principal principal;
    struct bus_link *links;
    struct bus_request *requests;
    unsigned int n_requests;
    unsigned int next_address;
    struct bus_broker *broker; /* a broker connection's owner */
};

/* One QMF agent: a served connection under a name of its own (bus/agents.c). */
struct bus_agent {
    struct bus_frontend *fe;
    struct vb_connect *conn;       /* whose objects it lists and whose methods it calls */
    char *instance;                /* <host> for the first, <host>@<connection tag> for the others */
    char *name;                    /* virtbus.org:virtbusd:<instance> */
};

struct bus_frontend {
    struct sd_event *loop;
    const struct bus_options *options;
    struct bus_agent *agents;      /* one per served connection, in the order amqp_serve names them */
    size_t n_agents;
    struct vb_connect **connections; /* every connection the daemon serves (events name theirs) */
    size_t n_connections;
    struct vb_event_stream *events;
    int subscription;
    uint64_t seen_seq;             /* the last event the stream dispatched to us */
    struct policy_engine *engine;
    struct bus_users *users;
    pn_ssl_domain_t *ssl_server;
    char *hostname;
    uint64_t epoch;                /* QMF _epoch: the agents' start time, seconds */
    struct bus_listener **listeners;
    size_t n_listeners;
    struct bus_conn *conns;
    struct bus_broker **brokers;
    size_t n_brokers;
    struct sd_event_source *heartbeat;
    size_t heartbeat_turn;             /* the agent whose heartbeat goes first next time */
    struct sd_event_source *flush;     /* one-shot: runs the connections marked for a flush */
    int poll_fd;                       /* every connection's socket (bus/conn_poll.c) */
    struct sd_event_source *poll_source;
    struct epoll_event *poll_batch;    /* the ready list being served, while it is */
    size_t poll_batch_length;
    struct bus_encoded *json_cache, *qmf_cache; /* BUS_ENCODED_SLOTS each, allocated on first use */
    struct amqp_writer scratch;                 /* uncached encodings (gap messages, the broker's) */
    unsigned int next_conn_id;
    unsigned int pending_calls;
    bool stopping;
};

/* --- connections (bus/conn.c) ------------------------------------------------------------- */
/* Takes fd. server: accepted by a listener; else a client connection to a broker. */
struct bus_conn *bus_conn_new(struct bus_frontend *fe, int fd, bool server, const char *label);
/* After a change made outside the connection's own event handling (a reply, an event): the
 * connection writes what proton has to send once the loop has finished its current work, so a
 * batch of events leaves in one write per connection, and a connection is never run from
 * inside its own handling. */
void bus_conn_flush(struct bus_conn *conn);
/* The socket is ready (revents from epoll): reads, runs proton, writes. May free conn. */
void bus_conn_on_io(struct bus_conn *conn, uint32_t revents);

/* --- the front end's epoll set (bus/conn_poll.c) -------------------------------------------- */
int bus_poll_open(struct bus_frontend *fe);
void bus_poll_close(struct bus_frontend *fe);
int bus_poll_add(struct bus_conn *conn, uint32_t events);
/* Changes what conn waits for, with one epoll_ctl only when it differs. */
void bus_poll_set(struct bus_conn *conn, uint32_t events);
/* Out of the set, and out of the batch being served. */
void bus_poll_remove(struct bus_conn *conn);
/* The front end's deferred flush: runs every connection marked by bus_conn_flush. */
int bus_conns_flush_marked(struct sd_event_source *source, void *userdata);
/* Closes with an AMQP error condition (NULL name: a clean close). */
void bus_conn_close(struct bus_conn *conn, const char *condition, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void bus_conn_free(struct bus_conn *conn);
/* Unsent bytes: what the socket did not take at the last write, plus the messages given to
 * proton since (framing aside). Cheap: asking proton (pn_transport_pending) would encode the
 * frames of every delivery at once, one by one. */
size_t bus_conn_output_pending(struct bus_conn *conn);

/* --- proton events (bus/conn_events.c) ------------------------------------------------------ */
void bus_conn_handle_event(struct bus_conn *conn, pn_event_t *event);

/* --- SASL (bus/sasl.c) ---------------------------------------------------------------------- */
/* Installs virtbus's server SASL (ANONYMOUS, PLAIN against the users file, EXTERNAL). */
void bus_sasl_server_init(struct bus_conn *conn, pn_transport_t *transport);

/* --- links (bus/link.c) --------------------------------------------------------------------- */
struct bus_link *bus_link_new(struct bus_conn *conn, pn_link_t *link, enum bus_link_kind kind);
struct bus_link *bus_link_of(pn_link_t *link);
void bus_link_free(struct bus_link *link);
/* Sends msg on link now if it has credit, else queues it (up to BUS_MAX_LINK_QUEUE; past that
 * the link is detached as a slow consumer). Returns 0 or -1. */
int bus_link_send(struct bus_link *link, pn_message_t *msg, uint64_t seq);
int bus_link_send_bytes(struct bus_link *link, const char *bytes, size_t size, uint64_t seq);
/* True when a message sent now would go out at once (credit, nothing queued, output room). */
bool bus_link_can_send(struct bus_link *link);
/* For the event pump, which checks the connection's output room once per batch (asking proton
 * for it costs a pass over the transport): credit and nothing queued; then send without checks. */
bool bus_link_has_credit(struct bus_link *link);
void bus_link_send_bytes_now(struct bus_link *link, const char *bytes, size_t size);
/* Encodes msg into a malloc'd buffer. */
int bus_message_encode(pn_message_t *msg, char **out, size_t *size);
/* Sends what the queue holds while there is credit. */
void bus_link_drain_queue(struct bus_link *link);
/* The outgoing link messages to address go to: this connection's first, then any. */
struct bus_link *bus_link_find_reply(struct bus_frontend *fe, struct bus_conn *prefer, const char *address);
/* Detaches with an error condition. */
void bus_link_detach(struct bus_link *link, const char *condition, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- routing (bus/route.c) ------------------------------------------------------------------ */
/* Decides what a link the peer attached is for; refuses what virtbus does not serve. */
void bus_route_remote_open(struct bus_conn *conn, pn_link_t *link);
/* One whole message arrived on a requests link. */
void bus_route_message(struct bus_link *link, const char *bytes, size_t size);
/* Sends msg to address: a link of this connection or another, or through the broker. */
int bus_route_reply(struct bus_frontend *fe, struct bus_conn *via, const char *address, pn_message_t *msg);

/* --- events (bus/events_out.c) --------------------------------------------------------------- */
int bus_events_subscribe(struct bus_frontend *fe);
void bus_events_unsubscribe(struct bus_frontend *fe);
/* Sends what an events or QMF topic link may send now (credit, policy, retained events). */
void bus_events_pump(struct bus_link *link);
/* Parses "virtbus.events" and "virtbus.events?from=N". Returns 0, -1 when malformed. */
int bus_events_parse_address(const char *address, bool *has_from, uint64_t *from);

/* --- QMF agents (bus/agents.c) --------------------------------------------------------------- */
/* One agent per connection options->serve names ("all": every one; none: the first), named
 * after fe->hostname. -1 with err naming a URI the daemon does not serve, or a repeated one. */
int bus_agents_new(struct bus_frontend *fe, struct vb_connect *const *conns, size_t n_conns, struct vb_error *err);
void bus_agents_free(struct bus_frontend *fe);
/* The agent a direct request names in its subject: NULL or "" is the first; NULL when none is. */
const struct bus_agent *bus_agent_by_name(const struct bus_frontend *fe, const char *name);
/* The agent serving the connection an event came from; NULL when no agent serves it. */
const struct bus_agent *bus_agent_of_uri(const struct bus_frontend *fe, const char *uri);
/* The daemon's connection of that URI (served by an agent or not); the first when none is. */
struct vb_connect *bus_frontend_connection_of(const struct bus_frontend *fe, const char *uri);

/* --- QMF (bus/qmf*.c) ------------------------------------------------------------------------ */
void bus_qmf_handle(struct bus_conn *conn, pn_message_t *msg);
/* Sends one heartbeat to every topic subscriber and broker. */
void bus_qmf_send_heartbeat(struct bus_frontend *fe);
/* True when subject matches an AMQP 0-10 topic binding key ('*' one word, '#' zero or more). */
bool bus_topic_matches(const char *binding, const char *subject);
