/* qemu-img children run one after another on the sd-event loop, never blocking it: each is
 * watched through a pidfd with its output in memory files (volume builds, inactive snapshots). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct sd_event;
struct qemu_img_run;

struct qemu_img_run_result {
    int r;              /* 0 when every step succeeded, else -1 with err */
    size_t failed;      /* the first step that failed (r -1) */
    const char *output; /* the last step's stdout (r 0) */
    struct vb_error *err; /* the first failure, in the run's words; the callback may move it */
};

/* Runs once, from the loop, after the last step; the run is freed when it returns. */
typedef void (*qemu_img_run_done_fn)(void *userdata, struct qemu_img_run_result *result);

/* Starts steps[0..n) (argument vectors after "qemu-img", NULL-terminated, copied). A failing
 * step ends the run unless keep_going, which runs every step and reports the first failure.
 * NULL with err when the first step cannot start (done never runs). */
struct qemu_img_run *qemu_img_run_start(struct sd_event *loop, const char *const *const *steps, size_t n,
                                        bool keep_going, qemu_img_run_done_fn done, void *userdata,
                                        struct vb_error *err);

/* Kills the running child and frees the run; done never runs. */
void qemu_img_run_cancel(struct qemu_img_run *run);
