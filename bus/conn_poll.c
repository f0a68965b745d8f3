/* Every AMQP socket in one epoll set of the front end's, itself one sd-event I/O source. A
 * dispatch serves every connection that is ready, as proton's proactor does, where one sd-event
 * source per socket costs a loop iteration (prepare, epoll_wait, dispatch) per connection: with
 * a hundred subscribers settling, or eight consoles each with a request, that overhead was a
 * quarter of the daemon's time. Level-triggered, like sd-event's I/O sources. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "bus/frontend.h"
#include "util/log.h"

#define BUS_POLL_BATCH 64

static int on_ready(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct bus_frontend *fe = userdata;
    struct epoll_event ready[BUS_POLL_BATCH];
    int n = epoll_wait(fe->poll_fd, ready, BUS_POLL_BATCH, 0);

    if (n < 0) {
        if (errno != EINTR)
            vb_log_warning("amqp: epoll_wait: %s", strerror(errno));
        return 0;
    }
    /* A connection freed while the batch is served is struck out of it (bus_poll_remove). */
    fe->poll_batch = ready;
    fe->poll_batch_length = (size_t) n;
    for (int i = 0; i < n; i++)
        if (ready[i].data.ptr)
            bus_conn_on_io(ready[i].data.ptr, ready[i].events);
    fe->poll_batch = NULL;
    fe->poll_batch_length = 0;
    return 0;
}

int bus_poll_open(struct bus_frontend *fe)
{
    fe->poll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (fe->poll_fd < 0)
        return -errno;
    return sd_event_add_io(fe->loop, &fe->poll_source, fe->poll_fd, EPOLLIN, on_ready, fe);
}

void bus_poll_close(struct bus_frontend *fe)
{
    fe->poll_source = sd_event_source_disable_unref(fe->poll_source);
    if (fe->poll_fd >= 0)
        close(fe->poll_fd);
    fe->poll_fd = -1;
}

int bus_poll_add(struct bus_conn *conn, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = conn };

    if (epoll_ctl(conn->fe->poll_fd, EPOLL_CTL_ADD, conn->fd, &ev) < 0)
        return -errno;
    conn->poll_events = events;
    conn->polled = true;
    return 0;
}

void bus_poll_set(struct bus_conn *conn, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = conn };

    if (!conn->polled || conn->poll_events == events)
        return;
    if (epoll_ctl(conn->fe->poll_fd, EPOLL_CTL_MOD, conn->fd, &ev) < 0)
        vb_log_warning("amqp %s: epoll_ctl: %s", conn->label, strerror(errno));
    else
        conn->poll_events = events;
}

void bus_poll_remove(struct bus_conn *conn)
{
    struct bus_frontend *fe = conn->fe;

    if (conn->polled)
        epoll_ctl(fe->poll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
    conn->polled = false;
    for (size_t i = 0; i < fe->poll_batch_length; i++)
        if (fe->poll_batch[i].data.ptr == conn)
            fe->poll_batch[i].data.ptr = NULL;
}
