/* SetVcpus in the QEMU driver. The persistent count and maximum change through the store; live,
 * vCPUs are hot-plugged into the free slots qemu reports (query-hotpluggable-cpus, device_add of
 * its CPU type), one at a time, as libvirt's qemuDomainSetVcpusLive. qemu starts with
 * -smp CURRENT,maxcpus=MAX, one vCPU a socket (qemu_command.c). Taking vCPUs away live needs the
 * guest to eject them and is refused for now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"

struct vcpu_op {
    struct qemu_dom *dom;
    unsigned int target;      /* the live count asked for */
    unsigned int affect;      /* resolved VB_AFFECT_* */
    struct json_object *slots; /* the free slots, in socket order (owned) */
    size_t next;              /* the next slot to fill */
};

static void op_free(struct vcpu_op *op)
{
    json_object_put(op->slots);
    free(op);
}

/* The persistent definition follows once the live change is done (libvirt's order). */
static void finish(struct vcpu_op *op, int r, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;
    struct vb_error config_err = VB_ERROR_INIT;
    struct vb_vcpu_change change = { .count = op->target };

    qemu_hotplug_save_live(dom);
    if (r == 0 && (op->affect & VB_AFFECT_CONFIG) &&
        vb_registry_edit_defs(dom->obj, VB_AFFECT_CONFIG, vb_registry_edit_vcpus, &change, &qemu_store_ops,
                              dom->conn, &config_err) < 0) {
        r = -1;
        err = &config_err;
    }
    qemu_dom_finish_call(dom, r, err);
    vb_error_clear(&config_err);
    op_free(op);
}

static void plug_next(struct vcpu_op *op);

static void on_plugged(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;

    if (reply->result < 0) {
        finish(op, -1, &reply->err); /* the vCPUs plugged so far stay, and the live count says so */
        return;
    }
    op->dom->obj->def->vcpus_current++;
    op->next++;
    plug_next(op);
}

/* device_add of the CPU type with the slot's socket/core/thread ids, named vcpuN (N: the slot). */
static void plug_next(struct vcpu_op *op)
{
    struct json_object *slot = json_object_array_get_idx(op->slots, op->next), *args, *props, *type;
    struct vb_error err = VB_ERROR_INIT;

    if (op->dom->obj->def->vcpus_current >= op->target) {
        finish(op, 0, NULL);
        return;
    }
    args = json_object_new_object();
    json_object_object_get_ex(slot, "type", &type);
    json_object_object_add(args, "driver", json_object_get(type));
    if (json_object_object_get_ex(slot, "props", &props)) {
        json_object_object_foreach(props, key, value) {
            if (streq(key, "node-id"))
                continue;
            json_object_object_add(args, key, json_object_get(value));
            if (streq(key, "socket-id")) {
                char id[32];

                snprintf(id, sizeof(id), "vcpu%d", json_object_get_int(value));
                json_object_object_add(args, "id", json_object_new_string(id));
            }
        }
    }
    if (qemu_process_command(op->dom->proc, "device_add", args, QEMU_COMMAND_TIMEOUT_USEC, on_plugged, op, &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

static int by_socket(const void *a, const void *b)
{
    struct json_object *pa, *pb, *sa = NULL, *sb = NULL;

    if (json_object_object_get_ex(*(struct json_object *const *) a, "props", &pa))
        json_object_object_get_ex(pa, "socket-id", &sa);
    if (json_object_object_get_ex(*(struct json_object *const *) b, "props", &pb))
        json_object_object_get_ex(pb, "socket-id", &sb);
    return json_object_get_int(sa) - json_object_get_int(sb);
}

static void on_slots(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;
    size_t n = reply->result < 0 ? 0 : json_object_array_length(reply->ret);

    if (reply->result < 0) {
        finish(op, -1, &reply->err);
        return;
    }
    op->slots = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *slot = json_object_array_get_idx(reply->ret, i), *path;

        if (!json_object_object_get_ex(slot, "qom-path", &path)) /* a free slot */
            json_object_array_add(op->slots, json_object_get(slot));
    }
    json_object_array_sort(op->slots, by_socket);
    if (json_object_array_length(op->slots) < op->target - op->dom->obj->def->vcpus_current) {
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "qemu has no free slot for %u more vCPUs",
                     op->target - op->dom->obj->def->vcpus_current);
        finish(op, -1, &err);
        vb_error_clear(&err);
        return;
    }
    plug_next(op);
}

static int set_live(struct vb_call *call, struct vb_domain_obj *obj, unsigned int count, unsigned int affect)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom = qemu_dom_running(obj, err);
    struct vcpu_op *op;

    if (!dom)
        return -1;
    if (count > obj->def->vcpus_max)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested vcpus is greater than max allowable vcpus for the "
                            "live domain: %u > %u", count, obj->def->vcpus_max);
    if (count < obj->def->vcpus_current)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED,
                            "taking vCPUs away from a running domain is not supported by the QEMU driver yet");
    op = calloc(1, sizeof(*op));
    if (!op)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *op = (struct vcpu_op){ .dom = dom, .target = count, .affect = affect };
    if (qemu_process_command(dom->proc, "query-hotpluggable-cpus", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_slots, op,
                             err) < 0) {
        op_free(op);
        return -1;
    }
    return qemu_dom_wait(dom, call);
}

int qemu_set_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int count,
                   unsigned int flags)
{
    struct vb_vcpu_change change = { .count = count, .maximum = flags & VB_VCPU_MAXIMUM };

    if (vb_registry_check_set_vcpus(obj, count, &flags, &call->err) < 0)
        return -1;
    if (flags & VB_AFFECT_LIVE)
        return set_live(call, obj, count, flags);
    return vb_registry_edit_defs(obj, VB_AFFECT_CONFIG, vb_registry_edit_vcpus, &change, &qemu_store_ops, priv,
                                 &call->err);
}
