/* Connecting out to a broker: links by the profile's address conventions, an outbox that
 * keeps events until the broker accepts them (bounded; the oldest go first when it is full),
 * and reconnection with capped exponential backoff. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <proton/connection.h>
#include <proton/link.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/terminus.h>
#include <systemd/sd-event.h>

#include "bus/broker.h"
#include "bus/broker_url.h"
#include "bus/event_message.h"
#include "util/log.h"
#include "util/time.h"

#define BACKOFF_FIRST_USEC 250000ull
#define BACKOFF_MAX_USEC (30ull * 1000000ull)
#define REQUEST_CREDIT 64
#define MAX_REPLY_LINKS 64

struct outbox_item {
    struct outbox_item *next;
    bool to_topic;           /* QMF event: the QMF topic; else the JSON events exchange */
    pn_delivery_t *delivery; /* sent on the current connection, waiting for the broker */
    uint64_t seq;
    size_t size;
    char bytes[];
};

struct bus_broker {
    struct bus_frontend *fe;
    char *url_text;          /* without the password, for logs */
    struct bus_broker_url url;
    struct bus_conn *conn;   /* NULL while away */
    struct bus_link *events_link, *topic_link;
    sd_event_source *retry;
    uint64_t backoff_usec;
    struct outbox_item *head, *tail;
    struct outbox_item *unsent;  /* where sending resumes: everything before it is sent */
    size_t length;
    uint64_t overflowed;
};

/* --- addresses per profile --------------------------------------------------------------- */

static void address_for(const struct bus_broker *b, const char *node, const char *key, char *out, size_t size)
{
    switch (b->fe->options->profile) {
    case BUS_BROKER_RABBITMQ:
        snprintf(out, size, "/exchange/%s%s%s", node, key ? "/" : "", key ? key : "");
        break;
    case BUS_BROKER_ACTIVEMQ:
        snprintf(out, size, "topic://%s%s%s", node, key ? "." : "", key ? key : "");
        break;
    case BUS_BROKER_QPIDD:
    default:
        snprintf(out, size, "%s%s%s", node, key ? "/" : "", key ? key : "");
        break;
    }
}

/* --- the outbox ---------------------------------------------------------------------------- */

static void outbox_remove(struct bus_broker *b, struct outbox_item *item)
{
    struct outbox_item **p;

    for (p = &b->head; *p; p = &(*p)->next)
        if (*p == item) {
            *p = item->next;
            if (b->unsent == item)
                b->unsent = item->next;
            if (b->tail == item) {
                b->tail = NULL;
                for (struct outbox_item *i = b->head; i; i = i->next)
                    b->tail = i;
            }
            b->length--;
            free(item);
            return;
        }
}

static void outbox_add(struct bus_broker *b, const char *bytes, size_t size, bool to_topic, uint64_t seq)
{
    struct outbox_item *item;

    if (b->length >= b->fe->options->broker_buffer && b->head) {
        if (b->overflowed++ % 1000 == 0)
            vb_log_warning("amqp broker %s: outbox full (%u): dropped the oldest event (%llu dropped so far)",
                           b->url_text, b->fe->options->broker_buffer, (unsigned long long) b->overflowed);
        if (b->head->delivery)
            pn_delivery_settle(b->head->delivery);
        outbox_remove(b, b->head);
    }
    if (!(item = malloc(sizeof(*item) + size)))
        return;
    *item = (struct outbox_item){ .to_topic = to_topic, .seq = seq, .size = size };
    memcpy(item->bytes, bytes, size);
    if (b->tail)
        b->tail->next = item;
    else
        b->head = item;
    b->tail = item;
    b->length++;
    if (!b->unsent)
        b->unsent = item;
}

/* Everything is to be sent again (a new connection), or from item on (the broker released it). */
static void outbox_resend_from(struct bus_broker *b, struct outbox_item *item)
{
    for (struct outbox_item *i = item; i; i = i->next)
        i->delivery = NULL;
    b->unsent = item;
}

/* Sends, in order, what has not been sent on this connection, while there is credit. Starts
 * where the last pump stopped: a long outbox of unacknowledged events costs nothing per event. */
static void outbox_pump(struct bus_broker *b)
{
    for (struct outbox_item *item = b->unsent; item && b->conn; item = item->next) {
        struct bus_link *l = item->to_topic ? b->topic_link : b->events_link;
        b->unsent = item;
        if (item->delivery)
            continue;
        if (!l || !bus_link_can_send(l))
            return;
        item->delivery = pn_delivery(l->link, pn_dtag((const char *) &item, sizeof(item)));
        pn_link_send(l->link, item->bytes, item->size);
        pn_link_advance(l->link);
        b->unsent = item->next;
    }
}

/* --- connecting ---------------------------------------------------------------------------- */

static int connect_socket(const struct bus_broker_url *url)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int fd;

    if (getaddrinfo(url->host, url->port, &hints, &res) != 0)
        return -EHOSTUNREACH;
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS) {
        close(fd);
        fd = -errno;
    }
    freeaddrinfo(res);
    return fd;
}

static struct bus_link *open_link(struct bus_broker *b, pn_session_t *session, bool sender, const char *address,
                                  enum bus_link_kind kind)
{
    char name[300];
    pn_link_t *link;
    struct bus_link *l;

    snprintf(name, sizeof(name), "%s-%s", b->fe->agents[0].name, address);
    link = sender ? pn_sender(session, name) : pn_receiver(session, name);
    if (sender)
        pn_terminus_set_address(pn_link_target(link), address);
    else
        pn_terminus_set_address(pn_link_source(link), address);
    l = bus_link_new(b->conn, link, kind);
    if (l && sender)
        l->address = strdup(address);
    pn_link_open(link);
    if (!sender)
        pn_link_flow(link, REQUEST_CREDIT);
    return l;
}

static void open_links(struct bus_broker *b)
{
    pn_session_t *session = pn_session(b->conn->driver.connection);
    char address[512];

    pn_session_open(session);
    for (size_t i = 0; i < b->fe->n_agents; i++) {
        address_for(b, BUS_QMF_DIRECT, b->fe->agents[i].name, address, sizeof(address));
        open_link(b, session, false, address, BUS_LINK_REQUESTS);
    }
    address_for(b, BUS_QMF_TOPIC, "console.request.#", address, sizeof(address));
    open_link(b, session, false, address, BUS_LINK_REQUESTS);
    address_for(b, BUS_EVENTS_ADDRESS, NULL, address, sizeof(address));
    b->events_link = open_link(b, session, true, address, BUS_LINK_PUBLISH);
    address_for(b, BUS_QMF_TOPIC, NULL, address, sizeof(address));
    b->topic_link = open_link(b, session, true, address, BUS_LINK_PUBLISH);
}

static void schedule_retry(struct bus_broker *b);

static void try_connect(struct bus_broker *b)
{
    pn_transport_t *transport;
    pn_connection_t *connection;
    int fd = connect_socket(&b->url);

    if (fd < 0) {
        vb_log_notice("amqp broker %s: cannot connect: %s", b->url_text, strerror(-fd));
        schedule_retry(b);
        return;
    }
    b->conn = bus_conn_new(b->fe, fd, false, b->url_text);
    if (!b->conn) {
        schedule_retry(b);
        return;
    }
    b->conn->broker = b;
    connection = b->conn->driver.connection;
    transport = b->conn->driver.transport;
    pn_connection_set_container(connection, b->fe->agents[0].name);
    pn_connection_set_hostname(connection, b->url.host);
    if (b->url.user[0]) {
        pn_connection_set_user(connection, b->url.user);
        pn_connection_set_password(connection, b->url.password);
    }
    pn_sasl_set_allow_insecure_mechs(pn_sasl(transport), true);
    if (b->url.tls)
        pn_ssl_init(pn_ssl(transport), NULL, NULL);
    pn_connection_open(connection);
    open_links(b);
}

static int on_retry(sd_event_source *source, uint64_t usec, void *userdata)
{
    try_connect(userdata);
    return 0;
}

static void schedule_retry(struct bus_broker *b)
{
    if (b->fe->stopping)
        return;
    b->backoff_usec = b->backoff_usec ? b->backoff_usec * 2 : BACKOFF_FIRST_USEC;
    if (b->backoff_usec > BACKOFF_MAX_USEC)
        b->backoff_usec = BACKOFF_MAX_USEC;
    sd_event_source_set_time_relative(b->retry, b->backoff_usec);
    sd_event_source_set_enabled(b->retry, SD_EVENT_ONESHOT);
}

/* --- from the connection --------------------------------------------------------------------- */

void bus_broker_opened(struct bus_broker *b, const struct bus_conn *conn)
{
    vb_log_info("amqp broker %s: connected; %zu event(s) waiting to be sent", b->url_text, b->length);
    b->backoff_usec = 0;
    outbox_pump(b);
}

void bus_broker_lost(struct bus_broker *b, const struct bus_conn *conn)
{
    if (b->conn != conn)
        return;
    b->conn = NULL;
    b->events_link = b->topic_link = NULL;
    outbox_resend_from(b, b->head); /* the broker never acknowledged them: send again */
    vb_log_notice("amqp broker %s: connection lost; reconnecting", b->url_text);
    schedule_retry(b);
}

void bus_broker_flow(struct bus_broker *b, struct bus_link *l)
{
    outbox_pump(b);
}

void bus_broker_settled(struct bus_broker *b, struct bus_link *l, pn_delivery_t *d)
{
    uint64_t state = pn_delivery_remote_state(d);

    for (struct outbox_item *item = b->head; item; item = item->next)
        if (item->delivery == d) {
            if (state == PN_RELEASED || state == PN_MODIFIED) {
                pn_delivery_settle(d);
                outbox_resend_from(b, item); /* the broker asks for it again, and so the rest in order */
                outbox_pump(b);
                return;
            }
            if (state == PN_REJECTED)
                vb_log_warning("amqp broker %s: event %llu rejected", b->url_text, (unsigned long long) item->seq);
            outbox_remove(b, item);
            break;
        }
    pn_delivery_settle(d);
}

void bus_broker_link_lost(struct bus_broker *b, struct bus_link *l)
{
    if (!l)
        return;
    if (l == b->events_link || l == b->topic_link) {
        vb_log_warning("amqp broker %s: publisher link '%s' closed; reconnecting", b->url_text, l->address);
        outbox_resend_from(b, b->head);
        b->events_link = b->topic_link = NULL;
        if (b->conn)
            bus_conn_close(b->conn, "amqp:internal-error", "publisher link lost");
    }
}

/* --- sending ----------------------------------------------------------------------------------- */

static struct bus_link *reply_link(struct bus_broker *b, const char *address)
{
    pn_session_t *session;
    size_t n = 0;

    for (struct bus_link *l = b->conn->links; l; l = l->next)
        if (l->kind == BUS_LINK_PUBLISH && l != b->events_link && l != b->topic_link) {
            if (l->address && strcmp(l->address, address) == 0)
                return l;
            n++;
        }
    if (n >= MAX_REPLY_LINKS)
        return NULL;
    session = pn_link_session(b->events_link ? b->events_link->link : b->conn->links->link);
    return open_link(b, session, true, address, BUS_LINK_PUBLISH);
}

int bus_broker_send_to(struct bus_broker *b, const char *address, pn_message_t *msg)
{
    struct bus_link *l;

    if (!b->conn || !b->conn->links)
        return -1;
    l = reply_link(b, address);
    if (!l) {
        vb_log_warning("amqp broker %s: too many reply addresses; reply to '%s' dropped", b->url_text, address);
        return -1;
    }
    return bus_link_send(l, msg, 0);
}

void bus_broker_publish_event(struct bus_broker *b, const struct vb_event *event)
{
    struct amqp_writer *json = &b->fe->scratch;
    const struct bus_agent *agent = bus_agent_of_uri(b->fe, event->uri);
    pn_message_t *qmf = NULL;
    char *bytes;
    size_t size;

    if (!bus_event_published(event))
        return;
    /* JSON for every connection's events; QMF only under the agent of the event's connection. */
    if (agent)
        qmf = bus_event_qmf_message(event, b->fe->hostname, agent->name);
    if (bus_event_json_encode(event, b->fe->hostname, 0, json) == 0)
        outbox_add(b, json->data, json->len, false, event->seq);
    if (qmf && bus_message_encode(qmf, &bytes, &size) == 0) {
        outbox_add(b, bytes, size, true, event->seq);
        free(bytes);
    }
    pn_message_free(qmf);
    outbox_pump(b);
    if (b->conn)
        bus_conn_flush(b->conn);
}

void bus_broker_publish_heartbeat(struct bus_broker *b, pn_message_t *heartbeat)
{
    if (!b->conn || !b->topic_link || !bus_link_can_send(b->topic_link))
        return;
    bus_link_send(b->topic_link, heartbeat, 0);
    bus_conn_flush(b->conn);
}

/* --- life ---------------------------------------------------------------------------------------- */

int bus_broker_new(struct bus_frontend *fe, const char *url, struct bus_broker **out, struct vb_error *err)
{
    struct bus_broker *b = calloc(1, sizeof(*b));

    if (!b)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    b->fe = fe;
    if (bus_broker_url_parse(url, &b->url) < 0) {
        free(b);
        return vb_error_set(err, VB_ERR_CONF_SYNTAX,
                            "broker URL '%s' is not amqp[s]://[USER[:PASSWORD]@]HOST[:PORT]", url);
    }
    if (asprintf(&b->url_text, "amqp%s://%s:%s", b->url.tls ? "s" : "", b->url.host, b->url.port) < 0 ||
        sd_event_add_time_relative(fe->loop, &b->retry, CLOCK_MONOTONIC, 0, VB_TIMER_ACCURACY_USEC, on_retry, b) < 0) {
        bus_broker_free(b);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    /* The first attempt runs from the loop, once the daemon is up. */
    sd_event_source_set_enabled(b->retry, SD_EVENT_ONESHOT);
    *out = b;
    return 0;
}

void bus_broker_free(struct bus_broker *b)
{
    if (!b)
        return;
    if (b->conn) {
        b->conn->broker = NULL;
        bus_conn_free(b->conn);
    }
    if (b->length)
        vb_log_notice("amqp broker %s: %zu event(s) never reached it", b->url_text, b->length);
    while (b->head)
        outbox_remove(b, b->head);
    sd_event_source_disable_unref(b->retry);
    free(b->url_text);
    free(b);
}
