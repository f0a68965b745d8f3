/* Memory and statistics of QEMU domains: SetMemory (the virtio balloon over QMP `balloon`, the
 * live size following qemu's BALLOON_CHANGE, as libvirt), GetInfo's cpu time and GetStats, read
 * from the definitions and from /proc/PID/stat of qemu (utime + stime, libvirt's
 * qemuGetProcessInfo). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/macros.h"

#define MIN_SIZE(a, b) ((a) < (b) ? (a) : (b))

/* --- cpu time ---------------------------------------------------------------------------------- */

struct cpu_times {
    unsigned long long user_ns, system_ns;
};

/* utime and stime of pid (fields 14 and 15 of /proc/PID/stat, after the command in parentheses). */
static int read_cpu_times(pid_t pid, struct cpu_times *times)
{
    char path[64], line[1024], *p;
    unsigned long long utime, stime;
    long ticks = sysconf(_SC_CLK_TCK);
    FILE *f;
    bool ok;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    if (!(f = fopen(path, "re")))
        return -1;
    ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (!ok || !(p = strrchr(line, ')')) || ticks <= 0 ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    times->user_ns = utime * (1000000000ull / (unsigned long long) ticks);
    times->system_ns = stime * (1000000000ull / (unsigned long long) ticks);
    return 0;
}

static void dom_cpu_times(const struct vb_domain_obj *obj, struct cpu_times *times)
{
    const struct qemu_dom *dom = obj->driver_data;

    *times = (struct cpu_times){ 0 };
    if (vb_domain_obj_is_active(obj) && dom && dom->proc && read_cpu_times(qemu_process_pid(dom->proc), times) < 0)
        *times = (struct cpu_times){ 0 }; /* qemu just ended: no time, as libvirt's 0 on error */
}

int qemu_get_info(void *priv, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err)
{
    struct vb_domain_obj *obj = qemu_find_domain(priv, uuid, err);
    struct cpu_times times;

    if (!obj || vb_registry_fill_info(obj, info, err) < 0)
        return -1;
    dom_cpu_times(obj, &times);
    info->cpu_time_ns = times.user_ns + times.system_ns;
    return 0;
}

/* --- SetMemory --------------------------------------------------------------------------------- */

static bool has_virtio_balloon(const struct vb_domain_def *def)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->element && streq(def->devices[i]->element, "memballoon")) {
            _cleanup_free_ char *model = vb_device_def_get_attribute(def->devices[i], "model");

            return model && streq(model, "virtio");
        }
    return false;
}

static void on_balloon_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct vb_memory_change change = { .kib = dom->balloon_kib };
    struct vb_error err = VB_ERROR_INIT;
    int r = reply->result;

    /* The live size follows BALLOON_CHANGE, when the guest gave the memory back (libvirt). */
    if (r == 0 && (dom->balloon_flags & VB_AFFECT_CONFIG))
        r = vb_registry_edit_defs(dom->obj, VB_AFFECT_CONFIG, vb_registry_edit_memory, &change, &qemu_store_ops,
                                  dom->conn, &err);
    qemu_dom_finish_call(dom, r, reply->result < 0 ? &reply->err : &err);
    vb_error_clear(&err);
}

static int set_memory_live(struct vb_call *call, struct vb_domain_obj *obj, uint64_t kib, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom = qemu_dom_running(obj, err);
    struct json_object *args;

    if (!dom)
        return -1;
    if (!has_virtio_balloon(obj->def))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "Unable to change memory of active domain without "
                            "the balloon device and guest OS balloon driver");
    if (!(args = json_object_new_object()))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    json_object_object_add(args, "value", json_object_new_int64((int64_t) (kib * 1024)));
    if (qemu_process_command(dom->proc, "balloon", args, QEMU_COMMAND_TIMEOUT_USEC, on_balloon_reply, dom, err) < 0)
        return -1;
    dom->balloon_kib = kib;
    dom->balloon_flags = flags;
    return qemu_dom_wait(dom, call);
}

int qemu_set_memory(void *priv, struct vb_call *call, struct vb_domain_obj *obj, uint64_t kib, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct vb_memory_change change = { .kib = kib, .maximum = flags & VB_MEM_MAXIMUM };
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *probe = NULL;

    VB_CHECK_FLAGS(flags, VB_MEM_LIVE | VB_MEM_CONFIG | VB_MEM_MAXIMUM, err);
    if (kib == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "memory size must be greater than zero");
    if (kib > UINT64_MAX / 1024)
        return vb_error_set(err, VB_ERR_OVERFLOW, "memory size %llu KiB is too large", (unsigned long long) kib);
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (change.maximum && (flags & VB_AFFECT_LIVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot resize the maximum memory on an active domain");
    if (!(flags & VB_AFFECT_LIVE))
        return vb_registry_edit_defs(obj, flags, vb_registry_edit_memory, &change, &qemu_store_ops, priv, err);
    /* Both definitions must take the size before the balloon moves. */
    if (!(probe = vb_domain_def_copy(obj->def, err)) || vb_registry_edit_memory(probe, &change, err) < 0)
        return -1;
    if (flags & VB_AFFECT_CONFIG) {
        vb_domain_def_free(TAKE_PTR(probe));
        if (!(probe = vb_domain_def_copy(vb_domain_obj_persistent_def(obj), err)) || vb_registry_edit_memory(probe, &change, err) < 0)
            return -1;
    }
    return set_memory_live(call, obj, kib, flags);
}

void qemu_balloon_changed(struct qemu_dom *dom, struct json_object *data)
{
    struct json_object *actual = data ? json_object_object_get(data, "actual") : NULL;

    uint64_t kib = actual ? (uint64_t) json_object_get_int64(actual) / 1024 : 0;

    if (!actual || dom->obj->def->current_memory_kib == kib)
        return;
    dom->obj->def->current_memory_kib = kib;
    qemu_hotplug_save_live(dom); /* as libvirt saves its status XML: a reattach reads the size */
}

/* --- GetStats ---------------------------------------------------------------------------------- */

static int stats_cpu(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err)
{
    struct cpu_times times;

    if (!vb_domain_obj_is_active(obj))
        return 0;
    dom_cpu_times(obj, &times);
    if (vb_typed_params_add_ullong(out, err, times.user_ns + times.system_ns, "cpu.time") < 0 ||
        vb_typed_params_add_ullong(out, err, times.user_ns, "cpu.user") < 0)
        return -1;
    return vb_typed_params_add_ullong(out, err, times.system_ns, "cpu.system");
}

static int fill_record(struct vb_domain_stats *record, const struct vb_domain_obj *obj, unsigned int stats,
                       struct vb_error *err)
{
    struct vb_typed_params *out = &record->params;
    const struct vb_domain_def *def = obj->def;

    if (!(record->name = strdup(def->name)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(record->uuid, def->uuid, VB_UUID_LEN);
    if ((stats & VB_STATS_STATE) && (vb_typed_params_add_int(out, err, obj->state, "state.state") < 0 ||
                                     vb_typed_params_add_int(out, err, obj->reason, "state.reason") < 0))
        return -1;
    if ((stats & VB_STATS_CPU_TOTAL) && stats_cpu(obj, out, err) < 0)
        return -1;
    if ((stats & VB_STATS_BALLOON) &&
        (vb_typed_params_add_ullong(out, err, def->current_memory_kib, "balloon.current") < 0 ||
         vb_typed_params_add_ullong(out, err, def->max_memory_kib, "balloon.maximum") < 0))
        return -1;
    if ((stats & VB_STATS_VCPU) && (vb_typed_params_add_uint(out, err, def->vcpus_current, "vcpu.current") < 0 ||
                                    vb_typed_params_add_uint(out, err, def->vcpus_max, "vcpu.maximum") < 0))
        return -1;
    if ((stats & VB_STATS_INTERFACE) && qemu_stats_interfaces(obj, out, err) < 0)
        return -1;
    if ((stats & VB_STATS_BLOCK) && vb_registry_stats_devices(obj, VB_DEVICE_DISK, "block", out, err) < 0)
        return -1;
    return 0;
}

/* One record per listed domain that exists, in the order given (a domain listed twice once). */
int qemu_get_stats(void *priv, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                   unsigned int stats, unsigned int flags, struct vb_domain_stats **records, size_t *n_records)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    unsigned int all = VB_STATS_STATE | VB_STATS_CPU_TOTAL | VB_STATS_BALLOON | VB_STATS_VCPU | VB_STATS_INTERFACE |
                       VB_STATS_BLOCK;
    size_t cap = MIN_SIZE(n, vb_domain_list_count(conn->domains)), used = 0;
    struct vb_domain_stats *out;

    if (stats == 0)
        stats = all;
    if (stats & ~all)
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "unsupported statistics types (0x%x)", stats & ~all);
    if (!(out = calloc(cap + 1, sizeof(*out))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < n && used < cap; i++) {
        struct vb_domain_obj *obj = vb_domain_list_find_by_uuid(conn->domains, uuids[i]);
        bool seen = false;

        for (size_t j = 0; obj && j < used; j++)
            seen = seen || memcmp(out[j].uuid, obj->def->uuid, VB_UUID_LEN) == 0;
        if (!obj || seen)
            continue;
        if (fill_record(&out[used++], obj, stats, err) < 0) {
            vb_domain_stats_free(out, used);
            return -1;
        }
    }
    *records = out;
    *n_records = used;
    return (stats & VB_STATS_BLOCK) ? qemu_block_stats_gather(call, conn, out, used) : 0;
}
