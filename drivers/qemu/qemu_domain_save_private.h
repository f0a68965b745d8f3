/* What the save (qemu_domain_save.c) and restore (qemu_domain_restore.c) files share: one
 * operation that drives qemu through a few QMP steps and watches the migration. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qemu_domain_private.h"

/* How often query-migrate is asked while the stream flows, and how often the operation checks
 * that its qemu still lives (a reply never comes once the process is gone). */
#define QEMU_SAVE_POLL_USEC (20u * 1000u)
/* How long, once the monitor closed, the operation waits to see qemu's exit before failing. */
#define QEMU_SAVE_EXIT_WAIT_USEC (10ull * 1000u * 1000u)
/* The name the image's descriptor goes by in qemu between `getfd` and the migration command. */
#define QEMU_SAVE_FDNAME "virtbus-save-image"
/* A save whose stream makes no progress this long is cancelled (milliseconds; the default is 5
 * minutes: a slow disk is not a stall). */
#define QEMU_MIGRATE_TIMEOUT_ENV "VIRTBUS_QEMU_MIGRATE_TIMEOUT_MS"
#define QEMU_MIGRATE_TIMEOUT_USEC (300ull * 1000u * 1000u)

struct qemu_save_op;
/* The step after the current command (or poll) succeeded. */
typedef void (*qemu_save_step_fn)(struct qemu_save_op *op);
/* The operation failed with err (qemu still there or gone): undo and end the call. */
typedef void (*qemu_save_fail_fn)(struct qemu_save_op *op, const struct vb_error *err);

struct qemu_save_op {
    struct qemu_dom *dom;
    struct vb_call *call;    /* kept here, not in dom->call, so a qemu exit does not end it as a success */
    char *path;
    const char *job;         /* "domain save", "start" (libvirt's qemuMigrationJobName, for its errors) */
    bool restore;            /* AbortJob refuses it, as libvirt refuses to abort a VM start */
    uint64_t started_usec;   /* CLOCK_MONOTONIC, for GetJobInfo's time elapsed */
    struct qemu_migration_stats stats; /* the last query-migrate's */
    bool abort_requested;    /* AbortJob: the stream is cancelled, the job fails as "canceled by client" */
    sd_event_source *watch;  /* periodic: poll the migration, notice a vanished qemu */
    bool in_flight;          /* a command of ours awaits its reply */
    bool polling;            /* the migration runs: poll query-migrate */
    qemu_save_step_fn next;  /* what follows the reply or the completed migration */
    qemu_save_fail_fn fail;
    int image_fd;            /* the image, at the stream's start, until handed to qemu; -1 after */
    const char *stream_command; /* "migrate" or "migrate-incoming" */
    qemu_save_step_fn after_stream;
    bool fd_in_qemu;         /* qemu holds the image as QEMU_SAVE_FDNAME, not yet taken by a migration */
    bool migrating;          /* the migration command was accepted */
    uint64_t stall_usec;     /* fail when the stream makes no progress this long; 0: never */
    uint64_t progress_bytes, progress_at; /* the last `transferred` seen to change, and when */
    uint64_t monitor_lost_at; /* when the monitor was found closed, qemu's exit not seen yet; 0 */
    /* save */
    bool managed, was_running, paused_by_us, resuming;
    /* restore */
    bool start_paused, image_paused, managed_start, stopping;
};

/* qemu_domain_save.c: libvirt's flag checks for save and restore (RUNNING and PAUSED exclusive). */
int qemu_save_check_flags(unsigned int flags, struct vb_error *err);

/* A new operation on dom for call (dom->save_op set, the watch armed); NULL with call->err. */
struct qemu_save_op *qemu_save_op_new(struct qemu_dom *dom, struct vb_call *call, const char *path, const char *job,
                                      qemu_save_fail_fn fail);
/* Forgets op (dom->save_op cleared, watch gone); the call is the caller's to end. */
void qemu_save_op_free(struct qemu_save_op *op);
/* Sends command (arguments taken) to dom's qemu; on success `next` runs, else op->fail. */
void qemu_save_op_send(struct qemu_save_op *op, const char *command, struct json_object *arguments,
                       qemu_save_step_fn next);
/* Hands op->image_fd to qemu (`getfd`, closing ours), runs `command` ("migrate" or
 * "migrate-incoming") on `fd:` QEMU_SAVE_FDNAME, then polls query-migrate until "completed"
 * (then `next`) or "failed"/"cancelled", or no progress for op->stall_usec (op->fail). */
void qemu_save_op_stream(struct qemu_save_op *op, const char *command, qemu_save_step_fn next);
/* After a failed save, with qemu still there: cancels a migration under way and makes qemu
 * close a descriptor it holds but did not use (replies ignored). */
void qemu_save_op_abandon_stream(struct qemu_save_op *op);
/* AbortJob on a save: cancels the migration now, or as soon as it starts; the save then fails
 * with libvirt's "job 'domain save' canceled by client". done (may be NULL) gets the reply. */
int qemu_save_op_abort(struct qemu_save_op *op, qmp_reply_fn done, void *userdata, struct vb_error *err);
/* qemu_domain_job.c: keeps op's statistics as the domain's last completed job (GetJobStats). */
void qemu_job_record_completed(struct qemu_dom *dom, const struct qemu_save_op *op);
/* Ends op's call with r (err when r < 0) and frees op. */
void qemu_save_op_finish(struct qemu_save_op *op, int r, const struct vb_error *err);
/* VIRTBUS_QEMU_MIGRATE_TIMEOUT_MS, or the default when unset or not a positive number. */
uint64_t qemu_save_migrate_timeout_usec(void);
