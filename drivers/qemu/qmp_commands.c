/* QMP commands: requests with unique ids, each with its timer, and their ending. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qmp_message.h"
#include "drivers/qemu/qmp_private.h"
#include "util/time.h"

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

void qmp_command_unlink(struct qmp_command *cmd)
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

void qmp_command_free(struct qmp_command *cmd)
{
    sd_event_source_disable_unref(cmd->timer);
    if (cmd->fd >= 0)
        close(cmd->fd);
    free(cmd->name);
    free(cmd->line);
    free(cmd);
}

void qmp_command_finish(struct qmp_command *cmd, struct qmp_reply *reply)
{
    qmp_command_unlink(cmd);
    sd_event_source_disable_unref(TAKE_PTR(cmd->timer));
    cmd->done(cmd->mon, reply, cmd->userdata);
    qmp_command_free(cmd);
}

void qmp_command_fail(struct qmp_command *cmd, const struct vb_error *err)
{
    struct qmp_reply reply = { .result = -1, .err = *err };

    qmp_command_finish(cmd, &reply);
}

static int on_command_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qmp_command *cmd = userdata;
    struct vb_error err = VB_ERROR_INIT;

    /* The reply may still come: its id then matches nothing and it is dropped. */
    vb_error_set(&err, VB_ERR_OPERATION_TIMEOUT, "no reply to QMP command '%s' within %" PRIu64 " ms",
                 cmd->name, cmd->timeout_usec / 1000u);
    qmp_command_fail(cmd, &err);
    vb_error_clear(&err);
    return 0;
}

struct qmp_command *qmp_command_new(struct qmp_monitor *mon, const char *name, struct json_object *arguments,
                                    qmp_reply_fn done, void *userdata)
{
    struct qmp_command *cmd = calloc(1, sizeof(*cmd));

    if (!cmd)
        return NULL;
    cmd->mon = mon;
    cmd->fd = -1;
    cmd->done = done;
    cmd->userdata = userdata;
    snprintf(cmd->id, sizeof(cmd->id), "virtbus-%" PRIu64, ++mon->next_serial);
    cmd->name = strdup(name);
    cmd->line = cmd->name ? command_line(name, cmd->id, arguments) : NULL;
    if (!cmd->line) {
        qmp_command_free(cmd);
        return NULL;
    }
    return cmd;
}

void qmp_command_append(struct qmp_monitor *mon, struct qmp_command *cmd)
{
    cmd->prev = mon->last;
    if (mon->last)
        mon->last->next = cmd;
    else
        mon->first = cmd;
    mon->last = cmd;
}

int qmp_command_transmit(struct qmp_command *cmd)
{
    int r;

    if (!cmd->line)
        return 0;
    r = qmp_monitor_queue_output(cmd->mon, cmd->line, cmd->fd);
    if (r < 0)
        return r;
    cmd->fd = -1;
    free(TAKE_PTR(cmd->line));
    return 0;
}

struct qmp_command *qmp_command_find(struct qmp_monitor *mon, const char *id)
{
    for (struct qmp_command *cmd = mon->first; cmd; cmd = cmd->next)
        if (id && streq(cmd->id, id))
            return cmd;
    return NULL;
}

/* fd (taken; -1: none) goes with the request. */
static int send_command(struct qmp_monitor *mon, const char *command, struct json_object *arguments, int fd,
                        uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    _cleanup_(json_object_putp) struct json_object *args = arguments;
    struct qmp_command *cmd = NULL;

    if (!command || !*command || !done || timeout_usec == 0)
        vb_error_set(err, VB_ERR_INVALID_ARG, "a QMP command needs a name, a callback and a timeout");
    else if (!qmp_monitor_alive(mon))
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "QMP monitor is closed");
    else if (!(cmd = qmp_command_new(mon, command, args, done, userdata)))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!cmd) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    cmd->fd = fd; /* the command owns it from here */
    cmd->timeout_usec = timeout_usec;
    if (sd_event_add_time_relative(mon->loop, &cmd->timer, CLOCK_MONOTONIC, timeout_usec, VB_TIMER_ACCURACY_USEC,
                                   on_command_timeout, cmd) < 0 ||
        (mon->state == QMP_STATE_READY && qmp_command_transmit(cmd) < 0)) {
        qmp_command_free(cmd);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot queue QMP command '%s'", command);
    }
    qmp_command_append(mon, cmd);
    return 0;
}

int qmp_monitor_send(struct qmp_monitor *mon, const char *command, struct json_object *arguments,
                     uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    return send_command(mon, command, arguments, -1, timeout_usec, done, userdata, err);
}

int qmp_monitor_send_fd(struct qmp_monitor *mon, const char *command, struct json_object *arguments, int fd,
                        uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    int copy;

    if (fd < 0) {
        json_object_put(arguments);
        return vb_error_set(err, VB_ERR_INVALID_ARG, "no file descriptor to pass with QMP command '%s'",
                            command ? command : "");
    }
    copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) {
        json_object_put(arguments);
        return vb_error_set_errno(err, errno, "cannot duplicate the file descriptor for QMP command '%s'",
                                  command ? command : "");
    }
    return send_command(mon, command, arguments, copy, timeout_usec, done, userdata, err);
}
