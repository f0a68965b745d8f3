/* The qemu hook script on the loop: one run is a sequence of invocations, each a child watched
 * through a pidfd, fed the domain XML and read for its stderr, killed at the timeout. */
#include "drivers/qemu/qemu_hooks_private.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/qemu/qemu_process_private.h"
#include "util/macros.h"
#include "util/time.h"

/* Enough of the script's stderr for an error message; the rest is dropped. */
#define HOOK_STDERR_MAX 4096

struct qemu_hooks {
    sd_event *loop;
    char *path;
    uint64_t timeout_usec;
    struct qemu_hook_run *runs;
};

struct qemu_hook_run {
    struct qemu_hooks *hooks;
    struct qemu_hook_run *next;
    char *name, *xml;
    size_t xml_len, xml_written;
    enum qemu_hook_op ops[QEMU_HOOK_OPS_MAX];
    size_t n_ops, current;
    qemu_hooks_done_fn done;
    void *userdata;

    pid_t pid;
    int pidfd, stdin_fd, stderr_fd;
    sd_event_source *exit_source, *stdin_source, *stderr_source, *timer;
    char errbuf[HOOK_STDERR_MAX + 1];
    size_t errlen;
    bool timed_out;
};

static const struct {
    const char *op, *subop;
} op_names[] = {
    [QEMU_HOOK_PREPARE] = { "prepare", "begin" }, [QEMU_HOOK_START] = { "start", "begin" },
    [QEMU_HOOK_STARTED] = { "started", "begin" }, [QEMU_HOOK_STOPPED] = { "stopped", "end" },
    [QEMU_HOOK_RELEASE] = { "release", "end" },   [QEMU_HOOK_RECONNECT] = { "reconnect", "begin" },
};

static uint64_t timeout_from_env(void)
{
    const char *text = getenv(QEMU_HOOKS_TIMEOUT_ENV);
    char *end;
    unsigned long long ms;

    if (!text || !*text)
        return QEMU_HOOKS_TIMEOUT_USEC;
    errno = 0;
    ms = strtoull(text, &end, 10);
    if (errno || *end || ms == 0 || ms > UINT64_MAX / 1000u) {
        vb_log_warning("ignoring %s='%s': not a number of milliseconds", QEMU_HOOKS_TIMEOUT_ENV, text);
        return QEMU_HOOKS_TIMEOUT_USEC;
    }
    return ms * 1000u;
}

struct qemu_hooks *qemu_hooks_new(sd_event *loop, const char *config_dir, struct vb_error *err)
{
    struct qemu_hooks *hooks = calloc(1, sizeof(*hooks));

    if (!hooks || asprintf(&hooks->path, "%s/hooks/qemu", config_dir) < 0) {
        free(hooks);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    hooks->loop = loop;
    hooks->timeout_usec = timeout_from_env();
    return hooks;
}

/* --- one invocation ------------------------------------------------------------------------- */

static void close_child(struct qemu_hook_run *run)
{
    run->exit_source = sd_event_source_disable_unref(run->exit_source);
    run->stdin_source = sd_event_source_disable_unref(run->stdin_source);
    run->stderr_source = sd_event_source_disable_unref(run->stderr_source);
    run->timer = sd_event_source_disable_unref(run->timer);
    for (int *fd = &run->pidfd; fd <= &run->stderr_fd; fd++)
        if (*fd >= 0) {
            close(*fd);
            *fd = -1;
        }
}

static void drain_stderr(struct qemu_hook_run *run)
{
    char chunk[1024];
    ssize_t n;

    while ((n = read(run->stderr_fd, chunk, sizeof(chunk))) > 0) {
        size_t room = HOOK_STDERR_MAX - run->errlen, keep = (size_t) n < room ? (size_t) n : room;

        memcpy(run->errbuf + run->errlen, chunk, keep);
        run->errlen += keep;
    }
    run->errbuf[run->errlen] = '\0';
    if (n == 0)
        run->stderr_source = sd_event_source_disable_unref(run->stderr_source);
}

static int on_stderr(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    drain_stderr(userdata);
    return 0;
}

static void stop_writing(struct qemu_hook_run *run)
{
    run->stdin_source = sd_event_source_disable_unref(run->stdin_source);
    close(run->stdin_fd);
    run->stdin_fd = -1;
}

/* write(2) to a pipe whose reader is gone gives EPIPE and no SIGPIPE, whatever the process's
 * disposition of SIGPIPE: blocked around the write, and a SIGPIPE it raised is consumed. */
static ssize_t write_without_sigpipe(int fd, const void *buf, size_t len)
{
    sigset_t pipe_only, old, pending;
    static const struct timespec no_wait = { 0, 0 };
    bool was_pending;
    ssize_t n;
    int saved;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    n = write(fd, buf, len);
    saved = errno;
    if (n < 0 && saved == EPIPE && !was_pending)
        while (sigtimedwait(&pipe_only, NULL, &no_wait) < 0 && errno == EINTR)
            ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return n;
}

/* A script that does not read its stdin is fine: EPIPE just ends the writing. */
static int on_stdin(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_hook_run *run = userdata;
    ssize_t n = write_without_sigpipe(fd, run->xml + run->xml_written, run->xml_len - run->xml_written);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n > 0)
        run->xml_written += (size_t) n;
    if (n < 0 || run->xml_written == run->xml_len)
        stop_writing(run);
    return 0;
}

static int on_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct qemu_hook_run *run = userdata;

    run->timed_out = true;
    qemu_pidfd_send_signal(run->pidfd, SIGKILL);
    return 0;
}

static void format_failure(struct qemu_hook_run *run, int status, struct vb_error *err)
{
    const char *op = op_names[run->ops[run->current]].op, *subop = op_names[run->ops[run->current]].subop;
    const char *path = run->hooks->path;

    while (run->errlen > 0 && (run->errbuf[run->errlen - 1] == '\n' || run->errbuf[run->errlen - 1] == ' '))
        run->errbuf[--run->errlen] = '\0';
    if (run->timed_out)
        vb_error_set(err, VB_ERR_HOOK_SCRIPT_FAILED,
                     "internal error: Child process (%s %s %s %s -) killed after %llu ms without finishing",
                     path, run->name, op, subop, (unsigned long long) (run->hooks->timeout_usec / 1000u));
    else
        vb_error_set(err, VB_ERR_HOOK_SCRIPT_FAILED, "internal error: Child process (%s %s %s %s -) unexpected %s %d%s%s",
                     path, run->name, op, subop, WIFSIGNALED(status) ? "fatal signal" : "exit status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), run->errlen ? ": " : "",
                     run->errbuf);
}

static void run_next(struct qemu_hook_run *run);
static void run_finish(struct qemu_hook_run *run, int result, const struct vb_error *err);

static int on_child_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_hook_run *run = userdata;
    struct vb_error err = VB_ERROR_INIT;
    int status = 0;

    if (waitpid(run->pid, &status, WNOHANG) != run->pid)
        return 0;
    drain_stderr(run); /* what the script wrote before it ended; a child it left may hold the pipe */
    close_child(run);
    if (run->timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        format_failure(run, status, &err);
        if (run->done) {
            run_finish(run, -1, &err);
            vb_error_clear(&err);
            return 0;
        }
        vb_log_warning("%s", vb_error_message(&err));
        vb_error_clear(&err);
    }
    run->current++;
    run_next(run);
    return 0;
}

static int watch_child(struct qemu_hook_run *run, struct vb_error *err)
{
    sd_event *loop = run->hooks->loop;
    int r;

    run->pidfd = qemu_pidfd_open(run->pid);
    if (run->pidfd < 0)
        return vb_error_set_errno(err, errno, "cannot watch hook script %d", (int) run->pid);
    r = sd_event_add_io(loop, &run->exit_source, run->pidfd, EPOLLIN, on_child_exit, run);
    if (r >= 0)
        r = sd_event_add_io(loop, &run->stderr_source, run->stderr_fd, EPOLLIN, on_stderr, run);
    if (r >= 0)
        r = sd_event_add_io(loop, &run->stdin_source, run->stdin_fd, EPOLLOUT, on_stdin, run);
    if (r >= 0)
        r = sd_event_add_time_relative(loop, &run->timer, CLOCK_MONOTONIC, run->hooks->timeout_usec, VB_TIMER_ACCURACY_USEC, on_timeout,
                                       run);
    return r < 0 ? vb_error_set_errno(err, -r, "cannot watch hook script %d", (int) run->pid) : 0;
}

/* Launches the current operation's invocation. */
static int run_start_one(struct qemu_hook_run *run, struct vb_error *err)
{
    char *argv[] = { run->hooks->path, run->name, (char *) op_names[run->ops[run->current]].op,
                     (char *) op_names[run->ops[run->current]].subop, (char *) "-", NULL };
    char **env = qemu_hook_env_new();

    if (!env)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    run->xml_written = run->errlen = 0;
    run->timed_out = false;
    run->pid = qemu_hook_spawn(argv, env, &run->stdin_fd, &run->stderr_fd, err);
    qemu_hook_env_free(env);
    if (run->pid < 0)
        return -1;
    vb_log_debug("hook %s %s %s: pid %d", run->hooks->path, run->name, argv[2], (int) run->pid);
    if (run->xml_len == 0)
        stop_writing(run);
    if (watch_child(run, err) < 0) {
        kill(run->pid, SIGKILL);
        waitpid(run->pid, NULL, 0);
        close_child(run);
        return -1;
    }
    return 0;
}

/* --- runs ----------------------------------------------------------------------------------- */

static void run_free(struct qemu_hook_run *run)
{
    struct qemu_hook_run **p;

    for (p = &run->hooks->runs; *p; p = &(*p)->next)
        if (*p == run) {
            *p = run->next;
            break;
        }
    if (run->pidfd >= 0)
        qemu_pidfd_send_signal(run->pidfd, SIGKILL);
    if (run->exit_source) /* killed here: reap it so no zombie stays */
        waitpid(run->pid, NULL, 0);
    close_child(run);
    free(run->name);
    free(run->xml);
    free(run);
}

static void run_finish(struct qemu_hook_run *run, int result, const struct vb_error *err)
{
    qemu_hooks_done_fn done = run->done;
    void *userdata = run->userdata;

    run_free(run);
    if (done)
        done(result, err, userdata);
}

static void run_next(struct qemu_hook_run *run)
{
    struct vb_error err = VB_ERROR_INIT;

    while (run->current < run->n_ops) {
        if (run_start_one(run, &err) == 0)
            return;
        if (run->done) {
            run_finish(run, -1, &err);
            vb_error_clear(&err);
            return;
        }
        vb_log_warning("hook %s: %s", op_names[run->ops[run->current]].op, vb_error_message(&err));
        vb_error_clear(&err);
        run->current++;
    }
    run_finish(run, 0, NULL);
}

/* libvirt runs the script only when it is an executable file; a non-executable one is warned about. */
static bool script_present(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    if (access(path, X_OK) < 0) {
        vb_log_warning("Non-executable hook script %s", path);
        return false;
    }
    return true;
}

int qemu_hooks_run(struct qemu_hooks *hooks, const char *name, const enum qemu_hook_op *ops, size_t n_ops,
                   const char *xml, qemu_hooks_done_fn done, void *userdata, struct qemu_hook_run **out,
                   struct vb_error *err)
{
    struct qemu_hook_run *run;
    char *name_copy, *xml_copy;

    if (n_ops == 0 || n_ops > QEMU_HOOK_OPS_MAX)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "%zu hook operations asked for", n_ops);
    if (!script_present(hooks->path))
        return QEMU_HOOKS_NONE;
    name_copy = strdup(name);
    xml_copy = strdup(xml ? xml : "");
    run = calloc(1, sizeof(*run));
    if (!name_copy || !xml_copy || !run) {
        free(name_copy);
        free(xml_copy);
        free(run);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *run = (struct qemu_hook_run){ .hooks = hooks, .next = hooks->runs, .name = name_copy, .xml = xml_copy,
                                   .xml_len = strlen(xml_copy), .n_ops = n_ops, .pidfd = -1, .stdin_fd = -1,
                                   .stderr_fd = -1 };
    memcpy(run->ops, ops, n_ops * sizeof(*ops));
    hooks->runs = run;
    if (run_start_one(run, err) < 0) {
        run_free(run);
        return -1;
    }
    run->done = done;
    run->userdata = userdata;
    if (out)
        *out = run;
    return 0;
}

void qemu_hooks_cancel(struct qemu_hook_run *run)
{
    if (run)
        run_free(run);
}

void qemu_hooks_free(struct qemu_hooks *hooks)
{
    if (!hooks)
        return;
    while (hooks->runs)
        run_free(hooks->runs);
    free(hooks->path);
    free(hooks);
}
