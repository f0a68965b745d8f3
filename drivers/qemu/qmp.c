/* QMP client: one unix socket to qemu read and written from the sd-event loop, commands matched
 * to replies by id, events passed on in the order they arrive. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "drivers/qemu/qmp_message.h"
#include "drivers/qemu/qmp_private.h"
#include "util/log.h"
#include "util/time.h"

/* Bytes read per wakeup; the loop calls again while more is waiting. */
#define QMP_READ_CHUNK (64u * 1024u)
/* While qemu has not created its socket yet, how often to try again. */
#define QMP_CONNECT_RETRY_USEC (20u * 1000u)

static void monitor_close(struct qmp_monitor *mon, const struct vb_error *cause);

static void monitor_ref(struct qmp_monitor *mon)
{
    mon->refs++;
}

static void monitor_unref(struct qmp_monitor *mon)
{
    if (--mon->refs > 0)
        return;
    free(mon->path);
    free(mon->in);
    free(mon->out);
    free(mon->out_fds);
    free(mon);
}

bool qmp_monitor_alive(const struct qmp_monitor *mon)
{
    return !mon->freed && mon->state != QMP_STATE_CLOSED;
}

static void monitor_close_errorf(struct qmp_monitor *mon, enum vb_error_code code, const char *fmt, ...)
    _printf_(3, 4);

static void monitor_close_errorf(struct qmp_monitor *mon, enum vb_error_code code, const char *fmt, ...)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&detail, fmt, ap) < 0)
        detail = NULL;
    va_end(ap);
    vb_error_set(&err, code, "%s", detail ? detail : "QMP monitor failed");
    monitor_close(mon, &err);
    vb_error_clear(&err);
}

/* --- output ----------------------------------------------------------------------------------- */

static int update_io_events(struct qmp_monitor *mon)
{
    uint32_t events = EPOLLIN;

    if (!mon->io)
        return 0;
    if (mon->out_sent < mon->out_len)
        events |= EPOLLOUT;
    return sd_event_source_set_io_events(mon->io, events);
}

int qmp_monitor_queue_output(struct qmp_monitor *mon, const char *text, int fd)
{
    size_t n = strlen(text);
    char *grown;

    if (fd >= 0) {
        struct qmp_out_fd *marks = realloc(mon->out_fds, (mon->n_out_fds + 1) * sizeof(*marks));

        if (!marks)
            return -ENOMEM;
        mon->out_fds = marks;
    }
    grown = realloc(mon->out, mon->out_len + n);
    if (!grown)
        return -ENOMEM;
    mon->out = grown;
    if (fd >= 0)
        mon->out_fds[mon->n_out_fds++] = (struct qmp_out_fd){ .offset = mon->out_len, .fd = fd };
    memcpy(mon->out + mon->out_len, text, n);
    mon->out_len += n;
    return update_io_events(mon);
}

/* send(), with fd (unless -1) as SCM_RIGHTS: the kernel delivers it with the first byte sent. */
static ssize_t send_with_fd(int sock, const char *data, size_t len, int fd)
{
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control = { 0 };
    struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    struct cmsghdr *cmsg;

    if (fd < 0)
        return send(sock, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    msg.msg_control = control.space;
    msg.msg_controllen = sizeof(control.space);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void drop_out_fds(struct qmp_monitor *mon)
{
    for (size_t i = 0; i < mon->n_out_fds; i++)
        close(mon->out_fds[i].fd);
    free(TAKE_PTR(mon->out_fds));
    mon->n_out_fds = 0;
}

static void write_output(struct qmp_monitor *mon)
{
    while (mon->out_sent < mon->out_len) {
        /* A send stops short of the next request carrying a descriptor, and that one starts a
         * send of its own, so the descriptor arrives with its request's first byte. */
        size_t end = mon->out_len;
        int fd = -1;
        ssize_t n;

        if (mon->n_out_fds > 0 && mon->out_fds[0].offset == mon->out_sent) {
            fd = mon->out_fds[0].fd;
            if (mon->n_out_fds > 1)
                end = mon->out_fds[1].offset;
        } else if (mon->n_out_fds > 0) {
            end = mon->out_fds[0].offset;
        }
        n = send_with_fd(mon->fd, mon->out + mon->out_sent, end - mon->out_sent, fd);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            monitor_close_errorf(mon, VB_ERR_OPERATION_FAILED, "cannot write to qemu monitor: %s", strerror(errno));
            return;
        }
        if (fd >= 0) { /* sent: qemu holds its own copy now */
            close(fd);
            memmove(mon->out_fds, mon->out_fds + 1, --mon->n_out_fds * sizeof(*mon->out_fds));
        }
        mon->out_sent += (size_t) n;
    }
    if (mon->out_sent == mon->out_len)
        mon->out_sent = mon->out_len = 0;
    if (update_io_events(mon) < 0)
        monitor_close_errorf(mon, VB_ERR_INTERNAL_ERROR, "cannot watch the qemu monitor socket");
}

/* --- handshake -------------------------------------------------------------------------------- */

static void on_capabilities(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (!qmp_monitor_alive(mon))
        return;
    if (reply->result < 0) {
        monitor_close(mon, &reply->err);
        return;
    }
    mon->state = QMP_STATE_READY;
    mon->handshake = sd_event_source_disable_unref(mon->handshake);
    for (struct qmp_command *cmd = mon->first; cmd; cmd = cmd->next)
        if (qmp_command_transmit(cmd) < 0) {
            monitor_close_errorf(mon, VB_ERR_NO_MEMORY, "cannot queue QMP commands");
            return;
        }
    if (mon->callbacks->ready)
        mon->callbacks->ready(mon, mon->userdata);
}

/* qmp_capabilities goes first, ahead of commands already waiting for the handshake. */
static void negotiate(struct qmp_monitor *mon)
{
    struct qmp_command *cmd = qmp_command_new(mon, "qmp_capabilities", NULL, on_capabilities, NULL);

    if (!cmd || qmp_command_transmit(cmd) < 0) {
        if (cmd)
            qmp_command_free(cmd);
        monitor_close_errorf(mon, VB_ERR_NO_MEMORY, "cannot send qmp_capabilities");
        return;
    }
    cmd->next = mon->first;
    if (mon->first)
        mon->first->prev = cmd;
    else
        mon->last = cmd;
    mon->first = cmd;
    mon->state = QMP_STATE_NEGOTIATING;
}

static const char *state_wait_description(enum qmp_state state)
{
    switch (state) {
    case QMP_STATE_CONNECTING:
        return "connecting to the qemu monitor";
    case QMP_STATE_GREETING:
        return "waiting for the QMP greeting";
    default:
        return "negotiating QMP capabilities";
    }
}

static int on_handshake_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qmp_monitor *mon = userdata;

    if (mon->state == QMP_STATE_CONNECTING && mon->last_connect_errno)
        monitor_close_errorf(mon, VB_ERR_OPERATION_TIMEOUT, "cannot connect to qemu monitor at '%s' within %" PRIu64
                             " ms: %s", mon->path, mon->handshake_timeout_usec / 1000u,
                             strerror(mon->last_connect_errno));
    else
        monitor_close_errorf(mon, VB_ERR_OPERATION_TIMEOUT, "%s took more than %" PRIu64 " ms",
                             state_wait_description(mon->state), mon->handshake_timeout_usec / 1000u);
    return 0;
}

/* --- input ------------------------------------------------------------------------------------ */

static void handle_reply(struct qmp_monitor *mon, const struct qmp_message *msg)
{
    struct qmp_command *cmd = qmp_command_find(mon, msg->id);
    struct qmp_reply reply = { .err = VB_ERROR_INIT };

    if (!cmd) {
        /* The reply to a command that timed out, or one qemu could not even parse. */
        vb_log_debug("qmp: dropping a reply with id %s that matches no command", msg->id ? msg->id : "(none)");
        return;
    }
    if (msg->kind == QMP_MESSAGE_RETURN) {
        reply.ret = msg->value;
    } else {
        /* libvirt's wording (qemuMonitorJSONCheckError). */
        reply.result = -1;
        reply.error_class = msg->error_class;
        vb_error_set(&reply.err, VB_ERR_INTERNAL_ERROR, "unable to execute QEMU command '%s': %s", cmd->name,
                     msg->error_desc);
    }
    qmp_command_finish(cmd, &reply);
    vb_error_clear(&reply.err);
}

static void handle_line(struct qmp_monitor *mon, const char *line, size_t len)
{
    struct qmp_message msg;
    struct vb_error err = VB_ERROR_INIT;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return;
    if (qmp_message_parse(line, len, &msg, &err) < 0) {
        monitor_close(mon, &err);
        vb_error_clear(&err);
        return;
    }
    switch (msg.kind) {
    case QMP_MESSAGE_GREETING:
        if (mon->state == QMP_STATE_GREETING)
            negotiate(mon);
        else
            monitor_close_errorf(mon, VB_ERR_INTERNAL_ERROR, "unexpected QMP greeting");
        break;
    case QMP_MESSAGE_RETURN:
    case QMP_MESSAGE_ERROR:
        handle_reply(mon, &msg);
        break;
    case QMP_MESSAGE_EVENT:
        if (mon->callbacks->event)
            mon->callbacks->event(mon,
                                  &(struct qmp_event){ .name = msg.event, .data = msg.value,
                                                       .timestamp_usec = msg.timestamp_usec },
                                  mon->userdata);
        break;
    }
    qmp_message_clear(&msg);
}

/* Handles every complete line held, in order, stopping as soon as the monitor closes or its
 * owner frees it from a callback. */
static void process_input(struct qmp_monitor *mon)
{
    size_t start = 0;

    while (qmp_monitor_alive(mon)) {
        char *nl = memchr(mon->in + mon->in_scanned, '\n', mon->in_len - mon->in_scanned);

        if (!nl) {
            mon->in_scanned = mon->in_len;
            if (mon->in_len - start > QMP_LINE_MAX)
                monitor_close_errorf(mon, VB_ERR_INTERNAL_ERROR, "QMP message longer than %u bytes", QMP_LINE_MAX);
            break;
        }
        mon->in_scanned = (size_t) (nl - mon->in) + 1;
        handle_line(mon, mon->in + start, (size_t) (nl - mon->in) - start);
        start = mon->in_scanned;
    }
    if (!qmp_monitor_alive(mon))
        return;
    memmove(mon->in, mon->in + start, mon->in_len - start);
    mon->in_len -= start;
    mon->in_scanned -= start;
    if (mon->in_len == 0 && mon->in_size > 4 * QMP_READ_CHUNK) {
        /* A large reply is over: do not keep its buffer for the life of the guest. */
        free(TAKE_PTR(mon->in));
        mon->in_size = 0;
    }
}

/* Room for one more chunk; the buffer grows with the longest line seen, up to QMP_LINE_MAX and a chunk. */
static int reserve_input(struct qmp_monitor *mon)
{
    size_t want = mon->in_len + QMP_READ_CHUNK, size = mon->in_size ? mon->in_size : QMP_READ_CHUNK;
    char *grown;

    if (want <= mon->in_size)
        return 0;
    while (size < want)
        size *= 2;
    grown = realloc(mon->in, size);
    if (!grown)
        return -ENOMEM;
    mon->in = grown;
    mon->in_size = size;
    return 0;
}

static void read_input(struct qmp_monitor *mon)
{
    ssize_t n;

    if (reserve_input(mon) < 0) {
        monitor_close_errorf(mon, VB_ERR_NO_MEMORY, "no buffer for the qemu monitor");
        return;
    }
    n = recv(mon->fd, mon->in + mon->in_len, QMP_READ_CHUNK, MSG_DONTWAIT);
    /* qemu killed before reading what we sent resets the connection: it is gone all the same. */
    if (n < 0 && errno == ECONNRESET)
        n = 0;
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            monitor_close_errorf(mon, VB_ERR_OPERATION_FAILED, "cannot read from qemu monitor: %s", strerror(errno));
        return;
    }
    if (n == 0) {
        monitor_close_errorf(mon, VB_ERR_OPERATION_FAILED, "End of file from qemu monitor");
        return;
    }
    mon->in_len += (size_t) n;
    process_input(mon);
}

static int on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qmp_monitor *mon = userdata;

    monitor_ref(mon);
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
        read_input(mon);
    if (qmp_monitor_alive(mon) && (revents & EPOLLOUT))
        write_output(mon);
    monitor_unref(mon);
    return 0;
}

/* --- connection ------------------------------------------------------------------------------- */

/* Watches fd, then owns it; fd stays the caller's on failure. */
static int attach_fd(struct qmp_monitor *mon, int fd)
{
    int r = sd_event_add_io(mon->loop, &mon->io, fd, EPOLLIN, on_io, mon);

    if (r < 0)
        return r;
    mon->fd = fd;
    mon->state = QMP_STATE_GREETING;
    return 0;
}

/* Returns 0 when connected, 1 when worth trying again, -errno otherwise. */
static int try_connect(struct qmp_monitor *mon)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    _cleanup_close_ int fd = -1;

    if (strlen(mon->path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    memcpy(addr.sun_path, mon->path, strlen(mon->path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        mon->last_connect_errno = errno;
        if (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN)
            return 1;
        return -errno;
    }
    if (attach_fd(mon, fd) < 0)
        return -ENOMEM;
    TAKE_FD(fd);
    return 0;
}

static int on_connect_retry(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qmp_monitor *mon = userdata;
    int r = try_connect(mon);

    if (r < 0)
        monitor_close_errorf(mon, VB_ERR_OPERATION_FAILED, "cannot connect to qemu monitor at '%s': %s", mon->path,
                             strerror(-r));
    else if (r == 0)
        mon->retry = sd_event_source_disable_unref(mon->retry);
    else if (sd_event_source_set_time_relative(source, QMP_CONNECT_RETRY_USEC) < 0 ||
             sd_event_source_set_enabled(source, SD_EVENT_ONESHOT) < 0)
        monitor_close_errorf(mon, VB_ERR_INTERNAL_ERROR, "cannot schedule a connect retry");
    return 0;
}

static struct qmp_monitor *monitor_new(sd_event *loop, uint64_t timeout_usec, const struct qmp_callbacks *callbacks,
                                       void *userdata, struct vb_error *err)
{
    struct qmp_monitor *mon;

    if (!loop || !callbacks || !callbacks->closed || timeout_usec == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "a QMP monitor needs a loop, a closed callback and a timeout"),
               NULL;
    mon = calloc(1, sizeof(*mon));
    if (!mon)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    mon->refs = 1;
    mon->fd = -1;
    mon->loop = loop;
    mon->callbacks = callbacks;
    mon->userdata = userdata;
    mon->handshake_timeout_usec = timeout_usec;
    if (sd_event_add_time_relative(loop, &mon->handshake, CLOCK_MONOTONIC, timeout_usec, VB_TIMER_ACCURACY_USEC,
                                   on_handshake_timeout, mon) < 0) {
        qmp_monitor_free(mon);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot add a timer to the event loop"), NULL;
    }
    return mon;
}

struct qmp_monitor *qmp_monitor_connect(sd_event *loop, const char *path, uint64_t timeout_usec,
                                        const struct qmp_callbacks *callbacks, void *userdata,
                                        struct vb_error *err)
{
    _cleanup_(qmp_monitor_freep) struct qmp_monitor *mon = NULL;
    int r;

    if (!path || !*path)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "no QMP socket path"), NULL;
    mon = monitor_new(loop, timeout_usec, callbacks, userdata, err);
    if (!mon)
        return NULL;
    mon->state = QMP_STATE_CONNECTING;
    mon->path = strdup(path);
    if (!mon->path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    r = try_connect(mon);
    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot connect to qemu monitor at '%s'", path), NULL;
    if (r > 0 && sd_event_add_time_relative(loop, &mon->retry, CLOCK_MONOTONIC, QMP_CONNECT_RETRY_USEC,
                                            VB_TIMER_ACCURACY_USEC, on_connect_retry, mon) < 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot add a timer to the event loop"), NULL;
    return TAKE_PTR(mon);
}

struct qmp_monitor *qmp_monitor_open_fd(sd_event *loop, int fd, uint64_t timeout_usec,
                                        const struct qmp_callbacks *callbacks, void *userdata,
                                        struct vb_error *err)
{
    struct qmp_monitor *mon = monitor_new(loop, timeout_usec, callbacks, userdata, err);

    if (!mon) {
        close(fd);
        return NULL;
    }
    if (attach_fd(mon, fd) < 0) {
        close(fd);
        qmp_monitor_free(mon);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot watch the qemu monitor socket"), NULL;
    }
    return mon;
}

bool qmp_monitor_is_ready(const struct qmp_monitor *mon)
{
    return mon && mon->state == QMP_STATE_READY;
}

/* Stops all I/O and timers. */
static void monitor_detach(struct qmp_monitor *mon)
{
    mon->io = sd_event_source_disable_unref(mon->io);
    mon->handshake = sd_event_source_disable_unref(mon->handshake);
    mon->retry = sd_event_source_disable_unref(mon->retry);
    if (mon->fd >= 0)
        close(TAKE_FD(mon->fd));
    drop_out_fds(mon);
    mon->in_len = mon->in_scanned = mon->out_len = mon->out_sent = 0;
}

/* Fails every pending command with the cause, then says the monitor closed. */
static void monitor_close(struct qmp_monitor *mon, const struct vb_error *cause)
{
    if (!qmp_monitor_alive(mon))
        return;
    vb_log_debug("qmp: closing: %s", vb_error_message(cause));
    mon->state = QMP_STATE_CLOSED;
    monitor_detach(mon);
    monitor_ref(mon);
    while (mon->first && !mon->freed) {
        struct vb_error err = VB_ERROR_INIT;
        vb_error_set_literal(&err, cause->code, "%s (no reply to '%s')", vb_error_message(cause), mon->first->name);
        qmp_command_fail(mon->first, &err);
        vb_error_clear(&err);
    }
    if (!mon->freed)
        mon->callbacks->closed(mon, cause, mon->userdata);
    monitor_unref(mon);
}

void qmp_monitor_free(struct qmp_monitor *mon)
{
    if (!mon || mon->freed)
        return;
    mon->freed = true;
    monitor_detach(mon);
    while (mon->first) {
        struct qmp_command *cmd = mon->first;
        qmp_command_unlink(cmd);
        qmp_command_free(cmd);
    }
    monitor_unref(mon);
}
