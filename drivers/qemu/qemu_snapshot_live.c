/* Internal snapshots of a running QEMU domain. Create: the vCPUs stopped (libvirt's
 * qemuSnapshotCreateActiveInternal stops them itself around savevm), QMP job snapshot-save with
 * the disks' format nodes and the state on the first, watched through JOB_STATUS_CHANGE, then
 * query-jobs for its error, job-dismiss, and `cont`. Delete: snapshot-delete jobs (failures only
 * logged, as libvirt goes on). Revert: qemu_snapshot_start.c. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/driver_snapshot.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_snapshot_private.h"
#include "util/log.h"
#include "util/macros.h"

typedef void (*live_step_fn)(struct qemu_snapshot_op *op, int r, const struct vb_error *err);

struct qemu_snapshot_live {
    char job[64];             /* the QMP job under way, "" when none */
    live_step_fn job_done;    /* after the job concluded and was dismissed: r, and its error */
    struct vb_error job_err;
    bool resume;              /* create: the vCPUs were stopped for it */
    char **names;             /* delete: the snapshots whose state qemu drops, in turn */
    size_t n_names, next;
};

void qemu_snapshot_live_free(struct qemu_snapshot_live *live)
{
    if (!live)
        return;
    vb_error_clear(&live->job_err);
    vb_snapshot_names_free(live->names, live->n_names);
    free(live);
}

static struct qemu_snapshot_live *live_of(struct qemu_snapshot_op *op, struct vb_error *err)
{
    if (!op->live && !(op->live = calloc(1, sizeof(*op->live))))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return op->live;
}

/* --- QMP commands and jobs ------------------------------------------------------------------ */

struct pending_reply {
    struct qemu_snapshot_op *op;
    live_step_fn next;
};

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct pending_reply pending = *(struct pending_reply *) userdata;

    free(userdata);
    pending.next(pending.op, reply->result, &reply->err);
}

/* Sends command (args taken) to the domain's qemu; `next` gets qemu's answer. */
static int send(struct qemu_snapshot_op *op, const char *command, struct json_object *args, live_step_fn next,
                struct vb_error *err)
{
    struct pending_reply *pending = calloc(1, sizeof(*pending));

    if (!pending) {
        json_object_put(args);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *pending = (struct pending_reply){ op, next };
    if (!op->dom->proc) {
        free(pending);
        json_object_put(args);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "%s", "guest unexpectedly quit");
    }
    if (qemu_process_command(op->dom->proc, command, args, QEMU_COMMAND_TIMEOUT_USEC, on_reply, pending, err) < 0) {
        free(pending);
        return -1;
    }
    return 0;
}

/* Sends, or ends the operation with the error when it cannot be sent. */
static void send_or_end(struct qemu_snapshot_op *op, const char *command, struct json_object *args,
                        live_step_fn next)
{
    struct vb_error err = VB_ERROR_INIT;

    if (send(op, command, args, next, &err) < 0) {
        next(op, -1, &err);
        vb_error_clear(&err);
    }
}

static void job_dismissed(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct qemu_snapshot_live *live = op->live;
    bool failed = vb_error_is_set(&live->job_err);

    if (r < 0)
        vb_log_warning("job-dismiss %s: %s", live->job, vb_error_message(err));
    live->job[0] = '\0';
    live->job_done(op, failed ? -1 : 0, &live->job_err);
}

/* query-jobs after the job concluded: its "error", if any, is the operation's. */
static void job_queried(struct qemu_snapshot_op *op, int r, const struct vb_error *err, struct json_object *jobs)
{
    struct qemu_snapshot_live *live = op->live;
    struct json_object *id, *error, *args;

    if (r < 0)
        vb_error_set_literal(&live->job_err, err->code, "%s", vb_error_message(err));
    for (size_t i = 0; jobs && i < json_object_array_length(jobs); i++) {
        struct json_object *job = json_object_array_get_idx(jobs, i);

        if (json_object_object_get_ex(job, "id", &id) && streq_nullable(json_object_get_string(id), live->job) &&
            json_object_object_get_ex(job, "error", &error))
            vb_error_set(&live->job_err, VB_ERR_OPERATION_FAILED, "%s", json_object_get_string(error));
    }
    args = json_object_new_object();
    if (args)
        json_object_object_add(args, "id", json_object_new_string(live->job));
    send_or_end(op, "job-dismiss", args, job_dismissed);
}

static void on_jobs(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    job_queried(userdata, reply->result, &reply->err, reply->ret);
}

void qemu_snapshot_job_changed(struct qemu_dom *dom, struct json_object *data)
{
    struct qemu_snapshot_op *op = dom->snapshot_op;
    struct json_object *id, *status;
    struct vb_error err = VB_ERROR_INIT;

    if (!op || !op->live || !op->live->job[0] || !json_object_object_get_ex(data, "id", &id) ||
        !json_object_object_get_ex(data, "status", &status) ||
        !streq_nullable(json_object_get_string(id), op->live->job) ||
        !streq_nullable(json_object_get_string(status), "concluded"))
        return;
    if (qemu_process_command(dom->proc, "query-jobs", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_jobs, op, &err) < 0) {
        job_queried(op, -1, &err, NULL);
        vb_error_clear(&err);
    }
}

/* The job was accepted: JOB_STATUS_CHANGE "concluded" follows. */
static void job_started(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    if (r < 0) {
        op->live->job[0] = '\0';
        op->live->job_done(op, -1, err);
    }
}

/* Starts QMP job `command` (snapshot-save, snapshot-delete) for tag on devices (taken). */
static int start_job(struct qemu_snapshot_op *op, const char *command, const char *tag, struct json_object *devices,
                     live_step_fn done, struct vb_error *err)
{
    static unsigned int counter;
    struct qemu_snapshot_live *live = op->live;
    struct json_object *args = json_object_new_object();

    if (!args) {
        json_object_put(devices);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    snprintf(live->job, sizeof(live->job), "%s%u", command, ++counter);
    live->job_done = done;
    vb_error_clear(&live->job_err);
    json_object_object_add(args, "job-id", json_object_new_string(live->job));
    json_object_object_add(args, "tag", json_object_new_string(tag));
    if (streq(command, "snapshot-save"))
        json_object_object_add(args, "vmstate", json_object_get(json_object_array_get_idx(devices, 0)));
    json_object_object_add(args, "devices", devices);
    if (send(op, command, args, job_started, err) < 0) {
        live->job[0] = '\0';
        return -1;
    }
    return 0;
}

/* The format nodes (libvirt-N-format) of the live disks the snapshot takes in. */
static struct json_object *snapshot_devices(struct qemu_snapshot_op *op, const struct vb_snapshot_def *snap,
                                            struct vb_error *err)
{
    struct json_object *devices = json_object_new_array();

    for (size_t i = 0; devices && i < snap->n_disks; i++) {
        const struct vb_device_def *dev = vb_registry_find_disk(op->dom->obj->def, snap->disks[i].name);
        unsigned int node = dev ? qemu_hotplug_disk_node(op->dom, dev) : 0;
        char name[48];

        if (snap->disks[i].location != VB_SNAPSHOT_LOCATION_INTERNAL || (dev && !node))
            continue;
        if (!dev) {
            json_object_put(devices);
            vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "disk '%s' of snapshot '%s' is no longer in the domain",
                         snap->disks[i].name, snap->name);
            return NULL;
        }
        snprintf(name, sizeof(name), "libvirt-%u-format", node);
        json_object_array_add(devices, json_object_new_string(name));
    }
    if (!devices)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return devices;
}

/* --- create --------------------------------------------------------------------------------- */

static void create_finish(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    if (r < 0) {
        qemu_snapshot_op_end(op, -1, err);
        return;
    }
    qemu_snapshot_create_done(op);
}

static void resumed(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct qemu_snapshot_live *live = op->live;

    if (r < 0) {
        /* libvirt: Suspended/APIError and "resuming after snapshot failed" */
        qemu_emit(op->dom->conn, op->dom->obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_API_ERROR);
        if (!vb_error_is_set(&live->job_err))
            vb_error_set(&live->job_err, VB_ERR_OPERATION_FAILED, "%s", "resuming after snapshot failed");
    }
    create_finish(op, vb_error_is_set(&live->job_err) ? -1 : 0, &live->job_err);
}

static int halted(struct qemu_snapshot_op *op, struct vb_error *err)
{
    qemu_snapshot_op_end(op, 0, NULL);
    return 0;
}

/* HALT, as libvirt's: the snapshot recorded, qemu ended instead of resumed. */
static bool halt(struct qemu_snapshot_op *op, struct vb_error *err)
{
    if (qemu_snapshot_record(op, err) < 0)
        return false;
    if (qemu_snapshot_stop_qemu(op, halted, err) < 0) {
        vb_log_warning("could not halt domain '%s' after snapshot: %s", op->dom->obj->def->name,
                       vb_error_message(err));
        qemu_snapshot_op_end(op, 0, NULL);
    }
    return true;
}

static void state_saved(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct qemu_snapshot_live *live = op->live;

    if (r < 0 && err != &live->job_err) {
        vb_error_clear(&live->job_err);
        vb_error_set_literal(&live->job_err, err->code, "%s", vb_error_message(err));
    }
    if (r == 0 && (op->flags & VB_SNAPSHOT_CREATE_HALT)) {
        if (halt(op, &live->job_err))
            return;
        r = -1; /* not recorded: the guest resumes, the call fails */
    }
    if (live->resume && op->dom->proc) {
        send_or_end(op, "cont", NULL, resumed);
        return;
    }
    create_finish(op, r, &live->job_err);
}

static void save_now(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct json_object *devices = snapshot_devices(op, op->def, err);

    if (!devices || start_job(op, "snapshot-save", op->def->name, devices, state_saved, err) < 0)
        state_saved(op, -1, err);
}

static void stopped(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct vb_error why = VB_ERROR_INIT;

    if (r < 0) {
        op->live->resume = false;
        create_finish(op, -1, err);
        return;
    }
    /* The STOP event came before the reply: paused/save while the state is written. */
    if (op->dom->obj->state == VB_DOMAIN_PAUSED)
        vb_domain_obj_set_state(op->dom->obj, VB_DOMAIN_PAUSED, VB_PAUSED_SAVE);
    save_now(op, &why);
    vb_error_clear(&why);
}

int qemu_snapshot_live_create(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct qemu_snapshot_live *live;
    struct json_object *devices;

    if (!qemu_dom_running(op->dom->obj, err) || !(live = live_of(op, err)))
        return -1;
    /* Refused before anything changes: a disk qemu does not have. */
    if (!(devices = snapshot_devices(op, op->def, err)))
        return -1;
    json_object_put(devices);
    if (op->dom->obj->state == VB_DOMAIN_RUNNING) {
        live->resume = true;
        return send(op, "stop", NULL, stopped, err);
    }
    if (!(devices = snapshot_devices(op, op->def, err)))
        return -1;
    return start_job(op, "snapshot-save", op->def->name, devices, state_saved, err);
}

/* --- delete --------------------------------------------------------------------------------- */

static void delete_next(struct qemu_snapshot_op *op, int r, const struct vb_error *err)
{
    struct qemu_snapshot_live *live = op->live;
    struct vb_error why = VB_ERROR_INIT;

    if (r < 0) /* libvirt goes on: the metadata goes either way */
        vb_log_warning("deleting snapshot '%s' in qemu: %s", live->names[live->next - 1], vb_error_message(err));
    while (live->next < live->n_names) {
        const struct vb_snapshot_def *snap = vb_snapshot_tree_find(&op->dom->snapshots, live->names[live->next++]);
        struct json_object *devices = snap ? snapshot_devices(op, snap, &why) : NULL;

        if (devices && json_object_array_length(devices) == 0)
            json_object_put(devices);
        else if (devices && start_job(op, "snapshot-delete", snap->name, devices, delete_next, &why) == 0)
            return;
        if (vb_error_is_set(&why))
            vb_log_warning("deleting snapshot '%s' in qemu: %s", snap ? snap->name : "?", vb_error_message(&why));
        vb_error_clear(&why);
    }
    qemu_snapshot_delete_metadata(op);
}

int qemu_snapshot_live_delete(struct qemu_snapshot_op *op, struct vb_error *err)
{
    struct qemu_snapshot_live *live;
    bool children = op->flags & (VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_CHILDREN_ONLY);
    char **names = NULL;
    size_t n = 0;

    if (!qemu_dom_running(op->dom->obj, err) || !(live = live_of(op, err)))
        return -1;
    if (children && vb_snapshot_tree_names(&op->dom->snapshots, op->snap, true, 0, &names, &n, err) < 0)
        return -1;
    if (!(op->flags & VB_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        char **grown = realloc(names, (n + 2) * sizeof(*grown));

        if (!grown || !(grown[n] = strdup(op->snap->name))) {
            vb_snapshot_names_free(grown ? grown : names, n);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
        names = grown;
        names[++n] = NULL;
    }
    live->names = names;
    live->n_names = n;
    delete_next(op, 0, NULL);
    return 0;
}

int qemu_snapshot_live_start(struct qemu_snapshot_op *op, struct vb_call *call,
                             int (*live)(struct qemu_snapshot_op *op, struct vb_error *err))
{
    qemu_snapshot_op_wait(op, call);
    if (live(op, &call->err) < 0)
        qemu_snapshot_op_end(op, -1, &call->err);
    return VB_PENDING;
}
