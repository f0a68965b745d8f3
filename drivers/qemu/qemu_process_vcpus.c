/* The vCPUs of <vcpus> at start, as libvirt's qemu driver: its rules at define
 * (qemuDomainDefVcpusPostParse), the enabled hotpluggable vCPUs added by device_add before the
 * guest runs, in their order (qemuProcessValidateHotpluggableVcpus,
 * qemuProcessSetupHotpluggableVcpus), and the live state read back from query-cpus-fast
 * (qemuDomainRefreshVcpuInfo, qemuDomainVcpuPersistOrder). One vCPU a socket: vCPU N is the slot
 * with socket-id N, and a hot-plugged one is /machine/peripheral/vcpuN. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_process_private.h"
#include "util/macros.h"

#define PERIPHERAL "/machine/peripheral/"

int qemu_vcpus_check_def(const struct vb_domain_def *def, struct vb_error *err)
{
    struct vb_vcpu_def vcpu = vb_domain_def_get_vcpu(def, 0);
    bool has_order = vcpu.order != 0;

    if (!def->vcpus)
        return 0;
    if (!vcpu.enabled)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu 0 can't be offline");
    if (vcpu.hotpluggable)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu0 can't be hotpluggable");
    if (vcpu.order > 1)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu0 must be enabled first");
    for (unsigned int i = 1; i < def->vcpus_max; i++) {
        struct vb_vcpu_def prev = vcpu;

        vcpu = def->vcpus[i];
        if (vcpu.enabled && (vcpu.order != 0) != has_order)
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "all vcpus must have either set or unset order");
        if (vcpu.hotpluggable)
            continue;
        if (prev.hotpluggable)
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                                "online non-hotpluggable vcpus need to be ordered prior to hotplugable vcpus");
        if (prev.order > vcpu.order)
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                                "online non-hotpluggable vcpus must be ordered in ascending order");
    }
    return 0;
}

/* The socket-id of a query-hotpluggable-cpus or query-cpus-fast entry, -1 when none. */
int qemu_vcpu_slot_socket(struct json_object *slot)
{
    struct json_object *props, *socket;

    if (!json_object_object_get_ex(slot, "props", &props) || !json_object_object_get_ex(props, "socket-id", &socket))
        return -1;
    return json_object_get_int(socket);
}

struct json_object *qemu_vcpu_device_add_args(struct json_object *slot)
{
    struct json_object *args = json_object_new_object(), *props, *type;
    char id[32];

    json_object_object_get_ex(slot, "type", &type);
    json_object_object_add(args, "driver", json_object_get(type));
    if (json_object_object_get_ex(slot, "props", &props)) {
        json_object_object_foreach(props, key, value) {
            if (!streq(key, "node-id"))
                json_object_object_add(args, key, json_object_get(value));
        }
    }
    snprintf(id, sizeof(id), "vcpu%d", qemu_vcpu_slot_socket(slot));
    json_object_object_add(args, "id", json_object_new_string(id));
    return args;
}

int qemu_vcpus_apply_cpus(struct vb_domain_def *def, struct json_object *cpus, bool individual, struct vb_error *err)
{
    size_t n = json_object_array_length(cpus);
    _cleanup_free_ struct vb_vcpu_def *seen = calloc(def->vcpus_max + 1, sizeof(*seen));
    unsigned int count = 0;

    if (!seen)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < n; i++) {
        struct json_object *cpu = json_object_array_get_idx(cpus, i), *path;
        int id = qemu_vcpu_slot_socket(cpu);

        if (id < 0 || (unsigned int) id >= def->vcpus_max || seen[id].enabled)
            continue;
        /* libvirt's enable_id: the place in qemu's list, which is the order vCPUs came in. */
        seen[id] = (struct vb_vcpu_def){ .enabled = true, .order = (unsigned int) i + 1 };
        seen[id].hotpluggable = json_object_object_get_ex(cpu, "qom-path", &path) &&
                                strncmp(json_object_get_string(path), PERIPHERAL, strlen(PERIPHERAL)) == 0;
        count++;
        individual |= seen[id].hotpluggable;
    }
    if (!def->vcpus && !individual) {
        bool first_ones = true;

        for (unsigned int id = 0; id < count; id++)
            first_ones &= seen[id].enabled;
        if (first_ones) { /* what the counts say already: no <vcpus> yet */
            def->vcpus_current = count;
            return 0;
        }
    }
    for (unsigned int id = 0; id < def->vcpus_max; id++) {
        struct vb_vcpu_def vcpu = vb_domain_def_get_vcpu(def, id);

        vcpu.enabled = seen[id].enabled;
        vcpu.order = seen[id].order;
        vcpu.hotpluggable |= seen[id].hotpluggable || !vcpu.enabled;
        if (vb_domain_def_set_vcpu(def, id, vcpu, err) < 0)
            return -1;
    }
    return 0;
}

/* --- at start --------------------------------------------------------------------------------- */

struct vcpu_setup {
    struct qemu_process *proc;
    void (*then)(struct qemu_process *proc);
    struct json_object *adds; /* device_add arguments, in order (owned) */
    size_t next;
};

static void setup_end(struct vcpu_setup *setup, const struct vb_error *err)
{
    struct qemu_process *proc = setup->proc;
    void (*then)(struct qemu_process *proc) = setup->then;

    json_object_put(setup->adds);
    free(setup);
    if (err)
        qemu_process_abandon(proc, err);
    else
        then(proc);
}

static void on_cpus(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_setup *setup = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        setup_end(setup, &reply->err);
        return;
    }
    if (qemu_vcpus_apply_cpus(setup->proc->def, reply->ret, false, &err) < 0 ||
        qemu_process_write_live_def(setup->proc, setup->proc->def, &err) < 0) {
        setup_end(setup, &err);
        vb_error_clear(&err);
        return;
    }
    setup_end(setup, NULL);
}

static void add_next(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_setup *setup = userdata;
    struct qemu_process *proc = setup->proc;
    struct json_object *args = json_object_array_get_idx(setup->adds, setup->next++);
    struct vb_error err = VB_ERROR_INIT;
    int r;

    if (reply && reply->result < 0) {
        setup_end(setup, &reply->err);
        return;
    }
    if (args)
        r = qmp_monitor_send(proc->mon, "device_add", json_object_get(args), proc->monitor_timeout_usec, add_next,
                             setup, &err);
    else
        r = qmp_monitor_send(proc->mon, "query-cpus-fast", NULL, proc->monitor_timeout_usec, on_cpus, setup, &err);
    if (r < 0) {
        setup_end(setup, &err);
        vb_error_clear(&err);
    }
}

/* The free slot of vCPU id, NULL when qemu has none. */
static struct json_object *free_slot(struct json_object *slots, unsigned int id)
{
    for (size_t i = 0; i < json_object_array_length(slots); i++) {
        struct json_object *slot = json_object_array_get_idx(slots, i), *path;

        if (qemu_vcpu_slot_socket(slot) == (int) id && !json_object_object_get_ex(slot, "qom-path", &path))
            return slot;
    }
    return NULL;
}

/* qemuProcessValidateHotpluggableVcpus, then the device_add list, lowest order first (ties by id). */
static int plan_adds(struct vcpu_setup *setup, struct json_object *slots, struct vb_error *err)
{
    const struct vb_domain_def *def = setup->proc->def;
    _cleanup_free_ bool *orders = calloc(def->vcpus_max + 2, sizeof(*orders));

    if (!orders)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int id = 0; id < def->vcpus_max; id++) {
        unsigned int order = def->vcpus[id].order;

        if (order > def->vcpus_max)
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu order '%u' exceeds vcpu count", order);
        if (order && orders[order])
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "duplicate vcpu order '%u'", order);
        orders[order] = true;
        if (def->vcpus[id].enabled && def->vcpus[id].hotpluggable && !free_slot(slots, id))
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu '%u' is missing hotplug data", id);
    }
    setup->adds = json_object_new_array();
    for (unsigned int order = 0; order <= def->vcpus_max; order++)
        for (unsigned int id = 0; id < def->vcpus_max; id++)
            if (def->vcpus[id].order == order && def->vcpus[id].enabled && def->vcpus[id].hotpluggable)
                json_object_array_add(setup->adds, qemu_vcpu_device_add_args(free_slot(slots, id)));
    return 0;
}

static void on_slots(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct vcpu_setup *setup = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        setup_end(setup, &reply->err);
        return;
    }
    if (plan_adds(setup, reply->ret, &err) < 0) {
        setup_end(setup, &err);
        vb_error_clear(&err);
        return;
    }
    add_next(mon, NULL, setup);
}

int qemu_process_setup_vcpus(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                             struct vb_error *err)
{
    struct vcpu_setup *setup;

    if (!proc->def->vcpus) { /* no <vcpus>: -smp started them all, nothing to show per vCPU */
        then(proc);
        return 0;
    }
    if (!(setup = calloc(1, sizeof(*setup))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *setup = (struct vcpu_setup){ .proc = proc, .then = then };
    if (qmp_monitor_send(proc->mon, "query-hotpluggable-cpus", NULL, proc->monitor_timeout_usec, on_slots, setup,
                         err) < 0) {
        free(setup);
        return -1;
    }
    return 0;
}
