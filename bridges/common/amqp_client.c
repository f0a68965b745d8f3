/* A small AMQP 1.0 client for bridges on the sd-event loop: one connection at a time, proton's
 * pn_connection_driver over our own non-blocking socket (as virtbusd's bus/conn.c does for the
 * connections it serves), so all AMQP work happens on the loop's one thread. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/sasl.h>
#include <proton/transport.h>

#include "bridges/common/amqp_client.h"
#include "util/log.h"
#include "util/time.h"

#define BACKOFF_FIRST_USEC 250000ull
#define MAX_MESSAGE_BYTES (64u * 1024u * 1024u)

struct amqp_client {
    sd_event *loop;
    struct amqp_url url;
    char label[AMQP_URL_FIELD_MAX * 2];
    char *container;
    struct amqp_client_callbacks callbacks;
    void *userdata;

    int fd;
    bool active;     /* a driver exists */
    bool connected;  /* the non-blocking connect ended */
    bool up;         /* the peer opened */
    bool running;
    pn_connection_driver_t driver;
    sd_event_source *io, *timer, *retry, *flush;
    uint64_t backoff_usec, max_backoff_usec;
};

static void client_run(struct amqp_client *client);
static void schedule_retry(struct amqp_client *client);

static int connect_socket(const struct amqp_url *url)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *list = NULL;
    int fd = -1, r;

    r = getaddrinfo(url->host, url->port, &hints, &list);
    if (r != 0)
        return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
    r = -ECONNREFUSED;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            r = -errno;
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS)
            break;
        r = -errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    return fd >= 0 ? fd : r;
}

/* Ends the current connection (if any) and tells the owner once. */
static void client_drop(struct amqp_client *client, const char *reason)
{
    bool was_active = client->active;

    client->io = sd_event_source_disable_unref(client->io);
    client->timer = sd_event_source_disable_unref(client->timer);
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    if (client->active)
        pn_connection_driver_destroy(&client->driver);
    client->active = client->connected = client->up = false;
    if (was_active && client->callbacks.down)
        client->callbacks.down(client, reason, client->userdata);
}

static void read_in(struct amqp_client *client)
{
    pn_rwbytes_t buf = pn_connection_driver_read_buffer(&client->driver);
    ssize_t n;

    if (buf.size == 0)
        return;
    n = recv(client->fd, buf.start, buf.size, MSG_DONTWAIT);
    if (n > 0)
        pn_connection_driver_read_done(&client->driver, (size_t) n);
    else if (n == 0)
        pn_connection_driver_read_close(&client->driver);
    else if (errno != EAGAIN && errno != EINTR)
        pn_connection_driver_close(&client->driver);
}

static bool connect_ended(struct amqp_client *client)
{
    int error = 0;
    socklen_t len = sizeof(error);

    client->connected = true;
    if (getsockopt(client->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error == 0)
        return true;
    vb_log_notice("amqp %s: cannot connect: %s", client->label, strerror(error));
    client_drop(client, strerror(error));
    schedule_retry(client);
    return false;
}

static int on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct amqp_client *client = userdata;

    if (!client->connected && !connect_ended(client))
        return 0;
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
        read_in(client);
    client_run(client);
    return 0;
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
    client_run(userdata);
    return 0;
}

static int on_flush(sd_event_source *source, void *userdata)
{
    client_run(userdata);
    return 0;
}

static void write_out(struct amqp_client *client)
{
    for (;;) {
        pn_bytes_t buf = pn_connection_driver_write_buffer(&client->driver);
        ssize_t n;

        if (buf.size == 0)
            return;
        n = send(client->fd, buf.start, buf.size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                pn_connection_driver_write_close(&client->driver);
            return;
        }
        pn_connection_driver_write_done(&client->driver, (size_t) n);
    }
}

static void log_condition(struct amqp_client *client, const char *what, pn_condition_t *cond)
{
    if (pn_condition_is_set(cond))
        vb_log_notice("amqp %s: %s: %s: %s", client->label, what, pn_condition_get_name(cond),
                      pn_condition_get_description(cond) ? pn_condition_get_description(cond) : "");
}

static void handle_event(struct amqp_client *client, pn_event_t *event)
{
    switch (pn_event_type(event)) {
    case PN_CONNECTION_REMOTE_OPEN:
        client->up = true;
        client->backoff_usec = 0;
        vb_log_info("amqp %s: connected", client->label);
        break;
    case PN_CONNECTION_REMOTE_CLOSE:
        log_condition(client, "closed by peer", pn_connection_remote_condition(pn_event_connection(event)));
        pn_connection_close(pn_event_connection(event));
        break;
    case PN_TRANSPORT_ERROR:
        log_condition(client, "transport", pn_transport_condition(pn_event_transport(event)));
        break;
    case PN_LINK_REMOTE_CLOSE:
        log_condition(client, "link closed by peer", pn_link_remote_condition(pn_event_link(event)));
        break;
    default:
        break;
    }
    if (client->callbacks.event)
        client->callbacks.event(client, event, client->userdata);
}

static void rearm(struct amqp_client *client)
{
    uint32_t events = 0;
    int64_t next_tick;

    if (!pn_connection_driver_read_closed(&client->driver))
        events |= EPOLLIN;
    if (pn_connection_driver_write_buffer(&client->driver).size > 0)
        events |= EPOLLOUT;
    sd_event_source_set_io_events(client->io, events);
    next_tick = pn_transport_tick(client->driver.transport, (int64_t) (vb_now_usec() / 1000u));
    if (next_tick > 0) {
        sd_event_source_set_time(client->timer, (uint64_t) next_tick * 1000u);
        sd_event_source_set_enabled(client->timer, SD_EVENT_ONESHOT);
    } else {
        sd_event_source_set_enabled(client->timer, SD_EVENT_OFF);
    }
}

static void client_run(struct amqp_client *client)
{
    pn_event_t *event;

    if (!client->active || !client->connected || client->running)
        return;
    client->running = true;
    while ((event = pn_connection_driver_next_event(&client->driver)))
        handle_event(client, event);
    write_out(client);
    while ((event = pn_connection_driver_next_event(&client->driver)))
        handle_event(client, event);
    client->running = false;
    if (pn_connection_driver_finished(&client->driver)) {
        pn_condition_t *cond = pn_transport_condition(client->driver.transport);
        const char *reason = pn_condition_is_set(cond) && pn_condition_get_description(cond)
                                 ? pn_condition_get_description(cond)
                                 : "connection closed";
        char copy[256];

        snprintf(copy, sizeof(copy), "%s", reason);
        vb_log_notice("amqp %s: lost: %s", client->label, copy);
        client_drop(client, copy);
        schedule_retry(client);
        return;
    }
    rearm(client);
}

static void setup_connection(struct amqp_client *client)
{
    pn_connection_t *connection = client->driver.connection;
    pn_transport_t *transport = client->driver.transport;
    pn_sasl_t *sasl = pn_sasl(transport);

    pn_transport_set_max_frame(transport, 64u * 1024u);
    pn_connection_set_container(connection, client->container);
    pn_connection_set_hostname(connection, client->url.host);
    pn_sasl_set_allow_insecure_mechs(sasl, true);
    if (client->url.user[0]) {
        pn_connection_set_user(connection, client->url.user);
        pn_connection_set_password(connection, client->url.password);
        pn_sasl_allowed_mechs(sasl, "PLAIN");
    } else {
        pn_sasl_allowed_mechs(sasl, "ANONYMOUS");
    }
    pn_connection_open(connection);
    if (client->callbacks.up)
        client->callbacks.up(client, connection, client->userdata);
}

static void try_connect(struct amqp_client *client)
{
    int fd = connect_socket(&client->url);

    if (fd < 0) {
        vb_log_notice("amqp %s: cannot connect: %s", client->label, strerror(-fd));
        schedule_retry(client);
        return;
    }
    if (pn_connection_driver_init(&client->driver, NULL, NULL) != 0) {
        close(fd);
        schedule_retry(client);
        return;
    }
    client->fd = fd;
    client->active = true;
    client->connected = false;
    if (sd_event_add_io(client->loop, &client->io, fd, EPOLLIN | EPOLLOUT, on_io, client) < 0 ||
        sd_event_add_time(client->loop, &client->timer, CLOCK_MONOTONIC, 0, VB_TIMER_ACCURACY_USEC, on_timer, client) < 0) {
        client_drop(client, "out of memory");
        schedule_retry(client);
        return;
    }
    sd_event_source_set_enabled(client->timer, SD_EVENT_OFF);
    setup_connection(client);
}

static int on_retry(sd_event_source *source, uint64_t usec, void *userdata)
{
    try_connect(userdata);
    return 0;
}

static void schedule_retry(struct amqp_client *client)
{
    client->backoff_usec = client->backoff_usec ? client->backoff_usec * 2 : BACKOFF_FIRST_USEC;
    if (client->backoff_usec > client->max_backoff_usec)
        client->backoff_usec = client->max_backoff_usec;
    sd_event_source_set_time_relative(client->retry, client->backoff_usec);
    sd_event_source_set_enabled(client->retry, SD_EVENT_ONESHOT);
}

struct amqp_client *amqp_client_new(sd_event *loop, const struct amqp_url *url, const char *container,
                                    const struct amqp_client_callbacks *callbacks, void *userdata)
{
    struct amqp_client *client = calloc(1, sizeof(*client));

    if (!client)
        return NULL;
    client->loop = sd_event_ref(loop);
    client->url = *url;
    client->fd = -1;
    client->callbacks = *callbacks;
    client->userdata = userdata;
    client->max_backoff_usec = 10000000ull;
    amqp_url_format_safe(url, client->label, sizeof(client->label));
    client->container = strdup(container);
    if (!client->container ||
        sd_event_add_time_relative(loop, &client->retry, CLOCK_MONOTONIC, 0, VB_TIMER_ACCURACY_USEC, on_retry, client) < 0 ||
        sd_event_add_defer(loop, &client->flush, on_flush, client) < 0) {
        amqp_client_free(client);
        return NULL;
    }
    sd_event_source_set_enabled(client->retry, SD_EVENT_OFF);
    sd_event_source_set_enabled(client->flush, SD_EVENT_OFF);
    return client;
}

void amqp_client_free(struct amqp_client *client)
{
    if (!client)
        return;
    client->callbacks.down = NULL; /* the owner is going away: no callbacks into it */
    client->callbacks.event = NULL;
    client_drop(client, "stopping");
    sd_event_source_disable_unref(client->retry);
    sd_event_source_disable_unref(client->flush);
    sd_event_unref(client->loop);
    free(client->container);
    free(client);
}

void amqp_client_start(struct amqp_client *client, uint64_t max_backoff_usec)
{
    if (max_backoff_usec)
        client->max_backoff_usec = max_backoff_usec;
    try_connect(client);
}

bool amqp_client_is_up(const struct amqp_client *client)
{
    return client->up;
}

void amqp_client_flush(struct amqp_client *client)
{
    if (client->active)
        sd_event_source_set_enabled(client->flush, SD_EVENT_ONESHOT);
}

int amqp_client_send(pn_link_t *sender, pn_message_t *msg)
{
    static uint64_t tag;
    pn_rwbytes_t buf = {0, NULL};
    pn_delivery_t *delivery;
    ssize_t n;

    if (pn_link_credit(sender) <= 0)
        return -EAGAIN;
    n = pn_message_encode2(msg, &buf);
    if (n < 0) {
        free(buf.start);
        return -EINVAL;
    }
    tag++;
    delivery = pn_delivery(sender, pn_dtag((const char *) &tag, sizeof(tag)));
    pn_link_send(sender, buf.start, (size_t) n);
    pn_link_advance(sender);
    pn_delivery_settle(delivery);
    free(buf.start);
    return 0;
}

int amqp_client_read(pn_delivery_t *delivery, pn_message_t *msg)
{
    pn_link_t *link = pn_delivery_link(delivery);
    size_t size = pn_delivery_pending(delivery);
    char *buf;
    ssize_t n;
    int r;

    if (size == 0 || size > MAX_MESSAGE_BYTES)
        return -EBADMSG;
    buf = malloc(size);
    if (!buf)
        return -ENOMEM;
    n = pn_link_recv(link, buf, size);
    r = n == (ssize_t) size && pn_message_decode(msg, buf, size) == 0 ? 0 : -EBADMSG;
    free(buf);
    return r;
}
