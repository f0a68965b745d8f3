/* Per-domain lifecycle state of the QEMU driver and the helpers every operation file shares
 * (qemu_domain.c). Operation files (qemu_domain_ops.c, and one file per group of operations
 * beside it) include this after qemu_driver_private.h. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "drivers/call.h"
#include "drivers/qemu/qemu_driver_private.h"
#include "drivers/qemu/qemu_event_map.h"
#include "drivers/qemu/qemu_hooks.h"
#include "drivers/qemu/qemu_process.h"
#include "drivers/snapshot_tree.h"

#define QEMU_COMMAND_TIMEOUT_USEC (30ull * 1000u * 1000u)

struct qemu_hotplug;
struct qemu_snapshot_op;
struct vcpu_op;

/* query-migrate's "ram" and "setup-time", as libvirt's qemuMonitorMigrationStats keeps them. */
struct qemu_migration_stats {
    uint64_t total, transferred, remaining, bps, duplicate, normal, normal_bytes, dirty_rate, page_size, iteration,
        postcopy_reqs, setup_time;
    bool duplicate_set, setup_time_set;
};

/* The last save that completed, for GetJobStats(COMPLETED): libvirt's job->completed. */
struct qemu_completed_job {
    bool set;
    uint64_t time_elapsed_ms;
    struct qemu_migration_stats stats;
};

/* Per-domain state (obj->driver_data), also on conn->doms so a closing connection finds it. */
struct qemu_dom {
    struct qemu_conn *conn;   /* NULL once the connection closed */
    struct vb_domain_obj *obj; /* the owner (borrowed) */
    struct qemu_process *proc; /* NULL while shut off */
    struct vb_call *call;      /* the call waiting for qemu (one at a time: the core holds the job) */
    bool running;             /* the vCPUs run, as the driver knows it (for qemu_event_map) */
    bool stop_requested;      /* destroy asked for the end */
    bool got_shutdown;        /* qemu reported SHUTDOWN: a later STOP is ignored (libvirt) */
    struct qemu_dom *next;
    bool reattaching;         /* adopted after a daemon restart, query-status not answered yet */
    /* hooks, fake reboot, CreateXML (qemu_domain_hooks.c, qemu_domain_reboot.c, qemu_domain_create_xml.c) */
    struct qemu_hook_run *hook_run;           /* prepare/start hooks of the start under way */
    struct qemu_process_options start_options; /* what the start asked for, used once its hooks are done */
    struct vb_domain_ref *ref_out;            /* filled when the waiting call succeeds (CreateXML) */
    bool fake_reboot;                         /* Reboot asked: the next SHUTDOWN resets, qemu stays */
    void (*after_started)(struct qemu_dom *dom); /* what follows the `started` hook under way */
    struct vb_error start_error;              /* the `started` hook failed: qemu is being stopped, and
                                               * the waiting call ends with this once it exited */
    /* qemu_domain_save.c */
    bool stop_saved;          /* with stop_requested: a save ended qemu (shutoff/saved, Stopped/Saved) */
    struct qemu_save_op *save_op; /* the save or restore under way, NULL otherwise */
    struct qemu_completed_job completed_job; /* qemu_domain_job.c */
    struct qemu_hotplug *hotplug; /* qemu_hotplug*.c: names in use, removals pending; NULL until used */
    uint64_t balloon_kib;          /* qemu_domain_stats.c: the SetMemory waiting on `balloon` */
    unsigned int balloon_flags;
    struct vcpu_op *vcpu_op;       /* qemu_domain_vcpus.c: the live SetVcpus under way, or NULL */
    struct vb_snapshot_tree snapshots;       /* qemu_snapshot*.c: the domain's snapshot metadata */
    struct qemu_snapshot_op *snapshot_op;    /* the snapshot operation under way, or NULL */
};

/* obj's state, created on first use (NULL with err set when out of memory). */
struct qemu_dom *qemu_dom_get(struct qemu_conn *conn, struct vb_domain_obj *obj, struct vb_error *err);
/* obj's state when its qemu runs; NULL with libvirt's "domain is not running" otherwise. */
struct qemu_dom *qemu_dom_running(struct vb_domain_obj *obj, struct vb_error *err);
/* Parks call on dom until qemu answers; returns VB_PENDING for the slot to return. */
int qemu_dom_wait(struct qemu_dom *dom, struct vb_call *call);
/* Ends the call waiting on dom, if any: r 0, or -1 with err copied into the call. */
void qemu_dom_finish_call(struct qemu_dom *dom, int r, const struct vb_error *err);
/* Sends a QMP command with no arguments to obj's qemu; the call ends with qemu's reply. */
int qemu_dom_command_call(struct vb_call *call, struct vb_domain_obj *obj, const char *command);
/* The same with arguments (taken) to dom's running qemu; VB_PENDING, or -1 with call->err. */
int qemu_dom_send_call(struct vb_call *call, struct qemu_dom *dom, const char *command, struct json_object *args);
/* Announces one mapped QMP event on the connection's stream. */
void qemu_dom_emit_mapped(struct qemu_dom *dom, const struct qemu_domain_event *ev);
/* Sends system_powerdown (ACPI power button); the reply is only logged. */
int qemu_dom_send_powerdown(struct qemu_dom *dom, struct vb_error *err);
/* Unlinks dom from its connection's list (connection close). */
void qemu_dom_unlink(struct qemu_dom *dom);

/* qemu_domain_ops.c: the process callbacks every qemu of a domain runs with (start, restore,
 * reattach): state changes, events, the end of waiting calls. */
extern const struct qemu_process_callbacks qemu_dom_process_callbacks;
/* Starts obj's qemu (obj inactive; kvm refused without /dev/kvm; options->kvm_usable is filled):
 * `ready` later marks it started and ends dom->call. NULL with err set when nothing started. */
/* qemu_hotplug_detach.c: DEVICE_DELETED for alias (the device leaves the live definition, its
 * backend is deleted, a waiting DetachDevice returns); the process ended (removals dropped);
 * dom->hotplug freed. */
bool qemu_hotplug_device_deleted(struct qemu_dom *dom, const char *alias);
/* qemu_hotplug_names.c, at reattach: disks and NICs qemu no longer has leave the live definition
 * (their DEVICE_DELETED came while no daemon listened), as libvirt's qemuProcessUpdateDevices. */
void qemu_hotplug_reconnect(struct qemu_dom *dom);
void qemu_hotplug_process_gone(struct qemu_dom *dom);
/* Connection close: forgets what waits on qemu's replies (the call itself is ended by the caller). */
void qemu_hotplug_release(struct qemu_dom *dom);
void qemu_hotplug_free(struct qemu_hotplug *hp);
/* qemu_hotplug_names.c: drops the blockdev numbers (<source index='N'/>) a live XML of an earlier
 * qemu gave def's disks: a new qemu's command line numbers them anew. */
int qemu_hotplug_forget_nodes(struct vb_domain_def *def, struct vb_error *err);
/* qemu_hotplug_media.c: DEVICE_TRAY_MOVED; the live definition's disk shows <target tray='open'/>
 * while its tray is open, as libvirt's. */
void qemu_hotplug_tray_moved(struct qemu_dom *dom, struct json_object *data);
/* qemu_domain_vcpus.c: DEVICE_DELETED (data) of a vCPU (vcpuN or inside it: the unplug under way goes on, or the live
 * count follows qemu's); the SetVcpus under way forgotten: ended with "domain is no longer
 * running" when qemu went, or not ended (connection close: the caller ends the call). */
void qemu_vcpus_device_deleted(struct qemu_dom *dom, struct json_object *data);
void qemu_vcpus_abandon(struct qemu_dom *dom, bool process_gone);
/* At reattach: the live vCPU count becomes qemu's (query-cpus-fast), as libvirt's reconnect. */
void qemu_vcpus_recount(struct qemu_dom *dom);
/* qemu_domain_vcpus.c: the vCPU states qemu started with (qemu_process_setup_vcpus: enabled, order) into the
 * live definition. */
void qemu_vcpus_copy_started(struct qemu_dom *dom);
/* qemu_snapshot*.c: the snapshot operation under way ended with "connection closed" (its
 * qemu-img killed) at connection close; JOB_STATUS_CHANGE for its QMP job; whether a revert is
 * ending qemu (shutoff/from_snapshot); after qemu ended, whether the operation goes on (a revert
 * starts qemu again: the domain stays) or failed with "guest unexpectedly quit". */
void qemu_snapshot_abandon(struct qemu_dom *dom);
void qemu_snapshot_job_changed(struct qemu_dom *dom, struct json_object *data);
bool qemu_snapshot_stopping(const struct qemu_dom *dom);
bool qemu_snapshot_process_gone(struct qemu_dom *dom);
/* qemu_domain_stats.c: BALLOON_CHANGE's `actual` becomes the live definition's current memory. */
void qemu_balloon_changed(struct qemu_dom *dom, struct json_object *data);
/* qemu_domain_memstats.c, once qemu runs: the definition's <memballoon><stats period> becomes the
 * balloon's guest-stats-polling-interval (libvirt's qemuProcessSetupBalloon). */
void qemu_balloon_start(struct qemu_dom *dom);

struct qemu_dom *qemu_dom_start(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                struct qemu_process_options *options, struct vb_error *err);

/* qemu_domain_reattach.c: RUN/NAME.status keeps the id, state and reason of a running domain. */
void qemu_dom_save_status(struct qemu_dom *dom);
void qemu_dom_remove_status(struct qemu_dom *dom);
/* The `reconnect` hook of a reattached domain; a failing hook stops it (libvirt). */
void qemu_dom_run_reconnect_hook(struct qemu_dom *dom);

/* qemu_domain_hooks.c: libvirt's qemu hook script around a domain's life (qemu_hooks.h). */
/* Runs the prepare and start hooks, then starts qemu (qemu_dom_start); call waits and ends on
 * ready or failure. Returns VB_PENDING, or -1 with call->err (nothing started). call NULL
 * (autostart): 0 once under way, failures logged. */
int qemu_dom_start_call(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                        const struct qemu_process_options *options);
/* A start failed (a hook, or qemu): stopped and release hooks, a domain CreateXML added goes
 * away, and the waiting call ends with err. */
void qemu_dom_start_failed(struct qemu_dom *dom, const struct vb_error *err);
/* `started` once qemu is ready, then `then` (libvirt runs it before announcing the start; a
 * failure is logged). `stopped` + `release` when qemu ended: fire and forget, failures logged. */
void qemu_dom_hooks_started(struct qemu_dom *dom, void (*then)(struct qemu_dom *dom));
void qemu_dom_hooks_stopped(struct qemu_dom *dom);
/* Runs ops of dom's hook script with its current XML (reattach: QEMU_HOOK_RECONNECT, where a
 * failure should end the domain, as libvirt's qemuProcessReconnect). As qemu_hooks_run. */
int qemu_dom_run_hooks(struct qemu_dom *dom, const enum qemu_hook_op *ops, size_t n_ops, qemu_hooks_done_fn done,
                       void *userdata, struct vb_error *err);

/* qemu_domain_reboot.c: after a Reboot, turns the guest's SHUTDOWN into system_reset + cont. */
void qemu_dom_fake_reboot(struct qemu_dom *dom);
/* The same with other process callbacks (restore: its own `ready`, the rest delegated). */
struct qemu_dom *qemu_dom_start_with(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                     struct qemu_process_options *options,
                                     const struct qemu_process_callbacks *callbacks, struct vb_error *err);

/* qemu_domain_save.c: Create of a domain with a managed save image (restores it; FORCE_BOOT
 * removes it and boots; the caller checked the flags). */
int qemu_managed_save_start(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                            unsigned int flags);

/* qemu_domain_net.c: after the start, the live definition names the taps qemu was given
 * (<target dev='vnet0'/>) and the ptys it opened (<source path='/dev/pts/N'/>, a console's
 * tty=); GetStats' net.* of a running domain. */
void qemu_dom_copy_runtime_names(struct qemu_dom *dom);
int qemu_stats_interfaces(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err);
