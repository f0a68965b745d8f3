/* The QEMU driver's lifecycle operations: create, destroy, shutdown, suspend, resume, reset, on
 * top of the process module (qemu_process.h) and the QMP event map (qemu_event_map.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/qemu/qemu_storage.h" /* qemu-storage */
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

/* --- process callbacks ---------------------------------------------------------------------- */

/* qemu runs with -no-shutdown: after the guest's power-off the driver ends it. */
static void quit_after_shutdown(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    dom->got_shutdown = true;
    if (qemu_process_quit(dom->proc, &err) < 0) {
        vb_log_warning("could not quit qemu of '%s': %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

/* A reattached qemu answered query-status: the saved state stands unless qemu says otherwise
 * (libvirt's qemuProcessUpdateState). No Started event: the domain never stopped. */
static void reattach_ready(struct qemu_dom *dom, bool running)
{
    struct vb_domain_obj *obj = dom->obj;

    dom->reattaching = false;
    if (running && obj->state != VB_DOMAIN_RUNNING)
        vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED);
    else if (!running && obj->state != VB_DOMAIN_PAUSED)
        vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_UNKNOWN);
    dom->running = running;
    qemu_dom_save_status(dom);
    if (qemu_process_guest_shut_down(dom->proc)) {
        quit_after_shutdown(dom);
        return;
    }
    qemu_hotplug_reconnect(dom);
    qemu_vcpus_recount(dom);
    qemu_dom_run_reconnect_hook(dom);
}

/* After the `started` hook, as libvirt: Started (and Suspended when paused), and Create returns.
 * qemu may have ended meanwhile: `exited` then ended the call and announced the stop. */
static void announce_start(struct qemu_dom *dom)
{
    if (!dom->proc || !dom->conn)
        return;
    qemu_emit(dom->conn, dom->obj, VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED);
    if (!dom->running)
        qemu_emit(dom->conn, dom->obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    qemu_dom_finish_call(dom, 0, NULL);
}

static void on_ready(struct qemu_process *proc, bool running, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_conn *conn = dom->conn;
    struct vb_domain_obj *obj = dom->obj;
    struct vb_error err = VB_ERROR_INIT;

    if (dom->reattaching) {
        reattach_ready(dom, running);
        return;
    }
    if (vb_domain_obj_mark_started(obj, conn->next_id, running ? VB_DOMAIN_RUNNING : VB_DOMAIN_PAUSED,
                                   running ? VB_RUNNING_BOOTED : VB_PAUSED_USER, &err) < 0 ||
        vb_domain_list_reindex_id(conn->domains, obj, -1) < 0) {
        if (!vb_error_is_set(&err))
            vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
        if (vb_domain_obj_is_active(obj))
            vb_domain_obj_mark_stopped(obj, VB_SHUTOFF_FAILED);
        dom->stop_requested = true;
        if (qemu_process_stop(proc, false, 0, NULL, NULL, NULL) < 0)
            vb_log_warning("could not stop qemu of '%s'", obj->def->name);
        qemu_dom_finish_call(dom, -1, &err);
        vb_error_clear(&err);
        return;
    }
    conn->next_id++;
    dom->running = running;
    qemu_dom_copy_runtime_names(dom);
    qemu_dom_save_status(dom);
    qemu_balloon_start(dom);
    qemu_dom_hooks_started(dom, announce_start);
}

/* A reattached qemu that would not answer was killed by the process module: shutoff/failed. */
static void reattach_failed(struct qemu_dom *dom)
{
    struct vb_domain_obj *obj = vb_domain_obj_ref(dom->obj);
    int old_id = obj->id;

    dom->reattaching = dom->running = false;
    qemu_dom_remove_status(dom);
    vb_domain_obj_mark_stopped(obj, VB_SHUTOFF_FAILED);
    if (vb_domain_list_reindex_id(dom->conn->domains, obj, old_id) < 0)
        vb_log_warning("could not reindex domain '%s'", obj->def->name);
    qemu_emit(dom->conn, obj, VB_EVENT_STOPPED, VB_EVENT_STOPPED_FAILED);
    if (!obj->persistent && !obj->removed) {
        qemu_snapshot_discard_all(dom->conn, obj); /* libvirt's qemuDomainRemoveInactive */
        vb_domain_list_remove(dom->conn->domains, obj);
    }
    vb_domain_obj_unref(obj);
}

static void on_failed(struct qemu_process *proc, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    qemu_process_free(proc);
    dom->proc = NULL;
    if (dom->reattaching) {
        vb_log_warning("qemu of domain '%s' does not answer: %s", dom->obj->def->name, vb_error_message(err));
        reattach_failed(dom);
        return;
    }
    qemu_dom_start_failed(dom, err);
}

static void on_event(struct qemu_process *proc, const struct qmp_event *event, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_domain_event out[QEMU_EVENT_MAP_MAX];
    size_t n;

    if (!vb_domain_obj_is_active(dom->obj))
        return; /* before ready (the start's own `cont`): the domain is not started yet */
    if (streq(event->name, "STOP") && dom->got_shutdown)
        return;
    n = qemu_event_map(event->name, event->data, dom->running, out);
    if (streq(event->name, "STOP") && dom->running) {
        dom->running = false;
        vb_domain_obj_set_state(dom->obj, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    } else if (streq(event->name, "RESUME") && !dom->running) {
        dom->running = true;
        vb_domain_obj_set_state(dom->obj, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED);
    }
    if (streq(event->name, "STOP") || streq(event->name, "RESUME"))
        qemu_dom_save_status(dom);
    if (streq(event->name, "BALLOON_CHANGE"))
        qemu_balloon_changed(dom, event->data);
    if (streq(event->name, "DEVICE_DELETED")) {
        /* as libvirt, DeviceRemoved only for a device the live definition had (not one found
         * gone at reattach and announced then, nor one a <qemu:commandline> added) */
        if (!qemu_hotplug_device_deleted(dom, json_object_get_string(json_object_object_get(event->data, "device"))))
            n = 0;
        qemu_vcpus_device_deleted(dom, event->data);
    }
    if (streq(event->name, "DEVICE_TRAY_MOVED"))
        qemu_hotplug_tray_moved(dom, event->data);
    if (streq(event->name, "JOB_STATUS_CHANGE"))
        qemu_snapshot_job_changed(dom, event->data);
    for (size_t i = 0; i < n; i++)
        qemu_dom_emit_mapped(dom, &out[i]);
    if (streq(event->name, "SHUTDOWN") && !dom->got_shutdown && !dom->stop_requested) {
        if (dom->fake_reboot) {
            dom->got_shutdown = true;
            qemu_dom_fake_reboot(dom);
        } else {
            quit_after_shutdown(dom);
        }
    }
}

/* libvirt's qemuProcessHandleMonitorEOF: destroy -> destroyed, SHUTDOWN seen -> shutdown, else crashed. */
static void on_exited(struct qemu_process *proc, const struct qemu_process_exit *exit, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct qemu_conn *conn = dom->conn;
    struct vb_domain_obj *obj = vb_domain_obj_ref(dom->obj);
    int reason = VB_SHUTOFF_CRASHED, detail = VB_EVENT_STOPPED_CRASHED;
    int old_id = obj->id;

    qemu_process_free(proc);
    dom->proc = NULL;
    qemu_dom_remove_status(dom);
    dom->reattaching = false;
    qemu_hotplug_process_gone(dom);
    qemu_vcpus_abandon(dom, true);
    if (vb_error_is_set(&dom->start_error)) {
        reason = VB_SHUTOFF_FAILED;
        detail = VB_EVENT_STOPPED_FAILED;
    } else if (dom->stop_requested) {
        reason = dom->stop_saved ? VB_SHUTOFF_SAVED : VB_SHUTOFF_DESTROYED;
        detail = dom->stop_saved ? VB_EVENT_STOPPED_SAVED : VB_EVENT_STOPPED_DESTROYED;
    } else if (exit->guest_shutdown) {
        reason = VB_SHUTOFF_SHUTDOWN;
        detail = VB_EVENT_STOPPED_SHUTDOWN;
    }
    if (qemu_snapshot_stopping(dom)) { /* a revert ended qemu */
        reason = VB_SHUTOFF_FROM_SNAPSHOT;
        detail = VB_EVENT_STOPPED_FROM_SNAPSHOT;
    }
    dom->running = dom->stop_requested = dom->got_shutdown = dom->fake_reboot = dom->stop_saved = false;
    qemu_dom_hooks_stopped(dom); /* with the live definition, before mark_stopped drops it */
    vb_domain_obj_mark_stopped(obj, reason);
    if (vb_domain_list_reindex_id(conn->domains, obj, old_id) < 0)
        vb_log_warning("could not reindex domain '%s'", obj->def->name);
    qemu_emit(conn, obj, VB_EVENT_STOPPED, detail);
    if (vb_error_is_set(&dom->start_error)) {
        qemu_dom_finish_call(dom, -1, &dom->start_error);
        vb_error_clear(&dom->start_error);
    } else {
        qemu_dom_finish_call(dom, 0, NULL);
    }
    /* A revert goes on (a transient domain stays for the qemu it starts), other snapshot work fails. */
    if (!qemu_snapshot_process_gone(dom) && !obj->persistent && !obj->removed) {
        qemu_snapshot_discard_all(conn, obj); /* libvirt's qemuDomainRemoveInactive */
        vb_domain_list_remove(conn->domains, obj);
    }
    vb_domain_obj_unref(obj);
}

const struct qemu_process_callbacks qemu_dom_process_callbacks = {
    .ready = on_ready, .failed = on_failed, .event = on_event, .exited = on_exited,
};

/* --- operations ----------------------------------------------------------------------------- */

static int make_dir(const char *path, mode_t mode, struct vb_error *err)
{
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return vb_error_set_errno(err, errno, "cannot create directory '%s'", path);
    return 0;
}

static int check_kvm(const struct vb_domain_def *def, struct vb_error *err)
{
    if (def->virt_type && streq(def->virt_type, "kvm") && !qemu_kvm_usable())
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "Domain requires KVM, but it is not available. Check that virtualization is "
                            "enabled in the host BIOS, and host configuration is setup to load the kvm modules.");
    return 0;
}

struct qemu_dom *qemu_dom_start(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                struct qemu_process_options *options, struct vb_error *err)
{
    return qemu_dom_start_with(conn, obj, options, &qemu_dom_process_callbacks, err);
}

struct qemu_dom *qemu_dom_start_with(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                     struct qemu_process_options *options,
                                     const struct qemu_process_callbacks *callbacks, struct vb_error *err)
{
    _cleanup_free_ char *log_dir = NULL;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL; /* qemu-storage */
    struct qemu_process_paths paths;
    struct qemu_dom *dom;

    if (vb_domain_obj_check_inactive(obj, err) < 0 || check_kvm(obj->def, err) < 0)
        return NULL;
    if (asprintf(&log_dir, "%s/log", conn->dirs.runtime) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    if (obj->driver_data && ((struct qemu_dom *) obj->driver_data)->proc) {
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is already being started");
        return NULL;
    }
    if (make_dir(conn->dirs.runtime, conn->dirs.privileged ? 0755 : 0700, err) < 0 ||
        make_dir(log_dir, conn->dirs.privileged ? 0755 : 0700, err) < 0 || !(dom = qemu_dom_get(conn, obj, err)))
        return NULL;
    if (qemu_hotplug_forget_nodes(obj->def, err) < 0) /* a restore starts from a live XML */
        return NULL;
    options->kvm_usable = qemu_kvm_usable();
    paths = (struct qemu_process_paths){ .run_dir = conn->dirs.runtime, .log_dir = log_dir };
    /* qemu-storage: qemu starts from a copy whose pool-volume disks name their files. */
    if (!(def = vb_domain_def_copy(obj->def, err)) || qemu_storage_resolve_disks(conn, def, err) < 0)
        return NULL;
    dom->proc = qemu_process_start(conn->loop, def, &paths, options, callbacks, dom, err);
    return dom->proc ? dom : NULL;
}

int qemu_create(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct qemu_process_options options = { .start_paused = flags & VB_START_PAUSED };

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_FORCE_BOOT, &call->err);
    if (vb_domain_obj_check_inactive(obj, &call->err) < 0 ||
        vb_registry_remember_autodestroy(obj, flags, call->client, &call->err) < 0)
        return -1;
    if (obj->has_managed_save) /* qemu_domain_save.c: restores it, or removes it for FORCE_BOOT */
        return qemu_managed_save_start(priv, call, obj, flags);
    return qemu_dom_start_call(priv, call, obj, &options);
}

static void on_stop_done(struct qemu_process *proc, int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    if (result == 0)
        return; /* `exited` follows and ends the call */
    dom->stop_requested = false;
    qemu_dom_finish_call(dom, -1, err);
}

int qemu_destroy(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom;

    VB_CHECK_FLAGS(flags, VB_DESTROY_GRACEFUL, err);
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    dom->stop_requested = true;
    if (qemu_process_stop(dom->proc, flags & VB_DESTROY_GRACEFUL, 0, on_stop_done, dom, err) < 0) {
        dom->stop_requested = false;
        return -1;
    }
    return qemu_dom_wait(dom, call);
}

/* libvirt's virDomainShutdownFlagValues share these bits; only ACPI is done (the default). */
#define SHUTDOWN_METHOD_FLAGS 0x1fu

/* ACPI power button; returns at once, as libvirt's (the guest may ignore it). */
int qemu_shutdown(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct qemu_dom *dom;

    VB_CHECK_FLAGS(flags, SHUTDOWN_METHOD_FLAGS, &call->err);
    if (!(dom = qemu_dom_running(obj, &call->err)))
        return -1;
    dom->fake_reboot = false; /* a power-off now really ends the guest, as libvirt's */
    return qemu_dom_send_powerdown(dom, &call->err);
}

int qemu_reset(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    return qemu_dom_command_call(call, obj, "system_reset");
}

int qemu_suspend(void *priv, struct vb_call *call, struct vb_domain_obj *obj)
{
    if (vb_domain_obj_check_active(obj, &call->err) < 0)
        return -1;
    if (obj->state == VB_DOMAIN_PAUSED)
        return 0; /* libvirt: nothing to do */
    return qemu_dom_command_call(call, obj, "stop");
}

int qemu_resume(void *priv, struct vb_call *call, struct vb_domain_obj *obj)
{
    if (vb_domain_obj_check_active(obj, &call->err) < 0)
        return -1;
    if (obj->state == VB_DOMAIN_RUNNING)
        return 0;
    return qemu_dom_command_call(call, obj, "cont");
}

/* Connection close (daemon shutdown): qemu keeps running, waiting calls end with an error. */
void qemu_domains_release(struct qemu_conn *conn)
{
    struct vb_error err = VB_ERROR_INIT;

    vb_error_set(&err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    while (conn->doms) {
        struct qemu_dom *dom = conn->doms;

        qemu_dom_unlink(dom);
        qemu_process_free(dom->proc);
        dom->proc = NULL;
        qemu_hooks_cancel(dom->hook_run);
        dom->hook_run = NULL;
        qemu_hotplug_release(dom);
        qemu_vcpus_abandon(dom, false);
        qemu_snapshot_abandon(dom);
        qemu_dom_finish_call(dom, -1, &err);
    }
    vb_error_clear(&err);
}
