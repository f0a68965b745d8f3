/* One qemu process: its exit watch, monitor, stop and end (start: qemu_process_start.c). */
#include "drivers/qemu/qemu_process_private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/macros.h"
#include "util/time.h"

struct qemu_process *qemu_process_new(sd_event *loop, const struct qemu_process_callbacks *callbacks,
                                      void *userdata)
{
    struct qemu_process *proc = calloc(1, sizeof(*proc));

    if (!proc)
        return NULL;
    proc->loop = sd_event_ref(loop);
    proc->callbacks = *callbacks;
    proc->userdata = userdata;
    proc->pid = -1;
    proc->pidfd = -1;
    proc->start_error = VB_ERROR_INIT;
    proc->monitor_timeout_usec = QEMU_PROCESS_MONITOR_TIMEOUT_USEC;
    return proc;
}

void qemu_process_free(struct qemu_process *proc)
{
    if (!proc)
        return;
    qmp_monitor_free(proc->mon);
    sd_event_source_disable_unref(proc->exit_source);
    sd_event_source_disable_unref(proc->stop_timer);
    if (proc->pidfd >= 0)
        close(proc->pidfd);
    vb_domain_def_free(proc->def);
    vb_error_clear(&proc->start_error);
    free(proc->name);
    free(proc->monitor_path);
    free(proc->pid_path);
    free(proc->xml_path);
    free(proc->log_path);
    sd_event_unref(proc->loop);
    free(proc);
}

bool qemu_process_guest_shut_down(const struct qemu_process *proc)
{
    return proc->guest_shutdown;
}

pid_t qemu_process_pid(const struct qemu_process *proc)
{
    return proc->pid;
}

const struct vb_domain_def *qemu_process_def(const struct qemu_process *proc)
{
    return proc->def;
}

const char *qemu_process_log_path(const struct qemu_process *proc)
{
    return proc->log_path;
}

char *qemu_process_log_last_words(const struct qemu_process *proc)
{
    return proc->log_path ? qemu_process_log_last_line(proc->log_path, proc->log_start) : NULL;
}

/* The error of a start that ended because qemu exited: its own last words from the log. */
static void set_exited_while_connecting(struct qemu_process *proc, struct vb_error *err)
{
    _cleanup_free_ char *line = proc->log_path ? qemu_process_log_last_line(proc->log_path, proc->log_start) : NULL;

    vb_error_set(err, VB_ERR_INTERNAL_ERROR, "process exited while connecting to monitor: %s",
                 line && *line ? line : "(no output)");
}

static void finish_stop(struct qemu_process *proc, int result, const struct vb_error *err)
{
    qemu_process_stop_fn done = proc->stop_done;

    proc->stop_timer = sd_event_source_disable_unref(proc->stop_timer);
    proc->stop_done = NULL;
    if (done)
        done(proc, result, err, proc->stop_userdata);
}

static void report_end(struct qemu_process *proc, const struct qemu_process_exit *exit_info)
{
    struct vb_error err = VB_ERROR_INIT;
    enum qemu_process_phase phase = proc->phase;

    proc->phase = QEMU_PROCESS_ENDED;
    proc->mon = NULL; /* freed by the caller before */
    qemu_process_remove_files(proc);
    if (phase == QEMU_PROCESS_READY) {
        finish_stop(proc, 0, NULL);
        proc->callbacks.exited(proc, exit_info, proc->userdata);
        return;
    }
    if (vb_error_is_set(&proc->start_error))
        vb_error_move(&err, &proc->start_error);
    else
        set_exited_while_connecting(proc, &err);
    finish_stop(proc, 0, NULL);
    proc->callbacks.failed(proc, &err, proc->userdata);
    vb_error_clear(&err);
}

static int on_exit_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_process *proc = userdata;
    struct qemu_process_exit info = {
        .requested = proc->requested,
        .guest_shutdown = proc->guest_shutdown,
        .shutdown_by_guest = proc->shutdown_by_guest,
    };
    int status;

    if (!proc->reattached && waitpid(proc->pid, &status, WNOHANG) == proc->pid) {
        info.status_known = true;
        info.signaled = WIFSIGNALED(status);
        info.status = info.signaled ? WTERMSIG(status) : WEXITSTATUS(status);
    }
    proc->exit_source = sd_event_source_disable_unref(proc->exit_source);
    qmp_monitor_free(proc->mon);
    proc->mon = NULL;
    report_end(proc, &info);
    return 0;
}

int qemu_process_watch_exit(struct qemu_process *proc, struct vb_error *err)
{
    int r = sd_event_add_io(proc->loop, &proc->exit_source, proc->pidfd, EPOLLIN, on_exit_readable, proc);

    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot watch process %d", (int) proc->pid);
    return 0;
}

void qemu_process_abandon(struct qemu_process *proc, const struct vb_error *err)
{
    if (!vb_error_is_set(&proc->start_error)) {
        vb_error_clear(&proc->start_error);
        proc->start_error.code = err->code;
        proc->start_error.message = strdup(vb_error_message(err));
    }
    qmp_monitor_free(proc->mon);
    proc->mon = NULL;
    /* The exit watch reports `failed` once qemu is gone. */
    qemu_pidfd_send_signal(proc->pidfd, SIGKILL);
}

void qemu_process_become_ready(struct qemu_process *proc, bool running)
{
    proc->phase = QEMU_PROCESS_READY;
    proc->callbacks.ready(proc, running, proc->userdata);
}

void qemu_process_clear_shutdown(struct qemu_process *proc)
{
    proc->guest_shutdown = proc->shutdown_by_guest = false;
}

static void on_monitor_event(struct qmp_monitor *mon, const struct qmp_event *event, void *userdata)
{
    struct qemu_process *proc = userdata;
    struct json_object *guest;

    /* The first SHUTDOWN says who ended the guest: `quit` afterwards brings another, from the host. */
    if (strcmp(event->name, "SHUTDOWN") == 0 && !proc->guest_shutdown) {
        proc->guest_shutdown = true;
        proc->shutdown_by_guest = event->data && json_object_object_get_ex(event->data, "guest", &guest) &&
                                  json_object_get_boolean(guest);
    }
    if (proc->callbacks.event)
        proc->callbacks.event(proc, event, proc->userdata);
}

/* The monitor went. When qemu is ending, its exit follows through the pidfd. While starting,
 * qemu is killed so a start never hangs: a timeout is reported as such, anything else (mostly
 * qemu exiting) with qemu's last words from the log. Once ready, qemu is left alone: killing it
 * here could turn a clean exit, whose end of file comes first, into a crash. */
static void on_monitor_closed(struct qmp_monitor *mon, const struct vb_error *err, void *userdata)
{
    struct qemu_process *proc = userdata;

    qmp_monitor_free(proc->mon);
    proc->mon = NULL;
    if (proc->phase != QEMU_PROCESS_STARTING)
        return;
    if (err->code == VB_ERR_OPERATION_TIMEOUT)
        qemu_process_abandon(proc, err);
    else
        qemu_pidfd_send_signal(proc->pidfd, SIGKILL);
}

static void on_monitor_ready(struct qmp_monitor *mon, void *userdata)
{
    struct qemu_process *proc = userdata;

    if (proc->after_handshake)
        proc->after_handshake(proc);
}

static const struct qmp_callbacks monitor_callbacks = {
    .ready = on_monitor_ready, .event = on_monitor_event, .closed = on_monitor_closed,
};

int qemu_process_connect_monitor(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                                 struct vb_error *err)
{
    proc->after_handshake = then;
    proc->mon = qmp_monitor_connect(proc->loop, proc->monitor_path, proc->monitor_timeout_usec,
                                    &monitor_callbacks, proc, err);
    return proc->mon ? 0 : -1;
}

int qemu_process_command(struct qemu_process *proc, const char *command, struct json_object *arguments,
                         uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    if (!proc->mon || proc->phase == QEMU_PROCESS_ENDED) {
        json_object_put(arguments);
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "QEMU monitor of domain '%s' is not available",
                            proc->name);
    }
    return qmp_monitor_send(proc->mon, command, arguments, timeout_usec, done, userdata, err);
}

bool qemu_process_monitor_ready(const struct qemu_process *proc)
{
    return proc->mon && proc->phase != QEMU_PROCESS_ENDED && qmp_monitor_is_ready(proc->mon);
}

int qemu_process_command_fd(struct qemu_process *proc, const char *command, struct json_object *arguments, int fd,
                            uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    if (!proc->mon || proc->phase == QEMU_PROCESS_ENDED) {
        json_object_put(arguments);
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "QEMU monitor of domain '%s' is not available",
                            proc->name);
    }
    return qmp_monitor_send_fd(proc->mon, command, arguments, fd, timeout_usec, done, userdata, err);
}

static void ignore_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
}

int qemu_process_quit(struct qemu_process *proc, struct vb_error *err)
{
    /* Its reply may not come (qemu leaves first): the exit watch says how it ended. */
    if (qemu_process_command(proc, "quit", NULL, QEMU_PROCESS_STOP_GRACE_USEC, ignore_reply, NULL, err) < 0)
        return -1;
    proc->requested = true;
    return 0;
}

static int on_stop_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qemu_process *proc = userdata;
    struct vb_error err = VB_ERROR_INIT;

    proc->stop_timer = sd_event_source_disable_unref(proc->stop_timer);
    if (proc->stop_graceful) {
        /* libvirt's virProcessKillPainfully wording. */
        vb_error_set_errno(&err, EBUSY, "Failed to terminate process %d with SIGTERM", (int) proc->pid);
        finish_stop(proc, -1, &err);
        vb_error_clear(&err);
        return 0;
    }
    qemu_pidfd_send_signal(proc->pidfd, SIGKILL);
    return 0;
}

int qemu_process_stop(struct qemu_process *proc, bool graceful, uint64_t grace_usec, qemu_process_stop_fn done,
                      void *userdata, struct vb_error *err)
{
    int r;

    if (proc->phase == QEMU_PROCESS_ENDED)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain '%s' is not running", proc->name);
    if (proc->stop_timer || proc->stop_done)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain '%s' is already being stopped", proc->name);
    r = sd_event_add_time_relative(proc->loop, &proc->stop_timer, CLOCK_MONOTONIC,
                                   grace_usec ? grace_usec : QEMU_PROCESS_STOP_GRACE_USEC, VB_TIMER_ACCURACY_USEC, on_stop_timer, proc);
    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot arm the stop timer");
    if (qemu_pidfd_send_signal(proc->pidfd, SIGTERM) < 0 && errno != ESRCH) {
        proc->stop_timer = sd_event_source_disable_unref(proc->stop_timer);
        return vb_error_set_errno(err, errno, "Failed to terminate process %d with SIGTERM", (int) proc->pid);
    }
    proc->requested = true;
    proc->stop_graceful = graceful;
    proc->stop_done = done;
    proc->stop_userdata = userdata;
    return 0;
}
