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

#include "drivers/qemu/qmp.h"
#include "drivers/qemu/qmp_message.h"
#include "util/log.h"
#include "util/time.h"

/* Bytes read per wakeup; the loop calls again while more is waiting. */
#define QMP_READ_CHUNK (64u * 1024u)
/* While qemu has not created its socket yet, how often to try again. */
#define QMP_CONNECT_RETRY_USEC (20u * 1000u)

enum qmp_state {
    QMP_STATE_CONNECTING,  /* the socket is not there yet: retrying */
    QMP_STATE_GREETING,    /* connected, waiting for {"QMP": ...} */
    QMP_STATE_NEGOTIATING, /* qmp_capabilities sent */
    QMP_STATE_READY,
    QMP_STATE_CLOSED,
};

struct qmp_command {
    struct qmp_command *prev, *next;
    struct qmp_monitor *mon;
    char id[32];
    char *name;
    char *line;            /* the request, until it is queued for writing */
    sd_event_source *timer; /* NULL for qmp_capabilities, which the handshake deadline covers */
    uint64_t timeout_usec;
    qmp_reply_fn done;
    void *userdata;
};

struct qmp_monitor {
    unsigned int refs;    /* one for the owner, one per dispatch in progress */
    bool freed;           /* the owner let go: no callback may run any more */
    enum qmp_state state;
    sd_event *loop;
    int fd;
    char *path;           /* for connect retries and messages; NULL for an fd */
    sd_event_source *io, *handshake, *retry;
    uint64_t handshake_timeout_usec;
    int last_connect_errno;
    const struct qmp_callbacks *callbacks;
    void *userdata;

    char *in;
    size_t in_len, in_size, in_scanned; /* bytes held, allocated, known to hold no newline */
    char *out;
    size_t out_len, out_sent;

    struct qmp_command *first, *last; /* pending commands, in the order sent */
    uint64_t next_serial;
};

static void monitor_close(struct qmp_monitor *mon, const struct vb_error *cause);
static void command_free(struct qmp_command *cmd);

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
    free(mon);
}

/* The monitor may still run callbacks (neither freed by its owner nor closed). */
static bool monitor_alive(const struct qmp_monitor *mon)
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

static int queue_output(struct qmp_monitor *mon, const char *text)
{
    size_t n = strlen(text);
    char *grown;

    grown = realloc(mon->out, mon->out_len + n);
    if (!grown)
        return -ENOMEM;
    mon->out = grown;
    memcpy(mon->out + mon->out_len, text, n);
    mon->out_len += n;
    return update_io_events(mon);
}

static void write_output(struct qmp_monitor *mon)
{
    while (mon->out_sent < mon->out_len) {
        ssize_t n = send(mon->fd, mon->out + mon->out_sent, mon->out_len - mon->out_sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            monitor_close_errorf(mon, VB_ERR_OPERATION_FAILED, "cannot write to qemu monitor: %s", strerror(errno));
            return;
        }
        mon->out_sent += (size_t) n;
    }
    if (mon->out_sent == mon->out_len)
        mon->out_sent = mon->out_len = 0;
    if (update_io_events(mon) < 0)
        monitor_close_errorf(mon, VB_ERR_INTERNAL_ERROR, "cannot watch the qemu monitor socket");
}

/* --- commands --------------------------------------------------------------------------------- */

static char *command_line(const char *name, const char *id, struct json_object *arguments)
{
    _cleanup_(json_object_putp) struct json_object *request = json_object_new_object();
    char *line = NULL;

    if (!request || json_object_object_add(request, "execute", json_object_new_string(name)) < 0 ||
        json_object_object_add(request, "id", json_object_new_string(id)) < 0)
        return NULL;
    if (arguments && json_object_object_add(request, "arguments", json_object_get(arguments)) < 0)
        return NULL;
    if (asprintf(&line, "%s\r\n", json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN)) < 0)
        return NULL;
    return line;
}

static void command_unlink(struct qmp_command *cmd)
{
    struct qmp_monitor *mon = cmd->mon;

    if (cmd->prev)
        cmd->prev->next = cmd->next;
    else
        mon->first = cmd->next;
    if (cmd->next)
        cmd->next->prev = cmd->prev;
    else
        mon->last = cmd->prev;
    cmd->prev = cmd->next = NULL;
}

static void command_free(struct qmp_command *cmd)
{
    sd_event_source_disable_unref(cmd->timer);
    free(cmd->name);
    free(cmd->line);
    free(cmd);
}

/* Ends a command: it leaves the list before its callback runs, so the callback may do anything,
 * freeing the monitor included. */
static void command_finish(struct qmp_command *cmd, struct qmp_reply *reply)
{
    command_unlink(cmd);
    sd_event_source_disable_unref(TAKE_PTR(cmd->timer));
    cmd->done(cmd->mon, reply, cmd->userdata);
    command_free(cmd);
}

static void command_fail(struct qmp_command *cmd, const struct vb_error *err)
{
    struct qmp_reply reply = { .result = -1, .err = *err };

    command_finish(cmd, &reply);
}

static int on_command_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qmp_command *cmd = userdata;
    struct vb_error err = VB_ERROR_INIT;

    /* The reply may still come: its id then matches nothing and it is dropped. */
    vb_error_set(&err, VB_ERR_OPERATION_TIMEOUT, "no reply to QMP command '%s' within %" PRIu64 " ms",
                 cmd->name, cmd->timeout_usec / 1000u);
    command_fail(cmd, &err);
    vb_error_clear(&err);
    return 0;
}

static struct qmp_command *command_new(struct qmp_monitor *mon, const char *name, struct json_object *arguments,
                                       qmp_reply_fn done, void *userdata)
{
    struct qmp_command *cmd = calloc(1, sizeof(*cmd));

    if (!cmd)
        return NULL;
    cmd->mon = mon;
    cmd->done = done;
    cmd->userdata = userdata;
    snprintf(cmd->id, sizeof(cmd->id), "virtbus-%" PRIu64, ++mon->next_serial);
    cmd->name = strdup(name);
    cmd->line = cmd->name ? command_line(name, cmd->id, arguments) : NULL;
    if (!cmd->line) {
        command_free(cmd);
        return NULL;
    }
    return cmd;
}

static void command_append(struct qmp_monitor *mon, struct qmp_command *cmd)
{
    cmd->prev = mon->last;
    if (mon->last)
        mon->last->next = cmd;
    else
        mon->first = cmd;
    mon->last = cmd;
}

/* Queues the request of a command for writing, once. */
static int command_transmit(struct qmp_command *cmd)
{
    int r;

    if (!cmd->line)
        return 0;
    r = queue_output(cmd->mon, cmd->line);
    if (r < 0)
        return r;
    free(TAKE_PTR(cmd->line));
    return 0;
}

static struct qmp_command *command_find(struct qmp_monitor *mon, const char *id)
{
    for (struct qmp_command *cmd = mon->first; cmd; cmd = cmd->next)
        if (id && streq(cmd->id, id))
            return cmd;
    return NULL;
}

int qmp_monitor_send(struct qmp_monitor *mon, const char *command, struct json_object *arguments,
                     uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    _cleanup_(json_object_putp) struct json_object *args = arguments;
    struct qmp_command *cmd;

    if (!command || !*command || !done || timeout_usec == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "a QMP command needs a name, a callback and a timeout");
    if (!monitor_alive(mon))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "QMP monitor is closed");
    cmd = command_new(mon, command, args, done, userdata);
    if (!cmd)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    cmd->timeout_usec = timeout_usec;
    if (sd_event_add_time_relative(mon->loop, &cmd->timer, CLOCK_MONOTONIC, timeout_usec, 0, on_command_timeout,
                                   cmd) < 0 ||
        (mon->state == QMP_STATE_READY && command_transmit(cmd) < 0)) {
        command_free(cmd);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot queue QMP command '%s'", command);
    }
    command_append(mon, cmd);
    return 0;
}

/* --- handshake -------------------------------------------------------------------------------- */

static void on_capabilities(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (!monitor_alive(mon))
        return;
    if (reply->result < 0) {
        monitor_close(mon, &reply->err);
        return;
    }
    mon->state = QMP_STATE_READY;
    mon->handshake = sd_event_source_disable_unref(mon->handshake);
    for (struct qmp_command *cmd = mon->first; cmd; cmd = cmd->next)
        if (command_transmit(cmd) < 0) {
            monitor_close_errorf(mon, VB_ERR_NO_MEMORY, "cannot queue QMP commands");
            return;
        }
    if (mon->callbacks->ready)
        mon->callbacks->ready(mon, mon->userdata);
}

/* qmp_capabilities goes first, ahead of commands already waiting for the handshake. */
static void negotiate(struct qmp_monitor *mon)
{
    struct qmp_command *cmd = command_new(mon, "qmp_capabilities", NULL, on_capabilities, NULL);

    if (!cmd || command_transmit(cmd) < 0) {
        if (cmd)
            command_free(cmd);
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
    struct qmp_command *cmd = command_find(mon, msg->id);
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
    command_finish(cmd, &reply);
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

    while (monitor_alive(mon)) {
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
    if (!monitor_alive(mon))
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
    if (monitor_alive(mon) && (revents & EPOLLOUT))
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
    if (sd_event_add_time_relative(loop, &mon->handshake, CLOCK_MONOTONIC, timeout_usec, 0, on_handshake_timeout,
                                   mon) < 0) {
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
    if (r > 0 && sd_event_add_time_relative(loop, &mon->retry, CLOCK_MONOTONIC, QMP_CONNECT_RETRY_USEC, 0,
                                            on_connect_retry, mon) < 0)
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
    mon->in_len = mon->in_scanned = mon->out_len = mon->out_sent = 0;
}

/* Fails every pending command with the cause, then says the monitor closed. */
static void monitor_close(struct qmp_monitor *mon, const struct vb_error *cause)
{
    if (!monitor_alive(mon))
        return;
    vb_log_debug("qmp: closing: %s", vb_error_message(cause));
    mon->state = QMP_STATE_CLOSED;
    monitor_detach(mon);
    monitor_ref(mon);
    while (mon->first && !mon->freed) {
        struct vb_error err = VB_ERROR_INIT;
        vb_error_set_literal(&err, cause->code, "%s (no reply to '%s')", vb_error_message(cause), mon->first->name);
        command_fail(mon->first, &err);
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
        command_unlink(cmd);
        command_free(cmd);
    }
    monitor_unref(mon);
}
