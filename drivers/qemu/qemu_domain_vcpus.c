/* SetVcpus in the QEMU driver. The persistent count and maximum change through the store; live,
 * vCPUs are hot-plugged into the free slots qemu reports (query-hotpluggable-cpus, device_add of
 * its CPU type) and taken away again (device_del, the guest ejects the CPU through ACPI, qemu says
 * DEVICE_DELETED), one at a time, as libvirt's qemuDomainSetVcpusLive. qemu starts with
 * -smp K,maxcpus=MAX, one vCPU a socket (qemu_command.c; K: the enabled vCPUs not hotpluggable, the other
 * enabled ones are hot-plugged before the guest runs, qemu_process_vcpus.c): the vCPUs qemu started with sit
 * under /machine/unattached and cannot be unplugged; those hot-plugged are /machine/peripheral/vcpuN
 * (N: the socket), also after a daemon restart, since qemu is asked each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"
#include "util/time.h"

/* libvirt's qemuDomainGetUnplugTimeout for a non-PPC guest. */
#define VCPU_UNPLUG_WAIT_USEC (5ull * 1000000ull)
#define PERIPHERAL "/machine/peripheral/"

struct vcpu_op {
    struct qemu_dom *dom;
    unsigned int target;      /* the live count asked for */
    unsigned int affect;      /* resolved VB_AFFECT_* */
    struct json_object *slots; /* plugging: the free slots, lowest socket first; unplugging: the
                                * hot-plugged vCPUs to take away, highest first (owned) */
    size_t next;              /* the next slot to fill or empty */
    char alias[32];           /* unplugging: the vCPU device_del was sent for */
    sd_event_source *timer;   /* unplugging: the wait for its DEVICE_DELETED */
    bool replied, deleted;    /* qemu answered device_del; DEVICE_DELETED came */
};

static void op_free(struct vcpu_op *op)
{
    if (op->dom->vcpu_op == op)
        op->dom->vcpu_op = NULL;
    sd_event_source_disable_unref(op->timer);
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

/* As libvirt's qemuDomainHotplugAddVcpu: the live definition gets <vcpus>, and every vCPU's state
 * and order as qemu now lists them (qemuDomainRefreshVcpuInfo, qemuDomainVcpuPersistOrder). */
static void on_plugged_refreshed(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        finish(op, -1, &reply->err);
        return;
    }
    if (qemu_vcpus_apply_cpus(op->dom->obj->def, reply->ret, true, &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
        return;
    }
    op->next++;
    plug_next(op);
}

static void on_plugged(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        finish(op, -1, &reply->err); /* the vCPUs plugged so far stay, and the live XML says so */
        return;
    }
    if (qemu_process_command(op->dom->proc, "query-cpus-fast", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_plugged_refreshed,
                             op, &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

/* device_add of the CPU type with the slot's socket/core/thread ids, named vcpuN (N: the slot). */
static void plug_next(struct vcpu_op *op)
{
    struct json_object *slot = json_object_array_get_idx(op->slots, op->next);
    struct vb_error err = VB_ERROR_INIT;

    if (op->dom->obj->def->vcpus_current >= op->target) {
        finish(op, 0, NULL);
        return;
    }
    if (qemu_process_command(op->dom->proc, "device_add", qemu_vcpu_device_add_args(slot), QEMU_COMMAND_TIMEOUT_USEC,
                             on_plugged, op, &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

static int by_socket(const void *a, const void *b)
{
    return qemu_vcpu_slot_socket(*(struct json_object *const *) a) -
           qemu_vcpu_slot_socket(*(struct json_object *const *) b);
}

static int by_socket_down(const void *a, const void *b)
{
    return by_socket(b, a);
}

/* --- unplug ----------------------------------------------------------------------------------- */

static void unplug_next(struct vcpu_op *op);

/* As libvirt's qemuDomainRemoveVcpu: qemu's vCPU list, read again, must no longer have the vCPU. */
static void on_refreshed(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;
    int socket = qemu_vcpu_slot_socket(json_object_array_get_idx(op->slots, op->next));
    size_t n;

    if (reply->result < 0) {
        finish(op, -1, &reply->err);
        return;
    }
    n = json_object_array_length(reply->ret);
    if (qemu_vcpus_apply_cpus(op->dom->obj->def, reply->ret, false, &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (qemu_vcpu_slot_socket(json_object_array_get_idx(reply->ret, i)) == socket) {
            vb_error_set(&err, VB_ERR_OPERATION_FAILED, "operation failed: qemu reported thread id for inactive vcpu '%d'", socket);
            finish(op, -1, &err);
            vb_error_clear(&err);
            return;
        }
    op->next++;
    unplug_next(op);
}

static void refresh(struct vcpu_op *op)
{
    struct vb_error err = VB_ERROR_INIT;

    op->timer = sd_event_source_disable_unref(op->timer);
    if (qemu_process_command(op->dom->proc, "query-cpus-fast", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_refreshed, op,
                             &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

/* libvirt fails a vCPU unplug the guest did not finish in time (a device detach returns success). */
static int on_unplug_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;

    vb_error_set(&err, VB_ERR_OPERATION_TIMEOUT,
                 "vcpu unplug request timed out. Unplug result must be manually inspected in the domain");
    finish(op, -1, &err);
    vb_error_clear(&err);
    return 0;
}

static void on_unplug_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    int r;

    op->replied = true;
    if (reply->result < 0) {
        finish(op, -1, &reply->err);
        return;
    }
    if (op->deleted) {
        refresh(op);
        return;
    }
    r = sd_event_add_time_relative(op->dom->conn->loop, &op->timer, CLOCK_MONOTONIC, VCPU_UNPLUG_WAIT_USEC, VB_TIMER_ACCURACY_USEC,
                                   on_unplug_timeout, op);
    if (r < 0) {
        struct vb_error err = VB_ERROR_INIT;

        vb_error_set_errno(&err, -r, "cannot add a timer");
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

/* device_del of the highest hot-plugged vCPU left; its id is the last part of its QOM path. */
static void unplug_next(struct vcpu_op *op)
{
    struct json_object *slot = json_object_array_get_idx(op->slots, op->next), *path;
    struct json_object *args;
    struct vb_error err = VB_ERROR_INIT;

    if (op->dom->obj->def->vcpus_current <= op->target || !slot) {
        finish(op, 0, NULL);
        return;
    }
    json_object_object_get_ex(slot, "qom-path", &path);
    snprintf(op->alias, sizeof(op->alias), "%s", json_object_get_string(path) + strlen(PERIPHERAL));
    op->replied = op->deleted = false;
    args = json_object_new_object();
    json_object_object_add(args, "id", json_object_new_string(op->alias));
    if (qemu_process_command(op->dom->proc, "device_del", args, QEMU_COMMAND_TIMEOUT_USEC, on_unplug_reply, op,
                             &err) < 0) {
        finish(op, -1, &err);
        vb_error_clear(&err);
    }
}

/* As libvirt's qemuDomainSelectHotplugVcpuEntities: from the highest vCPU down, the hot-plugged
 * ones (under /machine/peripheral) go, those qemu started with are passed over; when that cannot
 * reach the target, nothing is done. */
static int select_unplug(struct vcpu_op *op, struct json_object *all, struct vb_error *err)
{
    struct json_object *present = json_object_new_array();
    unsigned int count = op->dom->obj->def->vcpus_current;
    size_t n = json_object_array_length(all);

    for (size_t i = 0; i < n; i++) {
        struct json_object *slot = json_object_array_get_idx(all, i), *path;

        if (json_object_object_get_ex(slot, "qom-path", &path))
            json_object_array_add(present, json_object_get(slot));
    }
    json_object_array_sort(present, by_socket_down);
    op->slots = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(present) && count > op->target; i++) {
        struct json_object *slot = json_object_array_get_idx(present, i), *path;

        json_object_object_get_ex(slot, "qom-path", &path);
        if (strncmp(json_object_get_string(path), PERIPHERAL, strlen(PERIPHERAL)) != 0 ||
            strlen(json_object_get_string(path)) - strlen(PERIPHERAL) >= sizeof(op->alias))
            continue;
        json_object_array_add(op->slots, json_object_get(slot));
        count--;
    }
    json_object_put(present);
    if (count != op->target)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count");
    return 0;
}

static void on_recount(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0 || !dom->proc)
        return;
    if (qemu_vcpus_apply_cpus(dom->obj->def, reply->ret, false, &err) < 0) {
        vb_log_warning("domain '%s': cannot record its vCPUs: %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
        return;
    }
    qemu_hotplug_save_live(dom);
}

/* The vCPU a DEVICE_DELETED is about, into alias: its id, or for a device inside it (its lapic) the
 * id in the path. qemu 7.2 under TCG sends only the lapic's: the CPU object itself is never
 * finalized, though it left qemu's lists (the count is read back from qemu either way). */
static bool deleted_vcpu(struct json_object *data, char *alias, size_t size)
{
    const char *device = json_object_get_string(json_object_object_get(data, "device"));
    const char *path = json_object_get_string(json_object_object_get(data, "path"));
    size_t len;

    if (device) {
        if (strncmp(device, "vcpu", 4) != 0)
            return false;
        snprintf(alias, size, "%s", device);
        return true;
    }
    if (!path || strncmp(path, PERIPHERAL "vcpu", strlen(PERIPHERAL) + 4) != 0)
        return false;
    path += strlen(PERIPHERAL);
    len = strcspn(path, "/");
    if (len >= size)
        return false;
    memcpy(alias, path, len);
    alias[len] = '\0';
    return true;
}

void qemu_vcpus_device_deleted(struct qemu_dom *dom, struct json_object *data)
{
    struct vcpu_op *op = dom->vcpu_op;
    char alias[sizeof(op->alias)];

    if (!data || !deleted_vcpu(data, alias, sizeof(alias)))
        return;
    if (op && op->alias[0] && streq(op->alias, alias)) {
        if (!op->deleted) {
            op->deleted = true;
            if (op->replied)
                refresh(op);
        }
        return;
    }
    /* Later than the wait, or the guest's own doing: the count follows qemu's list (libvirt's
     * qemuDomainRemoveVcpuAlias). */
    qemu_vcpus_recount(dom);
}

void qemu_vcpus_copy_started(struct qemu_dom *dom)
{
    const struct vb_domain_def *started = dom->proc ? qemu_process_def(dom->proc) : NULL;
    struct vb_domain_def *live = dom->obj->def;
    struct vb_error err = VB_ERROR_INIT;

    if (!started || !started->vcpus || started->vcpus_max != live->vcpus_max)
        return;
    for (unsigned int id = 0; id < live->vcpus_max; id++)
        if (vb_domain_def_set_vcpu(live, id, started->vcpus[id], &err) < 0) {
            vb_log_warning("domain '%s': cannot record its vCPUs: %s", live->name, vb_error_message(&err));
            vb_error_clear(&err);
            return;
        }
}

void qemu_vcpus_recount(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    if (dom->proc && qemu_process_command(dom->proc, "query-cpus-fast", NULL, QEMU_COMMAND_TIMEOUT_USEC,
                                          on_recount, dom, &err) < 0) {
        vb_log_warning("query-cpus-fast: %s", vb_error_message(&err));
        vb_error_clear(&err);
    }
}

void qemu_vcpus_abandon(struct qemu_dom *dom, bool process_gone)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!dom->vcpu_op)
        return;
    if (!process_gone) {
        op_free(dom->vcpu_op);
        return;
    }
    vb_error_set(&err, VB_ERR_OPERATION_FAILED, "operation failed: domain is no longer running");
    finish(dom->vcpu_op, -1, &err);
    vb_error_clear(&err);
}

/* --- query-hotpluggable-cpus, then plug or unplug ----------------------------------------------- */

static void on_slots(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_op *op = userdata;
    struct vb_error err = VB_ERROR_INIT;
    size_t n = reply->result < 0 ? 0 : json_object_array_length(reply->ret);

    if (reply->result < 0) {
        finish(op, -1, &reply->err);
        return;
    }
    if (op->target < op->dom->obj->def->vcpus_current) {
        if (select_unplug(op, reply->ret, &err) < 0) {
            finish(op, -1, &err);
            vb_error_clear(&err);
        } else {
            unplug_next(op);
        }
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
    if (!dom->conn)
        return vb_error_set(err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    op = calloc(1, sizeof(*op));
    if (!op)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *op = (struct vcpu_op){ .dom = dom, .target = count, .affect = affect };
    if (qemu_process_command(dom->proc, "query-hotpluggable-cpus", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_slots, op,
                             err) < 0) {
        op_free(op);
        return -1;
    }
    dom->vcpu_op = op;
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
