/* libvirt's qemu hook script around a domain's life: prepare and start before qemu is launched
 * (a failure aborts the start), started once it runs, stopped and release after it ended. */
#include <stdlib.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "util/log.h"
#include "util/macros.h"

int qemu_dom_run_hooks(struct qemu_dom *dom, const enum qemu_hook_op *ops, size_t n_ops, qemu_hooks_done_fn done,
                       void *userdata, struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;

    if (!dom->conn || !dom->conn->hooks)
        return QEMU_HOOKS_NONE;
    xml = vb_domain_def_format(dom->obj->def, 0, err);
    if (!xml)
        return -1;
    return qemu_hooks_run(dom->conn->hooks, dom->obj->def->name, ops, n_ops, xml, done, userdata,
                          done ? &dom->hook_run : NULL, err);
}

static void run_logged(struct qemu_dom *dom, const enum qemu_hook_op *ops, size_t n_ops)
{
    struct vb_error err = VB_ERROR_INIT;

    if (qemu_dom_run_hooks(dom, ops, n_ops, NULL, NULL, &err) < 0) {
        vb_log_warning("hook script for '%s': %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

static void on_started_hook_done(int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;
    void (*then)(struct qemu_dom *dom) = dom->after_started;

    dom->hook_run = NULL;
    dom->after_started = NULL;
    if (result >= 0 || !dom->proc) {
        then(dom);
        return;
    }
    /* libvirt's qemuProcessStart: a failing `started` hook stops the domain, shutoff/failed, and
     * the start fails with the hook's words once qemu has gone (on_exited). */
    vb_error_set_literal(&dom->start_error, err->code, "%s", vb_error_message(err));
    dom->stop_requested = true;
    if (qemu_process_stop(dom->proc, false, 0, NULL, NULL, NULL) < 0) {
        dom->stop_requested = false;
        vb_error_clear(&dom->start_error);
        vb_log_warning("hook script for '%s': %s; and qemu could not be stopped", dom->obj->def->name,
                       vb_error_message(err));
        then(dom);
    }
}

void qemu_dom_hooks_started(struct qemu_dom *dom, void (*then)(struct qemu_dom *dom))
{
    static const enum qemu_hook_op ops[] = { QEMU_HOOK_STARTED };
    struct vb_error err = VB_ERROR_INIT;
    int r;

    dom->after_started = then;
    r = qemu_dom_run_hooks(dom, ops, ARRAY_SIZE(ops), on_started_hook_done, dom, &err);
    if (r == 0)
        return; /* on_started_hook_done goes on */
    if (r < 0) {
        vb_log_warning("hook script for '%s': %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
    dom->after_started = NULL;
    then(dom);
}

void qemu_dom_hooks_stopped(struct qemu_dom *dom)
{
    static const enum qemu_hook_op ops[] = { QEMU_HOOK_STOPPED, QEMU_HOOK_RELEASE };

    run_logged(dom, ops, ARRAY_SIZE(ops));
}

/* As libvirt's qemuProcessStop after a failed qemuProcessStart: the hooks hear that it ended. */
static void forget_start(struct qemu_dom *dom)
{
    qemu_dom_hooks_stopped(dom);
    free(dom->obj->autodestroy_owner);
    dom->obj->autodestroy_owner = NULL;
}

void qemu_dom_start_failed(struct qemu_dom *dom, const struct vb_error *err)
{
    struct vb_domain_obj *obj = dom->obj;

    if (!dom->call) /* autostart: nobody waits for the error */
        vb_log_warning("cannot start domain '%s': %s", obj->def->name, vb_error_message(err));
    forget_start(dom);
    if (dom->ref_out && dom->conn) /* CreateXML's domain: a transient one goes, as libvirt's */
        vb_registry_drop_live(dom->conn->domains, obj);
    dom->ref_out = NULL;
    qemu_dom_finish_call(dom, -1, err); /* last: the call's reference may be the object's last */
}

static int launch(struct qemu_dom *dom, struct vb_error *err)
{
    if (!dom->conn)
        return vb_error_set(err, VB_ERR_OPERATION_ABORTED, "connection closed while starting the domain");
    return qemu_dom_start(dom->conn, dom->obj, &dom->start_options, err) ? 0 : -1;
}

static void on_start_hooks_done(int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct vb_error start_err = VB_ERROR_INIT;

    dom->hook_run = NULL;
    if (result < 0) {
        qemu_dom_start_failed(dom, err);
        return;
    }
    if (launch(dom, &start_err) < 0) {
        qemu_dom_start_failed(dom, &start_err);
        vb_error_clear(&start_err);
    }
}

int qemu_dom_start_call(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                        const struct qemu_process_options *options)
{
    static const enum qemu_hook_op ops[] = { QEMU_HOOK_PREPARE, QEMU_HOOK_START };
    struct vb_error autostart_err = VB_ERROR_INIT;
    struct vb_error *err = call ? &call->err : &autostart_err;
    struct qemu_dom *dom = qemu_dom_get(conn, obj, err);
    int r = -1;

    if (dom && (dom->hook_run || dom->proc))
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is already being started");
    else if (dom) {
        dom->start_options = *options;
        r = qemu_dom_run_hooks(dom, ops, ARRAY_SIZE(ops), on_start_hooks_done, dom, err);
        if (r == QEMU_HOOKS_NONE)
            r = launch(dom, err);
        if (r < 0)
            forget_start(dom);
    }
    if (!call) { /* autostart: nobody waits; a later failure is logged by the failure path */
        if (r < 0)
            vb_log_warning("cannot autostart domain '%s': %s", obj->def->name, vb_error_message(err));
        vb_error_clear(&autostart_err);
        return r < 0 ? -1 : 0;
    }
    return r < 0 ? -1 : qemu_dom_wait(dom, call);
}
