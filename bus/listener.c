/* The embedded listener: virtbusd takes AMQP connections itself, no broker needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "bus/listener.h"
#include "util/log.h"

struct bus_listener {
    struct bus_frontend *fe;
    int fd;
    sd_event_source *source;
    char *address;
};

/* "HOST:PORT", "[V6]:PORT" or ":PORT" (every address). */
int bus_listen_address_split(const char *text, char *host, size_t host_size, char *port, size_t port_size)
{
    const char *colon;
    size_t host_len;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        host_len = (size_t) (close - text - 1);
        if (host_len >= host_size)
            return -1;
        memcpy(host, text + 1, host_len);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return -1;
        host_len = (size_t) (colon - text);
        if (host_len >= host_size)
            return -1;
        memcpy(host, text, host_len);
    }
    host[host_len] = '\0';
    if (!colon[1] || strlen(colon + 1) >= port_size || strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -1;
    strcpy(port, colon + 1);
    return 0;
}

static void label_peer(const struct sockaddr_storage *sa, char *out, size_t size)
{
    char host[NI_MAXHOST], port[NI_MAXSERV];

    if (getnameinfo((const struct sockaddr *) sa, sizeof(*sa), host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(out, size, "(unknown peer)");
    else
        snprintf(out, size, "%s:%s", host, port);
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct bus_listener *listener = userdata;

    for (;;) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof(sa);
        char label[NI_MAXHOST + NI_MAXSERV + 2];
        int client = accept4(fd, (struct sockaddr *) &sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                vb_log_warning("amqp %s: accept: %s", listener->address, strerror(errno));
            return 0;
        }
        if (listener->fe->stopping) {
            close(client);
            continue;
        }
        /* Small messages (replies, events) go out at once, not when Nagle's timer says. */
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
        label_peer(&sa, label, sizeof(label));
        if (!bus_conn_new(listener->fe, client, true, label))
            vb_log_warning("amqp %s: out of memory for a new connection", listener->address);
        else
            vb_log_debug("amqp %s: connection from %s", listener->address, label);
    }
}

static int open_socket(const char *address, struct vb_error *err)
{
    char host[256], port[16];
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    int fd = -1, one = 1, r;

    if (bus_listen_address_split(address, host, sizeof(host), port, sizeof(port)) < 0)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "amqp listen address '%s' is not HOST:PORT", address);
    r = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (r != 0)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "amqp listen address '%s': %s", address, gai_strerror(r));
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return vb_error_set_errno(err, saved, "cannot listen for AMQP on %s", address);
    }
    freeaddrinfo(res);
    return fd;
}

int bus_listener_new(struct bus_frontend *fe, const char *address, struct bus_listener **out, struct vb_error *err)
{
    struct bus_listener *listener = calloc(1, sizeof(*listener));
    int fd;

    if (!listener || !(listener->address = strdup(address))) {
        free(listener);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    fd = open_socket(address, err);
    if (fd < 0) {
        bus_listener_free(listener);
        return -1;
    }
    listener->fe = fe;
    listener->fd = fd;
    if (sd_event_add_io(fe->loop, &listener->source, fd, EPOLLIN, on_accept, listener) < 0) {
        bus_listener_free(listener);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    vb_log_info("amqp: listening on %s%s", address, fe->ssl_server ? " (TLS)" : "");
    *out = listener;
    return 0;
}

void bus_listener_free(struct bus_listener *listener)
{
    if (!listener)
        return;
    sd_event_source_disable_unref(listener->source);
    if (listener->fd > 0)
        close(listener->fd);
    free(listener->address);
    free(listener);
}
