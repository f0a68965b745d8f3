/* The test driver's guest information: vcpus and pinning, scheduler, jobs, stats, block and
 * interface details. The numbers are the test driver's fakes, stable so tests can rely on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_private.h"
#include "util/typed_params.h"

/* The CPU count of the test host's CPU map (libvirt's test driver reports 8 there). */
#define TEST_HOST_MAP_CPUS 8u

static const struct vb_domain_def *def_for_flags(struct vb_domain_obj *obj, unsigned int *flags, struct vb_error *err)
{
    if (vb_domain_obj_resolve_affect(obj, flags, err) < 0)
        return NULL;
    if ((*flags & VB_AFFECT_LIVE) && (*flags & VB_AFFECT_CONFIG)) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "'live' and 'config' flags are mutually exclusive");
        return NULL;
    }
    return (*flags & VB_AFFECT_CONFIG) ? vb_domain_obj_persistent_def(obj) : obj->def;
}

int test_get_vcpus(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    const struct vb_domain_def *def;

    VB_CHECK_FLAGS(flags, VB_VCPU_LIVE | VB_VCPU_CONFIG | VB_VCPU_MAXIMUM, err);
    if (!obj || !(def = def_for_flags(obj, &flags, err)))
        return -1;
    return (int) ((flags & VB_VCPU_MAXIMUM) ? def->vcpus_max : def->vcpus_current);
}

int test_get_vcpu_pin_info(void *priv, vb_uuid_t uuid, unsigned int flags, bool **maps, unsigned int *nvcpus,
                           unsigned int *ncpus, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    const struct vb_domain_def *def;
    bool live;
    bool *out;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (!obj || !(def = def_for_flags(obj, &flags, err)))
        return -1;
    live = flags & VB_AFFECT_LIVE;
    out = calloc((size_t) def->vcpus_max * TEST_HOST_MAP_CPUS + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int v = 0; v < def->vcpus_max; v++)
        for (unsigned int c = 0; c < TEST_HOST_MAP_CPUS; c++) {
            bool pinned = live && obj->vcpu_pins && v < obj->vcpu_pin_rows;

            out[v * TEST_HOST_MAP_CPUS + c] = pinned ? (c < obj->vcpu_pin_cpus && obj->vcpu_pins[v * obj->vcpu_pin_cpus + c])
                                                     : true;
        }
    *maps = out;
    *nvcpus = def->vcpus_max;
    *ncpus = TEST_HOST_MAP_CPUS;
    return 0;
}

/* Pins start as "every CPU" for every vcpu, so one pin changes one row only. */
static int ensure_pin_table(struct vb_domain_obj *obj, struct vb_error *err)
{
    unsigned int rows = obj->def->vcpus_max;

    if (obj->vcpu_pins)
        return 0;
    obj->vcpu_pins = malloc((size_t) rows * TEST_HOST_MAP_CPUS * sizeof(bool) + 1);
    if (!obj->vcpu_pins)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < (size_t) rows * TEST_HOST_MAP_CPUS; i++)
        obj->vcpu_pins[i] = true;
    obj->vcpu_pin_rows = rows;
    obj->vcpu_pin_cpus = TEST_HOST_MAP_CPUS;
    return 0;
}

int test_pin_vcpu(void *priv, vb_uuid_t uuid, unsigned int vcpu, const bool *cpumap, unsigned int ncpus,
                  unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    bool any = false;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!obj)
        return -1;
    if (!vb_domain_obj_is_active(obj))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot pin vcpus on an inactive domain");
    if (vcpu >= obj->def->vcpus_current)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested vcpu '%u' is not present in the domain", vcpu);
    for (unsigned int c = 0; c < ncpus; c++)
        any = any || cpumap[c];
    if (!any)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Empty cpu list for pinning");
    if (ensure_pin_table(obj, err) < 0)
        return -1;
    for (unsigned int c = 0; c < TEST_HOST_MAP_CPUS; c++)
        obj->vcpu_pins[vcpu * TEST_HOST_MAP_CPUS + c] = c < ncpus && cpumap[c];
    return 0;
}

char *test_get_scheduler_type(void *priv, vb_uuid_t uuid, int *nparams, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    char *type;

    if (!obj)
        return NULL;
    type = strdup("fair");
    if (!type) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    *nparams = 1;
    return type;
}

int test_get_job_info(void *priv, vb_uuid_t uuid, struct vb_job_info *info, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj || vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    *info = (struct vb_job_info){ .type = 0 }; /* the test driver never runs long jobs */
    return 0;
}

int test_abort_job(void *priv, vb_uuid_t uuid, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj || vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    return vb_error_set(err, VB_ERR_OPERATION_INVALID, "no job is active on the domain");
}

static int stats_state(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err)
{
    if (vb_typed_params_add_int(out, err, obj->state, "state.state") < 0)
        return -1;
    return vb_typed_params_add_int(out, err, obj->reason, "state.reason");
}

static int stats_balloon(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err)
{
    if (vb_typed_params_add_ullong(out, err, obj->def->current_memory_kib, "balloon.current") < 0)
        return -1;
    return vb_typed_params_add_ullong(out, err, obj->def->max_memory_kib, "balloon.maximum");
}

static int stats_vcpu(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err)
{
    const struct vb_domain_def *def = obj->def;

    if (vb_typed_params_add_uint(out, err, def->vcpus_current, "vcpu.current") < 0 ||
        vb_typed_params_add_uint(out, err, def->vcpus_max, "vcpu.maximum") < 0)
        return -1;
    if (!vb_domain_obj_is_active(obj))
        return 0;
    for (unsigned int v = 0; v < def->vcpus_current; v++)
        if (vb_typed_params_add_int(out, err, 1, "vcpu.%u.state", v) < 0 || /* VIR_VCPU_RUNNING */
            vb_typed_params_add_ullong(out, err, 1000000000ull * (v + 1), "vcpu.%u.time", v) < 0)
            return -1;
    return 0;
}

static int stats_devices(const struct vb_domain_obj *obj, enum vb_device_kind kind, const char *prefix,
                         struct vb_typed_params *out, struct vb_error *err)
{
    const struct vb_domain_def *def = obj->def;
    unsigned int count = 0;

    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];
        const char *name = kind == VB_DEVICE_DISK ? dev->target_dev : (dev->target_dev ? dev->target_dev : dev->mac);

        if (dev->kind != kind)
            continue;
        if (vb_typed_params_add_string(out, err, name ? name : "", "%s.%u.name", prefix, count) < 0)
            return -1;
        if (kind == VB_DEVICE_DISK && dev->source &&
            vb_typed_params_add_string(out, err, dev->source, "%s.%u.path", prefix, count) < 0)
            return -1;
        count++;
    }
    return vb_typed_params_add_uint(out, err, count, "%s.count", prefix);
}

int test_get_stats(void *priv, vb_uuid_t uuid, unsigned int stats, unsigned int flags, struct vb_typed_params *out,
                   struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    unsigned int all = VB_STATS_STATE | VB_STATS_BALLOON | VB_STATS_VCPU | VB_STATS_INTERFACE | VB_STATS_BLOCK;
    int r = 0;

    if (!obj)
        return -1;
    if (stats == 0)
        stats = all;
    if (stats & ~all)
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "unsupported statistics types (0x%x)", stats & ~all);
    if (stats & VB_STATS_STATE)
        r = stats_state(obj, out, err);
    if (r == 0 && (stats & VB_STATS_BALLOON))
        r = stats_balloon(obj, out, err);
    if (r == 0 && (stats & VB_STATS_VCPU))
        r = stats_vcpu(obj, out, err);
    if (r == 0 && (stats & VB_STATS_INTERFACE))
        r = stats_devices(obj, VB_DEVICE_INTERFACE, "net", out, err);
    if (r == 0 && (stats & VB_STATS_BLOCK))
        r = stats_devices(obj, VB_DEVICE_DISK, "block", out, err);
    if (r < 0)
        vb_typed_params_clear(out);
    return r;
}

static const struct vb_device_def *find_disk(const struct vb_domain_def *def, const char *disk)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_DISK &&
            ((dev->target_dev && streq(dev->target_dev, disk)) || (dev->source && streq(dev->source, disk))))
            return dev;
    }
    return NULL;
}

int test_get_block_info(void *priv, vb_uuid_t uuid, const char *disk, unsigned int flags, struct vb_block_info *info,
                        struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    VB_CHECK_FLAGS(flags, 0, err);
    if (!obj)
        return -1;
    if (!find_disk(obj->def, disk))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid path %s not assigned to domain", disk);
    /* A fixed 100 GiB image, fully allocated while the guest runs. */
    info->capacity = 100ull << 30;
    info->physical = info->capacity;
    info->allocation = vb_domain_obj_is_active(obj) ? info->capacity : 0;
    return 0;
}

static int fill_iface(struct vb_iface *iface, const struct vb_device_def *dev, size_t index, struct vb_error *err)
{
    char name[32], addr[32];

    snprintf(name, sizeof(name), "testnet%zu", index);
    snprintf(addr, sizeof(addr), "192.168.0.%zu", 1 + index * 10 % 250);
    iface->name = strdup(dev->target_dev ? dev->target_dev : name);
    iface->hwaddr = strdup(dev->mac ? dev->mac : "");
    iface->addrs = calloc(1, sizeof(*iface->addrs));
    if (!iface->name || !iface->hwaddr || !iface->addrs)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    iface->n_addrs = 1;
    iface->addrs[0] = (struct vb_iface_addr){ .type = 0, .addr = strdup(addr), .prefix = 24 };
    return iface->addrs[0].addr ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

int test_interface_addresses(void *priv, vb_uuid_t uuid, unsigned int source, unsigned int flags,
                             struct vb_iface **ifaces, size_t *n, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    struct vb_iface *out;
    size_t count = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!obj || vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (source > 2) /* lease, agent, arp */
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "Unknown IP address data source %u", source);
    out = calloc(obj->def->n_devices + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < obj->def->n_devices; i++) {
        if (obj->def->devices[i]->kind != VB_DEVICE_INTERFACE)
            continue;
        if (fill_iface(&out[count], obj->def->devices[i], count, err) < 0) {
            vb_ifaces_free(out, count + 1);
            return -1;
        }
        count++;
    }
    *ifaces = out;
    *n = count;
    return 0;
}
