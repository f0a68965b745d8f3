/* libvirt's qemu hook script ($CONFIG/hooks/qemu, /etc/libvirt/hooks/qemu there), run on the
 * sd-event loop: a child watched through a pidfd, the domain XML written to its stdin and its
 * stderr read through pipes, and a timeout after which it is killed. Nothing blocks the loop. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "util/error.h"

/* libvirt's virHookQemuOpType, with the sub-operation each is called with. */
enum qemu_hook_op {
    QEMU_HOOK_PREPARE,   /* "prepare" "begin": before anything is set up for a start */
    QEMU_HOOK_START,     /* "start" "begin": just before qemu is launched */
    QEMU_HOOK_STARTED,   /* "started" "begin": qemu runs */
    QEMU_HOOK_STOPPED,   /* "stopped" "end": qemu ended */
    QEMU_HOOK_RELEASE,   /* "release" "end": everything is released */
    QEMU_HOOK_RECONNECT, /* "reconnect" "begin": the daemon found a qemu running after a restart */
};

#define QEMU_HOOK_OPS_MAX 4
/* How long one invocation may take before SIGKILL (libvirt has no limit; we keep a loop free). */
#define QEMU_HOOKS_TIMEOUT_USEC (30ull * 1000u * 1000u)
/* Overrides the timeout, in milliseconds (tests). */
#define QEMU_HOOKS_TIMEOUT_ENV "VIRTBUS_QEMU_HOOK_TIMEOUT_MS"
/* qemu_hooks_run's answer when there is no executable hook script: nothing runs. */
#define QEMU_HOOKS_NONE 1

struct qemu_hooks;    /* one per connection: the script's path, the timeout, the runs under way */
struct qemu_hook_run; /* one sequence of operations under way */

/* result 0, or -1 with err: VB_ERR_HOOK_SCRIPT_FAILED "Hook script execution failed: internal
 * error: Child process (PATH NAME OP SUBOP -) unexpected exit status N: <stderr>". */
typedef void (*qemu_hooks_done_fn)(int result, const struct vb_error *err, void *userdata);

/* The hooks of CONFIG_DIR/hooks/qemu; the timeout from QEMU_HOOKS_TIMEOUT_ENV when set. */
struct qemu_hooks *qemu_hooks_new(sd_event *loop, const char *config_dir, struct vb_error *err);
/* Kills the scripts still running; their done callbacks never run. NULL is fine. */
void qemu_hooks_free(struct qemu_hooks *hooks);

/* Runs the script once per operation in ops, in order, as `qemu NAME OP SUBOP -` with xml on
 * stdin. With done: stops at the first failure, then done runs once, from the loop. Without done
 * (fire and forget): every operation runs and failures are logged. Returns 0 (running; *run, if
 * given, names the run until done), QEMU_HOOKS_NONE (no executable script: nothing runs, done never
 * runs) or -1 with err (nothing runs). The script is looked up at each call, as it may come and go. */
int qemu_hooks_run(struct qemu_hooks *hooks, const char *name, const enum qemu_hook_op *ops, size_t n_ops,
                   const char *xml, qemu_hooks_done_fn done, void *userdata, struct qemu_hook_run **run,
                   struct vb_error *err);
/* Kills the run's script; done never runs. */
void qemu_hooks_cancel(struct qemu_hook_run *run);
