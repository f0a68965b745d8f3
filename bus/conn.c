/* One AMQP connection driven on the sd-event loop: proton's pn_connection_driver over our own
 * socket, read and written when the socket is ready, its timers on an sd-event timer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/sasl.h>
#include <proton/transport.h>
#include <systemd/sd-event.h>

#include "bus/broker.h"
#include "bus/frontend.h"
#include "bus/request.h"
#include "util/log.h"
#include "util/time.h"

static void conn_run(struct bus_conn *conn);

/* A broker connection's non-blocking connect has ended: say so plainly if it failed, rather
 * than as the protocol error proton would report for the closed socket. */
static bool connect_failed(struct bus_conn *conn)
{
    int error = 0;
    socklen_t len = sizeof(error);

    conn->connected = true;
    if (getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error == 0)
        return false;
    vb_log_notice("amqp %s: cannot connect: %s", conn->label, strerror(error));
    pn_connection_driver_close(&conn->driver);
    return true;
}

void bus_conn_on_io(struct bus_conn *conn, uint32_t revents)
{
    if (!conn->connected && connect_failed(conn)) {
        conn_run(conn);
        return;
    }

    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        pn_rwbytes_t buf = pn_connection_driver_read_buffer(&conn->driver);
        if (buf.size > 0) {
            ssize_t n = recv(conn->fd, buf.start, buf.size, MSG_DONTWAIT);
            if (n > 0)
                pn_connection_driver_read_done(&conn->driver, (size_t) n);
            else if (n == 0)
                pn_connection_driver_read_close(&conn->driver);
            else if (errno != EAGAIN && errno != EINTR) {
                vb_log_debug("amqp %s: read: %s", conn->label, strerror(errno));
                pn_connection_driver_close(&conn->driver);
            }
        }
    }
    conn_run(conn);
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct bus_conn *conn = userdata;

    if (!conn->opened && vb_now_usec() >= conn->open_deadline) {
        unsigned int seconds = conn->fe->options->open_timeout_seconds;
        conn->connected = true; /* a connect that never ended ends here */
        vb_log_notice("amqp %s: closed: no open within %u s", conn->label, seconds);
        pn_connection_driver_errorf(&conn->driver, "amqp:resource-limit-exceeded",
                                    "authentication and open must finish within %u s", seconds);
        pn_connection_driver_close(&conn->driver);
    }
    conn_run(conn);
    return 0;
}

static void write_out(struct bus_conn *conn)
{
    conn->queued = 0;
    for (;;) {
        pn_bytes_t buf = pn_connection_driver_write_buffer(&conn->driver);
        ssize_t n;

        conn->unwritten = buf.size;
        if (buf.size == 0)
            return;
        n = send(conn->fd, buf.start, buf.size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                vb_log_debug("amqp %s: write: %s", conn->label, strerror(errno));
                pn_connection_driver_write_close(&conn->driver);
                conn->unwritten = 0;
            }
            return;
        }
        pn_connection_driver_write_done(&conn->driver, (size_t) n);
    }
}

static void handle_events(struct bus_conn *conn)
{
    pn_event_t *event;

    while ((event = pn_connection_driver_next_event(&conn->driver)))
        bus_conn_handle_event(conn, event);
}

/* Reading stops while too much output waits for a peer that does not read. */
static void rearm(struct bus_conn *conn)
{
    uint32_t events = 0;
    uint64_t now_ms = vb_now_usec() / 1000u, next_usec = 0;
    int64_t next_tick;

    if (!pn_connection_driver_read_closed(&conn->driver) && bus_conn_output_pending(conn) < BUS_MAX_OUTPUT_BYTES)
        events |= EPOLLIN;
    if (pn_connection_driver_write_buffer(&conn->driver).size > 0)
        events |= EPOLLOUT;
    bus_poll_set(conn, events);

    next_tick = pn_transport_tick(conn->driver.transport, (int64_t) now_ms);
    if (next_tick > 0)
        next_usec = (uint64_t) next_tick * 1000u;
    if (!conn->opened && (next_usec == 0 || conn->open_deadline < next_usec))
        next_usec = conn->open_deadline;
    if (next_usec) {
        sd_event_source_set_time(conn->timer, next_usec);
        sd_event_source_set_enabled(conn->timer, SD_EVENT_ONESHOT);
    } else {
        sd_event_source_set_enabled(conn->timer, SD_EVENT_OFF);
    }
}

static void conn_finished(struct bus_conn *conn)
{
    pn_condition_t *cond = pn_transport_condition(conn->driver.transport);

    if (pn_condition_is_set(cond))
        vb_log_info("amqp %s: closed: %s: %s", conn->label, pn_condition_get_name(cond),
                    pn_condition_get_description(cond) ? pn_condition_get_description(cond) : "");
    else
        vb_log_debug("amqp %s: closed", conn->label);
    if (conn->broker)
        bus_broker_lost(conn->broker, conn);
    bus_conn_free(conn);
}

/* Handles what proton has to say, writes what it has to send, and frees the connection once
 * both directions are closed. */
static void conn_run(struct bus_conn *conn)
{
    if (!conn->connected)
        return; /* on_io runs it once the connect has ended */
    /* A request answered while its connection's events are being handled flushes too; the run
     * already under way does that (and only it may free the connection). */
    if (conn->running)
        return;
    conn->running = true;
    handle_events(conn);
    write_out(conn);
    handle_events(conn);
    conn->running = false;
    if (pn_connection_driver_finished(&conn->driver)) {
        conn_finished(conn);
        return;
    }
    rearm(conn);
}

void bus_conn_flush(struct bus_conn *conn)
{
    /* A run under way writes, and leaves the rest to EPOLLOUT: no loop iteration of its own. */
    if (conn->running)
        return;
    conn->flush_marked = true;
    sd_event_source_set_enabled(conn->fe->flush, SD_EVENT_ONESHOT);
}

int bus_conns_flush_marked(sd_event_source *source, void *userdata)
{
    struct bus_frontend *fe = userdata;

    for (struct bus_conn *c = fe->conns, *next; c; c = next) {
        next = c->next; /* conn_run may free c */
        if (c->flush_marked) {
            c->flush_marked = false;
            conn_run(c);
        }
    }
    return 0;
}

size_t bus_conn_output_pending(struct bus_conn *conn)
{
    return conn->unwritten + conn->queued;
}

void bus_conn_close(struct bus_conn *conn, const char *condition, const char *fmt, ...)
{
    pn_condition_t *cond = pn_connection_condition(conn->driver.connection);

    if (condition) {
        va_list ap;
        va_start(ap, fmt);
        pn_condition_vformat(cond, condition, fmt, ap);
        va_end(ap);
    }
    pn_connection_close(conn->driver.connection);
}

struct bus_conn *bus_conn_new(struct bus_frontend *fe, int fd, bool server, const char *label)
{
    struct bus_conn *conn = calloc(1, sizeof(*conn));
    pn_transport_t *transport;

    if (!conn || !(conn->label = strdup(label)) || pn_connection_driver_init(&conn->driver, NULL, NULL) != 0) {
        if (conn)
            free(conn->label);
        free(conn);
        close(fd);
        return NULL;
    }
    conn->fe = fe;
    conn->fd = fd;
    conn->server = server;
    conn->connected = server;
    conn->id = ++fe->next_conn_id;
    conn->open_deadline = vb_now_usec() + fe->options->open_timeout_seconds * 1000000ull;
    conn->principal.kind = BUS_PRINCIPAL_ANONYMOUS;
    pn_connection_set_context(conn->driver.connection, conn);
    transport = conn->driver.transport;
    pn_transport_set_max_frame(transport, 64u * 1024u);
    if (server) {
        pn_transport_set_server(transport);
        if (fe->ssl_server)
            pn_ssl_init(pn_ssl(transport), fe->ssl_server, NULL);
        bus_sasl_server_init(conn, transport);
        pn_connection_set_container(conn->driver.connection, fe->agents[0].name);
    }
    /* A client socket is still connecting: writable means the connect ended (either way). */
    if (bus_poll_add(conn, server ? EPOLLIN : EPOLLIN | EPOLLOUT) < 0 ||
        sd_event_add_time(fe->loop, &conn->timer, CLOCK_MONOTONIC, conn->open_deadline, VB_TIMER_ACCURACY_USEC, on_timer, conn) < 0) {
        bus_conn_free(conn);
        return NULL;
    }
    conn->next = fe->conns;
    if (fe->conns)
        fe->conns->prev = conn;
    fe->conns = conn;
    return conn;
}

void bus_conn_free(struct bus_conn *conn)
{
    struct bus_frontend *fe = conn->fe;
    char client[24];

    /* Domains the connection started with AUTODESTROY go with it. */
    snprintf(client, sizeof(client), "amqp:%u", conn->id);
    for (size_t i = 0; i < fe->n_agents; i++)
        vb_connect_client_gone(fe->agents[i].conn, client);
    while (conn->requests)
        bus_request_orphan(conn->requests);
    while (conn->links)
        bus_link_free(conn->links);
    if (conn->prev)
        conn->prev->next = conn->next;
    else if (fe->conns == conn)
        fe->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    bus_poll_remove(conn);
    sd_event_source_disable_unref(conn->timer);
    if (conn->fd >= 0)
        close(conn->fd);
    pn_connection_driver_destroy(&conn->driver);
    free(conn->principal.name);
    free(conn->label);
    free(conn);
}
