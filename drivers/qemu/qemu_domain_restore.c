/* The QEMU driver's Restore and the start of a domain from its managed save image (libvirt's
 * qemuSaveImageStartVM): the image is opened and its header checked, qemu starts with
 * `-incoming defer`, gets the descriptor (`getfd`, at the stream's start) and `migrate-incoming`
 * reads from `fd:`, then `cont` unless the image or the flags say paused: running/restored,
 * Started/Restored (Suspended/Paused or /Restored when paused). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_save_private.h"
#include "drivers/qemu/qemu_save_image.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

/* Puts back what restore changed on obj (not after the connection closed: its list is gone). */
static void undo_live_domain(struct qemu_conn *conn, struct vb_domain_obj *obj)
{
    if (conn)
        vb_registry_drop_live(conn->domains, obj);
}

/* qemu is gone (reaped, files removed): undo, end the call with err (or the error recorded). */
static void restore_end_failed(struct qemu_save_op *op, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;

    undo_live_domain(dom->conn, dom->obj);
    qemu_save_op_finish(op, -1, vb_error_is_set(&op->call->err) ? NULL : err);
}

/* A step failed: the first error is kept, qemu is killed (unless it is ending already) and
 * `exited`, which always follows while dom->proc is set, ends the call. */
static void restore_failed(struct qemu_save_op *op, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;

    if (!vb_error_is_set(&op->call->err))
        vb_error_set_literal(&op->call->err, err->code, "%s", vb_error_message(err));
    op->polling = false;
    if (dom->proc && dom->conn) {
        if (!op->stopping && qemu_process_stop(dom->proc, false, 0, NULL, NULL, NULL) < 0)
            vb_log_debug("qemu of '%s' is ending already", dom->obj->def->name);
        op->stopping = true;
        return;
    }
    restore_end_failed(op, NULL);
}

/* The guest's state is loaded (and it runs unless paused): the domain is started. */
static void restore_done(struct qemu_save_op *op)
{
    struct qemu_dom *dom = op->dom;
    struct qemu_conn *conn = dom->conn;
    struct vb_domain_obj *obj = dom->obj;
    bool paused = op->start_paused || op->image_paused;
    struct vb_error err = VB_ERROR_INIT;

    if (vb_domain_obj_mark_started(obj, conn->next_id, paused ? VB_DOMAIN_PAUSED : VB_DOMAIN_RUNNING,
                                   paused ? VB_PAUSED_USER : VB_RUNNING_RESTORED, &err) < 0 ||
        vb_domain_list_reindex_id(conn->domains, obj, -1) < 0) {
        if (!vb_error_is_set(&err))
            vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
        if (vb_domain_obj_is_active(obj))
            vb_domain_obj_mark_stopped(obj, VB_SHUTOFF_FAILED);
        restore_failed(op, &err);
        vb_error_clear(&err);
        return;
    }
    conn->next_id++;
    dom->running = !paused;
    qemu_dom_copy_runtime_names(dom);
    if (op->managed_start) { /* libvirt removes the image once the domain runs from it */
        if (unlink(op->path) < 0 && errno != ENOENT)
            vb_log_warning("Failed to remove the managed state %s: %s", op->path, strerror(errno));
        obj->has_managed_save = false;
    }
    qemu_emit(conn, obj, VB_EVENT_STARTED, VB_EVENT_STARTED_RESTORED);
    if (paused)
        qemu_emit(conn, obj, VB_EVENT_SUSPENDED,
                  op->start_paused ? VB_EVENT_SUSPENDED_PAUSED : VB_EVENT_SUSPENDED_RESTORED);
    qemu_save_op_finish(op, 0, NULL);
}

static void stream_loaded(struct qemu_save_op *op)
{
    if (op->start_paused || op->image_paused)
        restore_done(op);
    else
        qemu_save_op_send(op, "cont", NULL, restore_done);
}

/* --- process callbacks: `ready` starts the incoming migration, the others are the domain's
 * own once the restore is over ---------------------------------------------------------------- */

static void on_ready(struct qemu_process *proc, bool running, void *userdata)
{
    struct qemu_dom *dom = userdata;

    qemu_save_op_stream(dom->save_op, "migrate-incoming", stream_loaded);
}

/* qemu died before its monitor came up (a bad definition, a missing file). */
static void on_failed(struct qemu_process *proc, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    qemu_process_free(proc);
    dom->proc = NULL;
    restore_end_failed(dom->save_op, err);
}

/* During the restore qemu ends when it cannot load the stream (qemu exits on a failed incoming
 * migration) or when a failed step stopped it: the error says what failed and qemu's last words
 * in its log. Afterwards, the domain's usual handling. */
static void on_exited(struct qemu_process *proc, const struct qemu_process_exit *exit, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_save_op *op = dom->save_op;
    _cleanup_free_ char *line = NULL, *cause = NULL;
    struct vb_error err = VB_ERROR_INIT;

    if (!op || vb_domain_obj_is_active(dom->obj)) {
        qemu_dom_process_callbacks.exited(proc, exit, userdata);
        return;
    }
    line = qemu_process_log_last_words(proc);
    cause = strdup(vb_error_is_set(&op->call->err) ? vb_error_message(&op->call->err) : "qemu exited");
    qemu_process_free(proc);
    dom->proc = NULL;
    vb_error_clear(&op->call->err);
    vb_error_set(&err, VB_ERR_OPERATION_FAILED, "cannot restore domain '%s' from '%s': %s%s%s", dom->obj->def->name,
                 op->path, cause ? cause : "qemu exited", line && *line ? "; qemu said: " : "", line ? line : "");
    restore_end_failed(op, &err);
    vb_error_clear(&err);
}

static void on_event(struct qemu_process *proc, const struct qmp_event *event, void *userdata)
{
    qemu_dom_process_callbacks.event(proc, event, userdata);
}

static const struct qemu_process_callbacks restore_callbacks = {
    .ready = on_ready, .failed = on_failed, .event = on_event, .exited = on_exited,
};

/* What a restore loads and how the domain ends up. */
struct restore_request {
    const char *path;
    int *image_fd;      /* open at the stream's start; taken on success */
    bool image_paused;  /* the image (or SAVE_RUNNING / SAVE_PAUSED) says paused */
    bool start_paused;  /* SAVE_PAUSED or START_PAUSED: Suspended/Paused rather than /Restored */
    bool managed_start; /* Create from the managed save image: removed once started */
};

/* Starts obj's qemu (obj->def, the image's definition, is what runs) to load the image. The
 * caller holds obj's job; on failure it undoes its change to obj. */
static int restore_start(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                         const struct restore_request *req)
{
    struct qemu_process_options options = { .start_paused = true, .incoming_defer = true };
    struct qemu_save_op *op;
    struct qemu_dom *dom = qemu_dom_get(conn, obj, &call->err);

    if (!dom || !(op = qemu_save_op_new(dom, call, req->path, "start", restore_failed)))
        return -1;
    op->restore = true; /* libvirt restores under its VM start job, and names it so in errors */
    op->image_paused = req->image_paused;
    op->start_paused = req->start_paused;
    op->managed_start = req->managed_start;
    if (!qemu_dom_start_with(conn, obj, &options, &restore_callbacks, &call->err)) {
        qemu_save_op_free(op);
        return -1;
    }
    op->image_fd = TAKE_FD(*req->image_fd);
    return VB_PENDING;
}

/* The image's definition, or dxml in its place (the same domain only). */
static struct vb_domain_def *restore_def(const char *image_xml, const char *dxml, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *image = vb_domain_def_parse_string(image_xml, err);
    struct vb_domain_def *def;

    if (!image || !dxml)
        return TAKE_PTR(image);
    def = vb_domain_def_parse_string(dxml, err);
    if (def && (memcmp(def->uuid, image->uuid, VB_UUID_LEN) != 0 || !streq(def->name, image->name))) {
        vb_domain_def_free(def);
        vb_error_set(err, VB_ERR_INVALID_ARG, "the XML given for the save image describes another domain");
        return NULL;
    }
    return def;
}

/* The domain def (taken) restores into, held for call: the defined one of that UUID (its job
 * must be free) or a new transient one (vb_registry_add_live). */
static struct vb_domain_obj *restore_target(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_def *def)
{
    struct vb_domain_obj *existing = vb_domain_list_find_by_uuid(conn->domains, def->uuid);
    struct vb_domain_obj *obj;

    if (existing && vb_call_hold(call, existing, VB_JOB_MODIFY) < 0) {
        vb_domain_def_free(def);
        return NULL;
    }
    obj = vb_registry_add_live(conn->domains, def, &call->err);
    if (obj && !existing && vb_call_hold(call, obj, VB_JOB_MODIFY) < 0) { /* a new domain's job is free */
        vb_registry_drop_live(conn->domains, obj);
        return NULL;
    }
    return obj;
}

int qemu_restore(void *priv, struct vb_call *call, const char *path, const char *dxml, unsigned int flags)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    _cleanup_free_ char *xml = NULL;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj;
    _cleanup_close_ int fd = -1;
    bool was_running;
    int r;

    if (qemu_save_check_flags(flags, err) < 0)
        return -1;
    if (path[0] != '/')
        return vb_error_set(err, VB_ERR_INVALID_ARG, "path '%s' must be absolute", path);
    if ((fd = qemu_save_image_open(path, &xml, &was_running, err)) < 0 ||
        !(def = restore_def(xml, dxml && *dxml ? dxml : NULL, err)) ||
        !(obj = restore_target(conn, call, def)))
        return -1;
    if (flags & (VB_SAVE_RUNNING | VB_SAVE_PAUSED))
        was_running = flags & VB_SAVE_RUNNING;
    r = restore_start(conn, call, obj, &(struct restore_request){ .path = path, .image_fd = &fd,
                      .image_paused = !was_running, .start_paused = flags & VB_SAVE_PAUSED});
    if (r < 0)
        undo_live_domain(conn, obj);
    return r;
}

int qemu_managed_save_start(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                            unsigned int flags)
{
    struct qemu_process_options options = { .start_paused = flags & VB_START_PAUSED };
    struct vb_error *err = &call->err;
    _cleanup_free_ char *path = qemu_managed_save_path(conn, obj->def->name), *xml = NULL;
    struct vb_domain_def *def;
    _cleanup_close_ int fd = -1;
    bool was_running;

    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (vb_domain_obj_check_inactive(obj, err) < 0)
        return -1;
    if (flags & VB_START_FORCE_BOOT) { /* libvirt: the image goes, the guest boots afresh */
        struct qemu_dom *dom;

        if (unlink(path) < 0 && errno != ENOENT)
            return vb_error_set_errno(err, errno, "cannot remove managed save file %s", path);
        obj->has_managed_save = false;
        if (!(dom = qemu_dom_start(conn, obj, &options, err)))
            return -1;
        return qemu_dom_wait(dom, call);
    }
    if ((fd = qemu_save_image_open(path, &xml, &was_running, err)) < 0 || !(def = restore_def(xml, NULL, err)))
        return -1;
    if (memcmp(def->uuid, obj->def->uuid, VB_UUID_LEN) != 0 || !streq(def->name, obj->def->name)) {
        vb_domain_def_free(def);
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "managed save image '%s' belongs to another domain",
                            path);
    }
    vb_domain_def_free(obj->next_def);
    obj->next_def = obj->def; /* the persistent definition, back at the next stop */
    obj->def = def;
    if (restore_start(conn, call, obj, &(struct restore_request){ .path = path, .image_fd = &fd,
                      .image_paused = !was_running, .start_paused = flags & VB_START_PAUSED, .managed_start = true }) < 0) {
        undo_live_domain(conn, obj);
        return -1;
    }
    return VB_PENDING;
}
