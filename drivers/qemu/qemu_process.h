/* One qemu process of one domain, on the sd-event loop: start, watch, stop, reattach
 * (libvirt's qemuProcessStart / qemuProcessStop / qemuProcessReconnect in miniature). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "conf/domain_def.h"
#include "drivers/qemu/qmp.h"
#include "util/error.h"

/* How long stop() waits after SIGTERM before SIGKILL (libvirt: 10 s), and how long start and
 * reattach wait for the QMP handshake. */
#define QEMU_PROCESS_STOP_GRACE_USEC (10ull * 1000u * 1000u)
#define QEMU_PROCESS_MONITOR_TIMEOUT_USEC (30ull * 1000u * 1000u)

struct qemu_process;

/* Where a domain's files live. Per domain NAME: RUN/NAME.monitor (QMP socket), RUN/NAME.pid
 * ("PID STARTTIME\n", STARTTIME field 22 of /proc/PID/stat), RUN/NAME.xml (the live definition),
 * LOG/NAME.log (qemu's stdout and stderr, appended across runs). Both directories must exist. */
struct qemu_process_paths {
    const char *run_dir;
    const char *log_dir;
};

struct qemu_process_options {
    bool start_paused;            /* leave the vCPUs stopped (no `cont`) */
    bool kvm_usable;              /* qemu_kvm_usable() */
    bool incoming_defer;          /* -incoming defer (restore: the state follows by migrate-incoming) */
    const char *loadvm;           /* -loadvm NAME (snapshot revert: the state of that snapshot) */
    uint64_t monitor_timeout_usec; /* 0: QEMU_PROCESS_MONITOR_TIMEOUT_USEC */
};

/* How qemu ended, for the driver to pick shutoff/shutdown, shutoff/destroyed or shutoff/crashed. */
struct qemu_process_exit {
    bool status_known;  /* false for a reattached qemu, which is not our child */
    bool signaled;      /* killed by a signal (status is its number), else exited (status is the code) */
    int status;
    bool requested;     /* we asked for it: stop() or quit() */
    bool guest_shutdown; /* qemu reported SHUTDOWN before it ended */
    bool shutdown_by_guest; /* the first SHUTDOWN said guest: true (the guest powered off) */
};

/* Callbacks run from the loop, never from inside the call that set them up. After `failed` or
 * `exited` nothing else runs; those two (and only they, or code outside any callback) may call
 * qemu_process_free. */
struct qemu_process_callbacks {
    /* The monitor is up and the vCPUs are in the state asked for (start) or found (reattach). */
    void (*ready)(struct qemu_process *proc, bool running, void *userdata);
    /* start or reattach failed. qemu is gone (killed if it still ran) and its socket, pidfile and
     * live XML are removed. */
    void (*failed)(struct qemu_process *proc, const struct vb_error *err, void *userdata);
    /* A QMP event (also seen by the process itself: SHUTDOWN is remembered for `exited`). */
    void (*event)(struct qemu_process *proc, const struct qmp_event *event, void *userdata);
    /* qemu ended after ready; its files are removed. */
    void (*exited)(struct qemu_process *proc, const struct qemu_process_exit *exit, void *userdata);
};

/* Starts qemu for `def` (copied): argv from qemu_command_build with -S and the monitor in the run
 * dir, in a session of its own (it outlives the daemon), stdin /dev/null, stdout and stderr
 * appended to the log after a "starting up" header, no other descriptor inherited. Writes the
 * pidfile and live XML, connects QMP, sends `cont` unless start_paused, then `ready`. When qemu
 * ends first: `failed` with VB_ERR_INTERNAL_ERROR "internal error: process exited while
 * connecting to monitor: <qemu's last line in the log>". Returns NULL with err set when nothing
 * was started (bad definition, a qemu of that name already running, I/O error). */
struct qemu_process *qemu_process_start(sd_event *loop, const struct vb_domain_def *def,
                                        const struct qemu_process_paths *paths,
                                        const struct qemu_process_options *options,
                                        const struct qemu_process_callbacks *callbacks, void *userdata,
                                        struct vb_error *err);

enum qemu_reattach_result {
    QEMU_REATTACH_ADOPTED = 0, /* *proc set: `ready` (with running from query-status) or `failed` follows */
    QEMU_REATTACH_NOT_RUNNING, /* no pidfile: the domain was not running */
    QEMU_REATTACH_GONE,        /* a pidfile, but its process ended or the pid now names another
                                * process (start time differs): the domain died while we were
                                * away (shutoff/crashed); the leftovers are removed */
};

/* After a daemon restart: reads RUN/NAME.pid, checks the process is alive with the same start
 * time, reads RUN/NAME.xml, watches the process through a pidfd and reconnects QMP, then
 * query-status. Returns an enum qemu_reattach_result, or -1 with err set (unreadable files). */
int qemu_process_reattach(sd_event *loop, const char *run_dir, const char *name,
                          const struct qemu_process_callbacks *callbacks, void *userdata,
                          struct qemu_process **proc, struct vb_error *err);

/* done runs once, from the loop: result 0 when qemu ended (before `exited`), or -1 with err
 * (graceful and qemu still alive after the grace period; qemu keeps running). */
typedef void (*qemu_process_stop_fn)(struct qemu_process *proc, int result, const struct vb_error *err,
                                     void *userdata);

/* SIGTERM (through the pidfd), then, unless graceful, SIGKILL after grace_usec (0: the default
 * 10 s). `exited` follows with requested = true. -1 with err when qemu is already gone or a
 * stop is already under way. */
int qemu_process_stop(struct qemu_process *proc, bool graceful, uint64_t grace_usec, qemu_process_stop_fn done,
                      void *userdata, struct vb_error *err);

/* Sends QMP `quit` (after a SHUTDOWN under -no-shutdown): `exited` follows with requested. */
int qemu_process_quit(struct qemu_process *proc, struct vb_error *err);

/* qmp_monitor_send on the process's monitor; -1 with VB_ERR_OPERATION_INVALID when there is no
 * monitor (not connected yet, or qemu gone). */
int qemu_process_command(struct qemu_process *proc, const char *command, struct json_object *arguments,
                         uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err);

/* The monitor is up: commands can be sent (false once qemu closed it, before its exit is reaped). */
bool qemu_process_monitor_ready(const struct qemu_process *proc);

/* The same with a copy of fd passed along (qmp_monitor_send_fd: `getfd`); fd stays the caller's. */
int qemu_process_command_fd(struct qemu_process *proc, const char *command, struct json_object *arguments, int fd,
                            uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err);

/* Forgets the SHUTDOWN qemu reported (the driver turned it into a reboot: system_reset and cont),
 * so a later exit is not taken for a shutdown. */
void qemu_process_clear_shutdown(struct qemu_process *proc);

pid_t qemu_process_pid(const struct qemu_process *proc);
/* qemu reported SHUTDOWN (or, reattached, was found shut down and waiting to quit). */
bool qemu_process_guest_shut_down(const struct qemu_process *proc);
/* Rewrites the live XML (RUN/NAME.xml) from def after a live change (hotplug), so a reattach
 * reads the domain as it now is. qemu_process_def keeps the definition qemu started with. */
int qemu_process_write_live_def(const struct qemu_process *proc, const struct vb_domain_def *def,
                                struct vb_error *err);
/* The definition qemu runs (the one started, or the live XML read back by reattach). */
const struct vb_domain_def *qemu_process_def(const struct qemu_process *proc);
/* The log file's path (LOG/NAME.log); NULL for a reattached process (reattach has no log dir). */
const char *qemu_process_log_path(const struct qemu_process *proc);

/* The last non-empty line this run of qemu wrote to its log ("" when none; NULL for a
 * reattached process). Caller frees. */
char *qemu_process_log_last_words(const struct qemu_process *proc);

/* Forgets the process WITHOUT ending it (daemon shutdown: qemu keeps running and a later
 * qemu_process_reattach finds it). Nothing runs afterwards. NULL is fine. */
void qemu_process_free(struct qemu_process *proc);

/* qemu_process_vcpus.c: <vcpus> in the QEMU driver. */
struct json_object;
/* libvirt's qemuDomainDefVcpusPostParse: vCPU 0 enabled, first and not hotpluggable, the enabled
 * non-hotpluggable vCPUs first and in ascending order, orders on all enabled vCPUs or on none. */
int qemu_vcpus_check_def(const struct vb_domain_def *def, struct vb_error *err);
/* The socket-id (the vCPU id: one vCPU a socket) of a query-hotpluggable-cpus or query-cpus-fast
 * entry, -1 when it has none. */
int qemu_vcpu_slot_socket(struct json_object *slot);
/* device_add arguments for a query-hotpluggable-cpus slot: its type and ids, id=vcpuN. */
struct json_object *qemu_vcpu_device_add_args(struct json_object *slot);
/* query-cpus-fast's answer (cpus) into def's vCPU states, as libvirt's qemuDomainRefreshVcpuInfo
 * and qemuDomainVcpuPersistOrder: enabled, order (the place in qemu's list), hotpluggable for a
 * hot-plugged one. Without <vcpus>, def gets one when `individual` (libvirt after a hot-add) or
 * when qemu's vCPUs are not the first ones or some were hot-plugged; else only the count changes. */
int qemu_vcpus_apply_cpus(struct vb_domain_def *def, struct json_object *cpus, bool individual, struct vb_error *err);
