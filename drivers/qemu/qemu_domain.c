/* The QEMU driver's per-domain state (struct qemu_dom) and the helpers operation files share:
 * parking a call until qemu answers, ending it, one-command calls, event announcement. */
#include <stdlib.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

void qemu_dom_unlink(struct qemu_dom *dom)
{
    struct qemu_dom **p;

    if (!dom->conn)
        return;
    for (p = &dom->conn->doms; *p; p = &(*p)->next)
        if (*p == dom) {
            *p = dom->next;
            break;
        }
    dom->conn = NULL;
}

static void dom_free(void *data)
{
    struct qemu_dom *dom = data;

    qemu_dom_unlink(dom);
    qemu_process_free(dom->proc);
    qemu_hotplug_free(dom->hotplug);
    qemu_snapshot_abandon(dom);
    vb_snapshot_tree_clear(&dom->snapshots);
    vb_error_clear(&dom->start_error);
    free(dom);
}

struct qemu_dom *qemu_dom_get(struct qemu_conn *conn, struct vb_domain_obj *obj, struct vb_error *err)
{
    struct qemu_dom *dom = obj->driver_data;

    if (dom)
        return dom;
    dom = calloc(1, sizeof(*dom));
    if (!dom) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    dom->conn = conn;
    dom->obj = obj;
    dom->next = conn->doms;
    conn->doms = dom;
    obj->driver_data = dom;
    obj->driver_data_free = dom_free;
    return dom;
}

struct qemu_dom *qemu_dom_running(struct vb_domain_obj *obj, struct vb_error *err)
{
    struct qemu_dom *dom = obj->driver_data;

    if (vb_domain_obj_check_active(obj, err) < 0)
        return NULL;
    if (!dom || !dom->proc) {
        vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
        return NULL;
    }
    return dom;
}

void qemu_dom_finish_call(struct qemu_dom *dom, int r, const struct vb_error *err)
{
    struct vb_call *call = dom->call;

    if (!call)
        return;
    dom->call = NULL;
    if (r == 0 && dom->ref_out)
        r = vb_registry_fill_ref(dom->obj, dom->ref_out, &call->err);
    dom->ref_out = NULL;
    if (r < 0 && err)
        vb_error_set_literal(&call->err, err->code, "%s", vb_error_message(err));
    vb_call_complete(call, r);
}

int qemu_dom_wait(struct qemu_dom *dom, struct vb_call *call)
{
    dom->call = call;
    return VB_PENDING;
}

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;

    qemu_dom_finish_call(dom, reply->result, &reply->err);
}

int qemu_dom_send_call(struct vb_call *call, struct qemu_dom *dom, const char *command, struct json_object *args)
{
    if (qemu_process_command(dom->proc, command, args, QEMU_COMMAND_TIMEOUT_USEC, on_reply, dom, &call->err) < 0)
        return -1;
    return qemu_dom_wait(dom, call);
}

int qemu_dom_command_call(struct vb_call *call, struct vb_domain_obj *obj, const char *command)
{
    struct qemu_dom *dom = qemu_dom_running(obj, &call->err);

    return dom ? qemu_dom_send_call(call, dom, command, NULL) : -1;
}

static void log_powerdown_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (reply->result < 0)
        vb_log_warning("system_powerdown: %s", vb_error_message(&reply->err));
}

int qemu_dom_send_powerdown(struct qemu_dom *dom, struct vb_error *err)
{
    return qemu_process_command(dom->proc, "system_powerdown", NULL, QEMU_COMMAND_TIMEOUT_USEC, log_powerdown_reply,
                                NULL, err);
}

void qemu_dom_emit_mapped(struct qemu_dom *dom, const struct qemu_domain_event *ev)
{
    struct qemu_conn *conn = dom->conn;
    struct vb_event event;

    if (!conn || !conn->events)
        return;
    vb_event_init_domain(&event, "qemu", conn->uri, dom->obj->def->uuid, dom->obj->def->name, ev->id);
    event.payload = ev->payload; /* borrowed strings: the stream copies */
    vb_event_emit(conn->events, &event);
}
