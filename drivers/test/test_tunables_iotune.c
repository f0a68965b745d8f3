/* The test driver's disk I/O throttling (a disk's <iotune>), as libvirt's
 * testDomainGet/SetBlockIoTune, with their limits and consistency checks. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_tunables.h"
#include "drivers/test/test_tunables.h"

/* libvirt's TEST_BLOCK_IOTUNE_MAX. */
#define IOTUNE_MAX 1000000000000000ULL

/* Indexes into vb_iotune_names. */
enum {
    TOTAL_BYTES, READ_BYTES, WRITE_BYTES, TOTAL_IOPS, READ_IOPS, WRITE_IOPS,
    TOTAL_BYTES_MAX, READ_BYTES_MAX, WRITE_BYTES_MAX, TOTAL_IOPS_MAX, READ_IOPS_MAX, WRITE_IOPS_MAX,
};

/* libvirt's virDomainDiskByName with allow_probe: by target name, else by source path. */
static struct vb_device_def *find_disk(struct vb_domain_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_DISK && dev->target_dev && streq(dev->target_dev, name))
            return dev;
    }
    for (size_t i = 0; i < def->n_devices; i++) {
        struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_DISK && dev->source && streq(dev->source, name))
            return dev;
    }
    return NULL;
}

static int add_iotune_params(const struct vb_iotune *iotune, struct vb_typed_params *params, struct vb_error *err)
{
    for (int i = 0; i < VB_IOTUNE_FIELDS; i++) {
        int r = i == VB_IOTUNE_GROUP_NAME
                    ? vb_typed_params_add_string(params, err, iotune->group_name ? iotune->group_name : "", "%s",
                                                 vb_iotune_names[i])
                    : vb_typed_params_add_ullong(params, err, iotune->values[i], "%s", vb_iotune_names[i]);

        if (r < 0)
            return -1;
    }
    return 0;
}

int test_get_block_io_tune(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                           unsigned int flags, struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    struct vb_domain_def *def;
    struct vb_device_def *dev;
    struct vb_iotune iotune;
    int r;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetBlockIoTune", err) < 0)
        return -1;
    flags &= ~(unsigned int) VB_TYPED_PARAM_STRING_OKAY;
    if (!(def = test_one_def(obj, &flags, err)))
        return -1;
    if (!(dev = find_disk(def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' was not found in the domain config", disk);
    if (vb_device_def_get_iotune(dev, &iotune, err) < 0)
        return test_done(priv, call, -1);
    r = add_iotune_params(&iotune, params, err);
    free(iotune.group_name);
    if (r < 0)
        vb_typed_params_clear(params);
    return test_done(priv, call, r);
}

struct iotune_change {
    const char *disk;
    const struct vb_typed_params *params;
};

/* The values given, over the disk's own; group_name changes only when given. */
static int apply_params(const struct vb_typed_params *params, struct vb_iotune *iotune, struct vb_error *err)
{
    for (size_t i = 0; i < params->n; i++) {
        const struct vb_typed_param *p = &params->items[i];
        int field = 0;

        while (field < VB_IOTUNE_FIELDS && !streq(vb_iotune_names[field], p->name))
            field++;
        if (field == VB_IOTUNE_GROUP_NAME) {
            free(iotune->group_name);
            if (!(iotune->group_name = strdup(p->value.s)))
                return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            continue;
        }
        if (p->value.ull > IOTUNE_MAX)
            return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED,
                                "block I/O throttle limit value must be no more than %llu", IOTUNE_MAX);
        iotune->values[field] = p->value.ull;
    }
    return 0;
}

/* libvirt's checks: a total excludes read and write of the same kind; no value above its max. */
static int check_iotune(const unsigned long long v[VB_IOTUNE_FIELDS], struct vb_error *err)
{
    static const char *const kinds[] = { "bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max" };
    static const int totals[] = { TOTAL_BYTES, TOTAL_IOPS, TOTAL_BYTES_MAX, TOTAL_IOPS_MAX };

    for (size_t k = 0; k < ARRAY_SIZE(totals); k++) {
        int t = totals[k];

        if (v[t] && (v[t + 1] || v[t + 2]))
            return vb_error_set(err, VB_ERR_INVALID_ARG, "total and read/write of %s cannot be set at the same time",
                                kinds[k]);
    }
    for (int f = TOTAL_BYTES; f <= WRITE_IOPS; f++)
        if (v[f] > v[f + TOTAL_BYTES_MAX])
            return vb_error_set(err, VB_ERR_INVALID_ARG, "%s cannot be set higher than %s", vb_iotune_names[f],
                                vb_iotune_names[f + TOTAL_BYTES_MAX]);
    return 0;
}

static int edit_iotune(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct iotune_change *change = arg;
    struct vb_device_def *dev = find_disk(def, change->disk);
    struct vb_iotune iotune;
    int r;

    if (!dev)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "missing persistent configuration for disk '%s'", change->disk);
    if (vb_device_def_get_iotune(dev, &iotune, err) < 0)
        return -1;
    r = apply_params(change->params, &iotune, err);
    if (r >= 0)
        r = check_iotune(iotune.values, err);
    if (r >= 0)
        r = vb_device_def_set_iotune(dev, &iotune, err);
    free(iotune.group_name);
    return r;
}

/* libvirt's qemuDomainSetBlockIoTune announces a live change as tunables: the disk, then each
 * value given as "blkdeviotune.<name>"; made before the change, so a failure changes nothing. */
static int iotune_event(struct test_conn *conn, const struct vb_domain_obj *obj, const struct iotune_change *change,
                        struct vb_event *event, struct vb_error *err)
{
    const struct vb_device_def *dev = find_disk(obj->def, change->disk);
    struct vb_typed_params *out = &event->payload.params;

    vb_event_init_domain(event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_DOMAIN_EVENT_ID_TUNABLE);
    if (vb_typed_params_add_string(out, err, dev && dev->target_dev ? dev->target_dev : change->disk,
                                   "blkdeviotune.disk") < 0)
        return -1;
    for (size_t i = 0; i < change->params->n; i++) {
        const struct vb_typed_param *p = &change->params->items[i];
        int r = p->type == VB_PARAM_STRING
                    ? vb_typed_params_add_string(out, err, p->value.s, "blkdeviotune.%s", p->name)
                    : vb_typed_params_add_ullong(out, err, p->value.ull, "blkdeviotune.%s", p->name);

        if (r < 0)
            return -1;
    }
    return 0;
}

static int set_live_iotune(struct test_conn *conn, struct vb_domain_obj *obj, const struct iotune_change *change,
                           struct vb_error *err)
{
    struct vb_event event;
    int r = iotune_event(conn, obj, change, &event, err);

    if (r == 0)
        r = test_edit_one_def(conn, obj, VB_AFFECT_LIVE, edit_iotune, change, err);
    if (r == 0)
        test_emit_event(conn, obj, &event);
    vb_typed_params_clear(&event.payload.params);
    return r;
}

int test_set_block_io_tune(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                           const struct vb_typed_params *params, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct test_param_key keys[VB_IOTUNE_FIELDS];
    struct iotune_change change = { .disk = disk, .params = params };
    unsigned int resolved = flags;

    for (int i = 0; i < VB_IOTUNE_FIELDS; i++)
        keys[i] = (struct test_param_key){ vb_iotune_names[i],
                                           i == VB_IOTUNE_GROUP_NAME ? VB_PARAM_STRING : VB_PARAM_ULLONG };
    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetBlockIoTune", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0 || !test_one_def(obj, &resolved, err))
        return -1;
    if (!(resolved & VB_AFFECT_LIVE))
        return test_set_one_def(priv, call, obj, resolved, edit_iotune, &change);
    return test_done(priv, call, set_live_iotune(priv, obj, &change, err));
}
