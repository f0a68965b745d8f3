/* qemu-img children run one after another on the sd-event loop: each watched through a pidfd,
 * its stdout and stderr in memory files read once it exited. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qemu_img_run.h"
#include "drivers/qemu/qemu_process_private.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "util/macros.h"

#define CHILD_OUTPUT_MAX (64 * 1024)

struct qemu_img_run {
    sd_event *loop;
    char ***steps; /* NULL-terminated argument vectors */
    size_t n_steps, step;
    bool keep_going;
    qemu_img_run_done_fn done;
    void *userdata;
    pid_t pid;
    int pidfd, out_fd, err_fd;
    sd_event_source *exit_source;
    struct vb_error err; /* the first failure */
    size_t failed;
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The running child (if any) killed or reaped; *status its wait status (-1 when none). */
static void end_child(struct qemu_img_run *run, bool kill_it, int *status)
{
    *status = -1;
    run->exit_source = sd_event_source_disable_unref(run->exit_source);
    close_fd(&run->pidfd);
    if (run->pid > 0) {
        if (kill_it)
            kill(run->pid, SIGKILL);
        while (waitpid(run->pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    run->pid = 0;
}

static void run_free(struct qemu_img_run *run)
{
    int status;

    end_child(run, true, &status);
    close_fd(&run->out_fd);
    close_fd(&run->err_fd);
    for (size_t s = 0; s < run->n_steps; s++) {
        for (size_t i = 0; run->steps[s] && run->steps[s][i]; i++)
            free(run->steps[s][i]);
        free(run->steps[s]);
    }
    free(run->steps);
    vb_error_clear(&run->err);
    free(run);
}

void qemu_img_run_cancel(struct qemu_img_run *run)
{
    if (run)
        run_free(run);
}

/* A memory file's text (at most CHILD_OUTPUT_MAX bytes), NUL-terminated; NULL when out of memory. */
static char *read_memfd(int fd)
{
    char *text = calloc(1, CHILD_OUTPUT_MAX + 1);
    size_t len = 0;
    ssize_t r;

    if (!text || fd < 0)
        return text;
    while (len < CHILD_OUTPUT_MAX && (r = pread(fd, text + len, CHILD_OUTPUT_MAX - len, (off_t) len)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        len += (size_t) r;
    }
    return text;
}

static int on_child_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata);

/* Starts the current step with fresh memory files for its output. */
static int start_step(struct qemu_img_run *run, struct vb_error *err)
{
    const char *const *args = (const char *const *) run->steps[run->step];

    close_fd(&run->out_fd);
    close_fd(&run->err_fd);
    run->out_fd = memfd_create("qemu-img-stdout", MFD_CLOEXEC);
    run->err_fd = memfd_create("qemu-img-stderr", MFD_CLOEXEC);
    if (run->out_fd < 0 || run->err_fd < 0)
        return vb_error_set_errno(err, errno, "cannot create a memory file for qemu-img");
    run->pid = qemu_img_spawn_to(args, run->out_fd, run->err_fd, err);
    if (run->pid < 0) {
        run->pid = 0;
        return -1;
    }
    run->pidfd = qemu_pidfd_open(run->pid);
    if (run->pidfd < 0 || sd_event_add_io(run->loop, &run->exit_source, run->pidfd, EPOLLIN, on_child_exit, run) < 0) {
        int status;

        end_child(run, true, &status);
        return vb_error_set_errno(err, errno ? errno : ENOMEM, "cannot watch qemu-img %s", args[0]);
    }
    return 0;
}

static void finish(struct qemu_img_run *run, const char *output)
{
    struct qemu_img_run_result result = { .r = vb_error_is_set(&run->err) ? -1 : 0, .failed = run->failed,
                                          .output = output, .err = &run->err };

    run->done(run->userdata, &result);
    run_free(run);
}

/* Records a step's failure (the first one counts); whether the run goes on. */
static bool step_failed(struct qemu_img_run *run, struct vb_error *err)
{
    if (!vb_error_is_set(&run->err)) {
        vb_error_move(&run->err, err);
        run->failed = run->step;
    }
    vb_error_clear(err);
    return run->keep_going;
}

static int on_child_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_img_run *run = userdata;
    const char *const *args = (const char *const *) run->steps[run->step];
    _cleanup_free_ char *errors = NULL, *output = NULL;
    struct vb_error err = VB_ERROR_INIT;
    int status;

    end_child(run, false, &status);
    errors = read_memfd(run->err_fd);
    if (qemu_img_check_status(args, status, errors, &err) < 0 && !step_failed(run, &err)) {
        finish(run, NULL);
        return 0;
    }
    while (++run->step < run->n_steps) {
        if (start_step(run, &err) == 0)
            return 0;
        if (!step_failed(run, &err))
            break;
    }
    output = read_memfd(run->out_fd);
    finish(run, output);
    return 0;
}

static char **copy_args(const char *const *args)
{
    size_t n = 0;
    char **copy;

    while (args[n])
        n++;
    if (!(copy = calloc(n + 1, sizeof(*copy))))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(copy[i] = strdup(args[i]))) {
            for (size_t j = 0; j < i; j++)
                free(copy[j]);
            free(copy);
            return NULL;
        }
    return copy;
}

struct qemu_img_run *qemu_img_run_start(struct sd_event *loop, const char *const *const *steps, size_t n,
                                        bool keep_going, qemu_img_run_done_fn done, void *userdata,
                                        struct vb_error *err)
{
    struct qemu_img_run *run;

    if (!loop || n == 0) {
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "%s", "no event loop or no step to run qemu-img");
        return NULL;
    }
    if (!(run = calloc(1, sizeof(*run))) || !(run->steps = calloc(n, sizeof(*run->steps)))) {
        free(run);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    *run = (struct qemu_img_run){ .loop = loop, .steps = run->steps, .keep_going = keep_going, .done = done,
                                  .userdata = userdata, .pidfd = -1, .out_fd = -1, .err_fd = -1,
                                  .err = VB_ERROR_INIT };
    for (; run->n_steps < n; run->n_steps++)
        if (!(run->steps[run->n_steps] = copy_args(steps[run->n_steps]))) {
            run_free(run);
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            return NULL;
        }
    if (start_step(run, err) < 0) {
        run_free(run);
        return NULL;
    }
    return run;
}
