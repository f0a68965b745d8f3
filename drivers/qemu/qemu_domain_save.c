/* The QEMU driver's Save and ManagedSave (libvirt's qemuDomainSaveInternal): pause the guest,
 * write the image header (qemu_save_image.h), hand qemu the open image (`getfd`) for its
 * `migrate` to `fd:` to append its state, then end qemu: shutoff/saved, Stopped/Saved. Nothing
 * blocks the loop: the steps and the migration are watched from it (qemu_save_op.c). Also
 * ManagedSaveRemove. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/qemu/qemu_domain_save_private.h"
#include "drivers/qemu/qemu_save_image.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

/* Effectively unlimited (bytes per second): qemu 7.2's default of 32 MiB/s would slow a save
 * down, and libvirt lifts it the same way for saves. */
#define SAVE_MAX_BANDWIDTH (1ull << 40)

char *qemu_managed_save_path(const struct qemu_conn *conn, const char *name)
{
    char *path;

    return asprintf(&path, "%s/save/%s.save", conn->dirs.state, name) < 0 ? NULL : path;
}

int qemu_save_check_flags(unsigned int flags, struct vb_error *err)
{
    VB_CHECK_FLAGS(flags, VB_SAVE_BYPASS_CACHE | VB_SAVE_RUNNING | VB_SAVE_PAUSED, err);
    if ((flags & VB_SAVE_RUNNING) && (flags & VB_SAVE_PAUSED))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "flags 'running' and 'paused' are mutually exclusive");
    return 0;
}

/* The XML the image keeps: dxml (same domain only) or the running definition. */
static char *image_xml(const struct vb_domain_obj *obj, const char *dxml, struct vb_error *err)
{
    const unsigned int format = VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;

    if (!dxml)
        return vb_domain_def_format(obj->def, format, err);
    def = vb_domain_def_parse_string(dxml, err);
    if (!def)
        return NULL;
    if (memcmp(def->uuid, obj->def->uuid, VB_UUID_LEN) != 0 || !streq(def->name, obj->def->name)) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "the XML given for the save image describes another domain");
        return NULL;
    }
    return vb_domain_def_format(def, format, err);
}

/* The guest runs again (qemu sent RESUME before this reply): running/save_canceled, libvirt's
 * reason after a failed save. The reply finds the operation through dom: were the process
 * freed, its callbacks would be dropped. */
static void on_resumed(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_save_op *op = dom->save_op;

    if (reply->result < 0)
        vb_log_warning("could not resume '%s' after a failed save: %s", dom->obj->def->name,
                       vb_error_message(&reply->err));
    else if (dom->running && dom->obj->state == VB_DOMAIN_RUNNING)
        vb_domain_obj_set_state(dom->obj, VB_DOMAIN_RUNNING, VB_RUNNING_SAVE_CANCELED);
    if (op && op->resuming)
        qemu_save_op_finish(op, -1, NULL);
}

/* libvirt's qemuSaveInternal cleanup: the migration is cancelled, the image goes, and the guest
 * runs again if it ran (the call ends once it does). The first error is the call's. */
static void save_failed(struct qemu_save_op *op, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;

    if (!vb_error_is_set(&op->call->err))
        vb_error_set_literal(&op->call->err, err->code, "%s", vb_error_message(err));
    if (op->resuming) { /* qemu or the connection went while resuming */
        qemu_save_op_finish(op, -1, NULL);
        return;
    }
    qemu_save_op_abandon_stream(op);
    if (unlink(op->path) < 0 && errno != ENOENT)
        vb_log_warning("cannot remove save image '%s': %s", op->path, strerror(errno));
    op->polling = false;
    if (dom->proc && dom->conn && op->paused_by_us) {
        if (qemu_process_command(dom->proc, "cont", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_resumed, dom, NULL) == 0) {
            op->resuming = op->in_flight = true;
            return;
        }
        vb_log_warning("could not resume '%s' after a failed save", dom->obj->def->name);
    }
    qemu_save_op_finish(op, -1, NULL);
}

static void on_stop_done(struct qemu_process *proc, int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    if (result == 0)
        return; /* `exited` follows: shutoff/saved, Stopped/Saved, and it ends the call */
    dom->stop_requested = dom->stop_saved = false;
    qemu_dom_finish_call(dom, -1, err);
}

/* The state is in the file: qemu ends (SIGTERM), `exited` reports shutoff/saved. */
static void save_completed(struct qemu_save_op *op)
{
    struct qemu_dom *dom = op->dom;
    struct vb_call *call = op->call;
    bool managed = op->managed;
    struct vb_error err = VB_ERROR_INIT;

    qemu_job_record_completed(dom, op);
    qemu_save_op_free(op);
    dom->stop_requested = dom->stop_saved = true;
    if (managed)
        dom->obj->has_managed_save = true;
    if (qemu_process_stop(dom->proc, false, 0, on_stop_done, dom, &err) < 0) {
        dom->stop_requested = dom->stop_saved = false;
        vb_error_set_literal(&call->err, err.code, "%s", vb_error_message(&err));
        vb_error_clear(&err);
        vb_call_complete(call, -1);
        return;
    }
    qemu_dom_wait(dom, call);
}

static void fail_no_memory(struct qemu_save_op *op, struct json_object *args)
{
    struct vb_error err = VB_ERROR_INIT;

    json_object_put(args);
    vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
    op->fail(op, &err);
    vb_error_clear(&err);
}

static void migrate(struct qemu_save_op *op)
{
    qemu_save_op_stream(op, "migrate", save_completed);
}

static void lift_bandwidth(struct qemu_save_op *op)
{
    struct json_object *args = json_object_new_object();

    if (!args || json_object_object_add(args, "max-bandwidth", json_object_new_int64(SAVE_MAX_BANDWIDTH)) < 0) {
        fail_no_memory(op, args);
        return;
    }
    qemu_save_op_send(op, "migrate-set-parameters", args, migrate);
}

/* The vCPUs stopped: paused/save while the state is written (libvirt's VIR_DOMAIN_PAUSED_SAVE). */
static void after_pause(struct qemu_save_op *op)
{
    op->paused_by_us = true;
    vb_domain_obj_set_state(op->dom->obj, VB_DOMAIN_PAUSED, VB_PAUSED_SAVE);
    lift_bandwidth(op);
}

/* A device hot-plugged into the running guest sits where qemu put it. The live XML records that
 * (qemu_hotplug.c) when it is a slot of the root PCI bus; otherwise (no <address>) a restore
 * would build another machine and qemu would refuse the state. Refused before anything is
 * written or paused, so the guest keeps running. */
static int check_restorable(const struct vb_domain_obj *obj, struct vb_error *err)
{
    for (size_t i = 0; i < obj->def->n_devices; i++) {
        const struct vb_device_def *dev = obj->def->devices[i];

        if (dev->xml_text && strstr(dev->xml_text, "<alias ") && !strstr(dev->xml_text, "<address "))
            return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED,
                                "cannot save domain '%s': a device was hot-plugged into it (%s) where a "
                                "restore cannot place it again; detach it first",
                                obj->def->name, dev->target_dev ? dev->target_dev : dev->mac ? dev->mac : dev->element);
    }
    return 0;
}

static int save_begin(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj, const char *path,
                      const char *dxml, unsigned int flags, bool managed)
{
    struct vb_error *err = &call->err;
    _cleanup_free_ char *xml = NULL;
    struct qemu_save_op *op;
    struct qemu_dom *dom;
    bool running;
    int fd;

    if (qemu_save_check_flags(flags, err) < 0 || !(dom = qemu_dom_running(obj, err)) ||
        check_restorable(obj, err) < 0)
        return -1;
    running = flags & VB_SAVE_RUNNING ? true : flags & VB_SAVE_PAUSED ? false : obj->state == VB_DOMAIN_RUNNING;
    if (!(xml = image_xml(obj, dxml, err)) || (fd = qemu_save_image_create(path, xml, running, err)) < 0)
        return -1;
    if (!(op = qemu_save_op_new(dom, call, path, "domain save", save_failed))) {
        close(fd);
        unlink(path);
        return -1;
    }
    op->image_fd = fd;
    op->stall_usec = qemu_save_migrate_timeout_usec();
    op->managed = managed;
    if (dom->running)
        qemu_save_op_send(op, "stop", NULL, after_pause);
    else
        lift_bandwidth(op);
    return VB_PENDING;
}

static int check_absolute(const char *path, struct vb_error *err)
{
    if (!path || path[0] != '/')
        return vb_error_set(err, VB_ERR_INVALID_ARG, "path '%s' must be absolute", path ? path : "");
    return 0;
}

int qemu_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *path, const char *dxml,
              unsigned int flags)
{
    if (check_absolute(path, &call->err) < 0)
        return -1;
    return save_begin(priv, call, obj, path, dxml && *dxml ? dxml : NULL, flags, false);
}

int qemu_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct qemu_conn *conn = priv;
    _cleanup_free_ char *dir = NULL, *path = NULL;

    if (qemu_save_check_flags(flags, &call->err) < 0 || vb_domain_obj_check_active(obj, &call->err) < 0)
        return -1;
    if (!obj->persistent)
        return vb_error_set(&call->err, VB_ERR_OPERATION_INVALID, "cannot do managed save for transient domain");
    if (asprintf(&dir, "%s/save", conn->dirs.state) < 0 || !(path = qemu_managed_save_path(conn, obj->def->name)))
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    if (mkdir(dir, conn->dirs.privileged ? 0755 : 0700) < 0 && errno != EEXIST)
        return vb_error_set_errno(&call->err, errno, "cannot create directory '%s'", dir);
    return save_begin(conn, call, obj, path, NULL, flags, true);
}

int qemu_managed_save_remove(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    _cleanup_free_ char *path = NULL;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (!obj->has_managed_save)
        return 0;
    if (!(path = qemu_managed_save_path(priv, obj->def->name)))
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    if (unlink(path) < 0 && errno != ENOENT)
        return vb_error_set_errno(&call->err, errno, "Failed to remove managed save file '%s'", path);
    obj->has_managed_save = false;
    if (obj->state == VB_DOMAIN_SHUTOFF && obj->reason == VB_SHUTOFF_SAVED)
        vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_UNKNOWN);
    return 0;
}

/* The definition an image holds (path absolute). */
static struct vb_domain_def *image_def(const char *path, bool *was_running, struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;

    if (check_absolute(path, err) < 0 || !(xml = qemu_save_image_read(path, was_running, err)))
        return NULL;
    return vb_domain_def_parse_string(xml, err);
}

int qemu_save_image_get_xml_desc(void *priv, struct vb_call *call, const char *path, unsigned int flags, char **xml)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    bool was_running;

    VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE, &call->err);
    if (!(def = image_def(path, &was_running, &call->err)))
        return -1;
    *xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | (flags & VB_DOMAIN_XML_SECURE), &call->err);
    return *xml ? 0 : -1;
}

int qemu_save_image_define_xml(void *priv, struct vb_call *call, const char *path, const char *dxml,
                               unsigned int flags)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *old = NULL, *def = NULL;
    _cleanup_free_ char *xml = NULL;
    struct vb_error *err = &call->err;
    bool was_running;

    if (qemu_save_check_flags(flags, err) < 0 || !(old = image_def(path, &was_running, err)) ||
        !(def = vb_domain_def_parse_string(dxml, err)))
        return -1;
    if (memcmp(def->uuid, old->uuid, VB_UUID_LEN) != 0 || !streq(def->name, old->name))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "the XML given for the save image describes another domain");
    if (flags & (VB_SAVE_RUNNING | VB_SAVE_PAUSED))
        was_running = flags & VB_SAVE_RUNNING;
    if (!(xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE, err)))
        return -1;
    return qemu_save_image_update(path, xml, was_running, err);
}
