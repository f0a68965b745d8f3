/* The test driver's guest information: vcpus and pinning, jobs, stats, block and interface
 * details. The numbers are the test driver's fakes, stable so tests can rely on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_iothreads.h"
#include "drivers/test/test_private.h"
#include "util/hashmap.h"
#include "util/typed_params.h"

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

int test_get_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                   unsigned int *count)
{
    struct vb_error *err = &call->err;
    const struct vb_domain_def *def;

    VB_CHECK_FLAGS(flags, VB_VCPU_LIVE | VB_VCPU_CONFIG | VB_VCPU_MAXIMUM, err);
    def = def_for_flags(obj, &flags, err);
    if (!def)
        return -1;
    *count = (flags & VB_VCPU_MAXIMUM) ? def->vcpus_max : def->vcpus_current;
    return test_done(priv, call, 0);
}

/* One row per vcpu of the definition (bounded when it is defined), TEST_HOST_MAP_CPUS each. */
int test_get_vcpu_pin_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                           bool **maps, unsigned int *nvcpus, unsigned int *ncpus)
{
    struct vb_error *err = &call->err;
    const struct vb_domain_def *def;
    bool live;
    bool *out;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    def = def_for_flags(obj, &flags, err);
    if (!def)
        return -1;
    live = flags & VB_AFFECT_LIVE;
    out = calloc((size_t) def->vcpus_max * TEST_HOST_MAP_CPUS + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int v = 0; v < def->vcpus_max; v++)
        for (unsigned int c = 0; c < TEST_HOST_MAP_CPUS; c++) {
            bool pinned = live && obj->vcpu_pins && v < obj->vcpu_pin_rows;

            out[v * TEST_HOST_MAP_CPUS + c] =
                pinned ? c < obj->vcpu_pin_cpus && obj->vcpu_pins[v * obj->vcpu_pin_cpus + c] : true;
        }
    *maps = out;
    *nvcpus = def->vcpus_max;
    *ncpus = TEST_HOST_MAP_CPUS;
    return test_done(priv, call, 0);
}

/* Pins start as "every CPU" for every vcpu, so one pin changes one row only. The table grows
 * when the running definition gained vcpus since it was made (a revert to a snapshot in place). */
static int ensure_pin_rows(struct vb_domain_obj *obj, unsigned int rows, struct vb_error *err)
{
    unsigned int old = obj->vcpu_pins ? obj->vcpu_pin_rows : 0;
    bool *grown;

    if (obj->vcpu_pins && rows <= old)
        return 0;
    grown = realloc(obj->vcpu_pins, (size_t) rows * TEST_HOST_MAP_CPUS * sizeof(*grown) + 1);
    if (!grown)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = (size_t) old * TEST_HOST_MAP_CPUS; i < (size_t) rows * TEST_HOST_MAP_CPUS; i++)
        grown[i] = true;
    obj->vcpu_pins = grown;
    obj->vcpu_pin_rows = rows;
    obj->vcpu_pin_cpus = TEST_HOST_MAP_CPUS;
    return 0;
}

/* libvirt's qemuDomainPinVcpuLive announces the pinning as the tunable "cputune.vcpupin<N>", a
 * CPU list; made before the pin changes, so a failure changes nothing. */
static int vcpu_pin_event(struct test_conn *conn, const struct vb_domain_obj *obj, unsigned int vcpu, const bool *row,
                          struct vb_event *event, struct vb_error *err)
{
    _cleanup_free_ char *cpus = vb_cpuset_format(row, TEST_HOST_MAP_CPUS);

    vb_event_init_domain(event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_DOMAIN_EVENT_ID_TUNABLE);
    if (!cpus)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_typed_params_add_string(&event->payload.params, err, cpus, "cputune.vcpupin%u", vcpu);
}

int test_pin_vcpu(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int vcpu, const bool *cpumap,
                  unsigned int ncpus, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    bool row[TEST_HOST_MAP_CPUS];
    struct vb_event event;
    bool any = false;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!vb_domain_obj_is_active(obj))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot pin vcpus on an inactive domain");
    if (vcpu >= obj->def->vcpus_current)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested vcpu '%u' is not present in the domain", vcpu);
    for (unsigned int c = 0; c < ncpus; c++)
        any = any || cpumap[c];
    if (!any)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Empty cpu list for pinning");
    for (unsigned int c = 0; c < TEST_HOST_MAP_CPUS; c++)
        row[c] = c < ncpus && cpumap[c];
    if (vcpu_pin_event(conn, obj, vcpu, row, &event, err) < 0 || ensure_pin_rows(obj, obj->def->vcpus_max, err) < 0) {
        vb_typed_params_clear(&event.payload.params);
        return -1;
    }
    memcpy(&obj->vcpu_pins[(size_t) vcpu * TEST_HOST_MAP_CPUS], row, sizeof(row));
    test_emit_event(conn, obj, &event);
    vb_typed_params_clear(&event.payload.params);
    return test_done(conn, call, 0);
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

static int fill_record(struct vb_domain_stats *record, const struct vb_domain_obj *obj, unsigned int stats,
                       struct vb_error *err)
{
    struct vb_typed_params *out = &record->params;

    record->name = strdup(obj->def->name);
    if (!record->name)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(record->uuid, obj->def->uuid, VB_UUID_LEN);
    if ((stats & VB_STATS_STATE) && stats_state(obj, out, err) < 0)
        return -1;
    if ((stats & VB_STATS_BALLOON) && stats_balloon(obj, out, err) < 0)
        return -1;
    if ((stats & VB_STATS_VCPU) && stats_vcpu(obj, out, err) < 0)
        return -1;
    if ((stats & VB_STATS_INTERFACE) && vb_registry_stats_devices(obj, VB_DEVICE_INTERFACE, "net", out, err) < 0)
        return -1;
    if ((stats & VB_STATS_BLOCK) && vb_registry_stats_devices(obj, VB_DEVICE_DISK, "block", out, err) < 0)
        return -1;
    return 0;
}

/* A record per listed domain that still exists, in the order given. A domain listed twice is
 * reported once, at its first place, so the answer is bounded by the domains that exist and
 * their definitions, whatever the length of the list. */
static int collect_stats(struct test_conn *conn, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                         unsigned int stats, struct vb_domain_stats *out, size_t cap, size_t *used,
                         struct vb_error *err)
{
    struct vb_hashmap *seen = vb_hashmap_new(); /* by name, unique among a connection's domains */
    int r = 0;

    if (!seen)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < n && *used < cap; i++) {
        struct vb_domain_obj *obj = vb_domain_list_find_by_uuid(conn->domains, uuids[i]);
        struct vb_domain_stats *record = &out[*used];

        if (!obj || vb_hashmap_get(seen, obj->def->name))
            continue;
        (*used)++; /* counted at once: a record filled halfway is freed with the others */
        r = fill_record(record, obj, stats, err);
        if (r == 0 && vb_hashmap_put(seen, record->name, record) < 0)
            r = vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        if (r < 0)
            break;
    }
    vb_hashmap_free(seen);
    return r;
}

int test_get_stats(void *priv, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                   unsigned int stats, unsigned int flags, struct vb_domain_stats **records, size_t *n_records)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    unsigned int all = VB_STATS_STATE | VB_STATS_BALLOON | VB_STATS_VCPU | VB_STATS_INTERFACE | VB_STATS_BLOCK;
    size_t cap = vb_domain_list_count(conn->domains), used = 0;
    struct vb_domain_stats *out;

    if (stats == 0)
        stats = all;
    if (stats & ~all)
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "unsupported statistics types (0x%x)", stats & ~all);
    if (n < cap)
        cap = n;
    out = calloc(cap + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (collect_stats(conn, uuids, n, stats, out, cap, &used, err) < 0) {
        vb_domain_stats_free(out, used);
        return -1;
    }
    *records = out;
    *n_records = used;
    return test_done(conn, call, 0);
}

int test_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!vb_registry_find_disk(obj->def, disk))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid path %s not assigned to domain", disk);
    /* A fixed 100 GiB image, fully allocated while the guest runs. */
    info->capacity = 100ull << 30;
    info->physical = info->capacity;
    info->allocation = vb_domain_obj_is_active(obj) ? info->capacity : 0;
    return test_done(priv, call, 0);
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

int test_interface_addresses(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int source,
                             unsigned int flags, struct vb_iface **ifaces, size_t *n)
{
    struct vb_error *err = &call->err;
    struct vb_iface *out;
    size_t count = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
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
    return test_done(priv, call, 0);
}
