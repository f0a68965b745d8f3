/* CreateXML on the QEMU connection (a domain started at once, transient unless its name and UUID
 * are a persistent domain's) and AUTODESTROY: the domains a client owns end when it goes. */
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "util/log.h"
#include "util/macros.h"

int qemu_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags, struct vb_domain_ref *ref)
{
    struct qemu_process_options options = { .start_paused = flags & VB_START_PAUSED };
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj, *existing;
    struct qemu_dom *dom;
    int r;

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_VALIDATE, err);
    def = vb_domain_def_parse_string(xml, err);
    if (!def)
        return -1;
    if (qemu_def_prepare(def, err) < 0) {
        vb_domain_def_free(def);
        return -1;
    }
    /* A persistent domain of that name: its job must be free, and is the call's until it ends. */
    existing = vb_domain_list_find_by_uuid(conn->domains, def->uuid);
    if (existing && vb_call_hold(call, existing, VB_JOB_MODIFY) < 0) {
        vb_domain_def_free(def);
        return -1;
    }
    if (!(obj = vb_registry_add_live(conn->domains, def, err)))
        return -1;
    /* A new domain's job is free: holding it cannot fail, and calls on it wait for the start. */
    if ((!existing && vb_call_hold(call, obj, VB_JOB_MODIFY) < 0) ||
        vb_registry_remember_autodestroy(obj, flags, call->client, err) < 0 || !(dom = qemu_dom_get(conn, obj, err))) {
        vb_registry_drop_live(conn->domains, obj);
        return -1;
    }
    dom->ref_out = ref;
    r = qemu_dom_start_call(conn, call, obj, &options);
    if (r < 0) {
        dom->ref_out = NULL;
        vb_registry_drop_live(conn->domains, obj);
    }
    return r;
}

static void on_autodestroyed(struct qemu_process *proc, int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    if (result < 0) {
        dom->stop_requested = false;
        vb_log_warning("could not destroy '%s': %s", dom->obj->def->name, vb_error_message(err));
    }
}

/* libvirt's qemuProcessAutoDestroy: the owner's connection closed, its domains are destroyed. */
void qemu_client_gone(void *priv, vb_client_id client)
{
    struct qemu_conn *conn = priv;

    for (struct qemu_dom *dom = conn->doms; dom; dom = dom->next) {
        struct vb_domain_obj *obj = dom->obj;
        struct vb_error err = VB_ERROR_INIT;

        if (!obj->autodestroy_owner || !streq(obj->autodestroy_owner, client) || !vb_domain_obj_is_active(obj) ||
            !dom->proc || dom->stop_requested)
            continue;
        vb_log_info("destroying domain '%s': its autodestroy client %s went away", obj->def->name, client);
        dom->stop_requested = true;
        if (qemu_process_stop(dom->proc, false, 0, on_autodestroyed, dom, &err) < 0) {
            dom->stop_requested = false;
            vb_log_warning("could not destroy '%s': %s", obj->def->name, vb_error_message(&err));
            vb_error_clear(&err);
        }
    }
}
