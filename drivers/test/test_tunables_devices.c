/* The test driver's block I/O weights (<blkiotune>) and interface bandwidth (<bandwidth>), as
 * libvirt's testDomainGet/SetBlkioParameters and testDomainGet/SetInterfaceParameters. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf/domain_tunables.h"
#include "drivers/test/test_tunables.h"

/* libvirt's VIR_DOMAIN_BLKIO_* names. */
#define BLKIO_WEIGHT "weight"

/* libvirt's VIR_DOMAIN_BANDWIDTH_* names, in the order libvirt reports them. */
static const char *const bandwidth_names[] = {
    "inbound.average", "inbound.peak", "inbound.burst", "inbound.floor",
    "outbound.average", "outbound.peak", "outbound.burst",
};

/* --- block I/O parameters -------------------------------------------------------------------- */

int test_get_blkio_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                              struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    struct vb_domain_def *def;
    unsigned int weight;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetBlkioParameters", err) < 0 ||
        !(def = test_one_def(obj, &flags, err)))
        return -1;
    if (vb_domain_def_get_blkio_weight(def, &weight, err) < 0)
        return test_done(priv, call, -1);
    if (vb_typed_params_add_uint(params, err, weight, BLKIO_WEIGHT) < 0 ||
        vb_domain_def_add_blkio_devices(def, params, err) < 0) {
        vb_typed_params_clear(params);
        return test_done(priv, call, -1);
    }
    return test_done(priv, call, 0);
}

/* libvirt's virDomainDriverSetupPersistentDefBlkioParams. */
static int edit_blkiotune(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct vb_typed_params *params = arg;

    for (size_t i = 0; i < params->n; i++) {
        const struct vb_typed_param *p = &params->items[i];
        int r = streq(p->name, BLKIO_WEIGHT) ? vb_domain_def_set_blkio_weight(def, p->value.ui, err)
                                             : vb_domain_def_merge_blkio_devices(def, p->name, p->value.s, err);

        if (r < 0)
            return -1;
    }
    return 0;
}

int test_set_blkio_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                              const struct vb_typed_params *params, unsigned int flags)
{
    static const struct test_param_key keys[] = {
        { BLKIO_WEIGHT, VB_PARAM_UINT },
        { VB_BLKIO_DEVICE_WEIGHT, VB_PARAM_STRING },
        { VB_BLKIO_DEVICE_READ_IOPS, VB_PARAM_STRING },
        { VB_BLKIO_DEVICE_WRITE_IOPS, VB_PARAM_STRING },
        { VB_BLKIO_DEVICE_READ_BPS, VB_PARAM_STRING },
        { VB_BLKIO_DEVICE_WRITE_BPS, VB_PARAM_STRING },
    };
    struct vb_error *err = &call->err;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetBlkioParameters", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0)
        return -1;
    return test_set_one_def(priv, call, obj, flags, edit_blkiotune, params);
}

/* --- interface parameters -------------------------------------------------------------------- */

/* device as a MAC address in the model's spelling (lowercase, two digits an octet), or false. */
static bool normalize_mac(const char *device, char out[18])
{
    unsigned int octets[6];
    int used = 0;

    if (sscanf(device, "%x:%x:%x:%x:%x:%x%n", &octets[0], &octets[1], &octets[2], &octets[3], &octets[4],
               &octets[5], &used) != 6 || device[used] != '\0' || !isxdigit((unsigned char) device[0]))
        return false;
    for (int i = 0; i < 6; i++)
        if (octets[i] > 0xff)
            return false;
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1], octets[2], octets[3], octets[4],
             octets[5]);
    return true;
}

/* libvirt's virDomainNetFind: by MAC address when device is one, else by target name. */
static struct vb_device_def *find_interface(struct vb_domain_def *def, const char *device, struct vb_error *err)
{
    char mac[18];
    bool by_mac = normalize_mac(device, mac);
    struct vb_device_def *found = NULL;

    for (size_t i = 0; i < def->n_devices; i++) {
        struct vb_device_def *dev = def->devices[i];

        if (dev->kind != VB_DEVICE_INTERFACE)
            continue;
        if (by_mac ? !(dev->mac && streq(dev->mac, mac)) : !(dev->target_dev && streq(dev->target_dev, device)))
            continue;
        if (found && by_mac) {
            vb_error_set(err, VB_ERR_OPERATION_FAILED, "multiple devices matching MAC address %s found", mac);
            return NULL;
        }
        found = found ? found : dev;
    }
    if (!found)
        vb_error_set(err, VB_ERR_INVALID_ARG, "'%s' is not a known interface", device);
    return found;
}

static int add_bandwidth_params(const struct vb_bandwidth_rate *in, const struct vb_bandwidth_rate *out,
                                struct vb_typed_params *params, struct vb_error *err)
{
    const unsigned int values[] = { in->average, in->peak, in->burst, in->floor, out->average, out->peak, out->burst };

    for (size_t i = 0; i < ARRAY_SIZE(values); i++)
        if (vb_typed_params_add_uint(params, err, values[i], "%s", bandwidth_names[i]) < 0)
            return -1;
    return 0;
}

int test_get_interface_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *device,
                                  unsigned int flags, struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    struct vb_bandwidth_rate in, out;
    struct vb_domain_def *def;
    struct vb_device_def *net;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetInterfaceParameters", err) < 0 ||
        !(def = test_one_def(obj, &flags, err)) || !(net = find_interface(def, device, err)))
        return -1;
    if (vb_device_def_get_bandwidth(net, &in, &out, err) < 0)
        return test_done(priv, call, -1);
    if (add_bandwidth_params(&in, &out, params, err) < 0) {
        vb_typed_params_clear(params);
        return test_done(priv, call, -1);
    }
    return test_done(priv, call, 0);
}

struct interface_change {
    const char *device;
    struct vb_bandwidth_rate in, out;
    bool in_specified, out_specified; /* an average or floor given: zero ones clear the direction */
};

static void parse_interface_change(const struct vb_typed_params *params, struct interface_change *change)
{
    unsigned int *fields[] = { &change->in.average, &change->in.peak, &change->in.burst, &change->in.floor,
                               &change->out.average, &change->out.peak, &change->out.burst };

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct vb_typed_param *p = vb_typed_params_find(params, bandwidth_names[i]);

        if (p)
            *fields[i] = p->value.ui;
    }
    change->in_specified = vb_typed_params_find(params, "inbound.average") ||
                           vb_typed_params_find(params, "inbound.floor");
    change->out_specified = vb_typed_params_find(params, "outbound.average") != NULL;
    /* As libvirt: average or floor are mandatory, peak and burst optional. */
    change->in.present = change->in.average || change->in.floor;
    change->out.present = change->out.average != 0;
}

/* A direction given replaces the old one; one given with a zero average (and floor) clears it. */
static void merge_rate(struct vb_bandwidth_rate *cur, const struct vb_bandwidth_rate *new, bool specified)
{
    if (new->present)
        *cur = *new;
    else if (specified)
        *cur = (struct vb_bandwidth_rate){ 0 };
}

static int edit_bandwidth(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct interface_change *change = arg;
    struct vb_device_def *net = find_interface(def, change->device, err);
    struct vb_bandwidth_rate in, out;

    if (!net || vb_device_def_get_bandwidth(net, &in, &out, err) < 0)
        return -1;
    merge_rate(&in, &change->in, change->in_specified);
    merge_rate(&out, &change->out, change->out_specified);
    return vb_device_def_set_bandwidth(net, &in, &out, err);
}

int test_set_interface_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *device,
                                  const struct vb_typed_params *params, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct test_param_key keys[ARRAY_SIZE(bandwidth_names)];
    struct interface_change change = { .device = device };

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        keys[i] = (struct test_param_key){ bandwidth_names[i], VB_PARAM_UINT };
    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetInterfaceParameters", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0)
        return -1;
    parse_interface_change(params, &change);
    return test_set_one_def(priv, call, obj, flags, edit_bandwidth, &change);
}
