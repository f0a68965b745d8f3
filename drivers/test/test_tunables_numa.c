/* The test driver's NUMA memory tuning (<numatune>) and perf events (<perf>), as libvirt's
 * testDomainGet/SetNumaParameters and testDomainGet/SetPerfEvents. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_tunables.h"
#include "drivers/test/test_tunables.h"

/* libvirt's VIR_DOMAIN_NUMA_MODE and VIR_DOMAIN_NUMA_NODESET. */
#define NUMA_MODE "numa_mode"
#define NUMA_NODESET "numa_nodeset"

/* --- NUMA parameters ------------------------------------------------------------------------- */

int test_get_numa_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                             struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    struct vb_numatune numatune;
    struct vb_domain_def *def;
    int r;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetNumaParameters", err) < 0 ||
        !(def = test_one_def(obj, &flags, err)))
        return -1;
    if (vb_domain_def_get_numatune(def, &numatune, err) < 0)
        return test_done(priv, call, -1);
    r = vb_typed_params_add_int(params, err, numatune.mode < 0 ? VB_NUMATUNE_MEM_STRICT : numatune.mode, NUMA_MODE);
    if (r >= 0)
        r = vb_typed_params_add_string(params, err, numatune.nodeset ? numatune.nodeset : "", NUMA_NODESET);
    free(numatune.nodeset);
    if (r < 0)
        vb_typed_params_clear(params);
    return test_done(priv, call, r);
}

struct numa_change {
    int mode;      /* -1: not given */
    char *nodeset; /* canonical; NULL: not given */
    bool live;
};

/* The checks of libvirt's parameter loop, in the order the parameters came. */
static int parse_numa_change(const struct vb_typed_params *params, struct numa_change *change, struct vb_error *err)
{
    for (size_t i = 0; i < params->n; i++) {
        const struct vb_typed_param *p = &params->items[i];

        if (streq(p->name, NUMA_MODE)) {
            change->mode = p->value.i;
            if (change->mode < 0 || change->mode >= VB_NUMATUNE_MEM_LAST)
                return vb_error_set(err, VB_ERR_INVALID_ARG, "unsupported numatune mode: '%d'", change->mode);
        } else if (streq(p->name, NUMA_NODESET)) {
            free(change->nodeset);
            if (vb_nodeset_canonical(p->value.s, &change->nodeset, err) < 0)
                return -1;
            if (!change->nodeset[0])
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, "Invalid nodeset of 'numatune': %s", p->value.s);
        }
    }
    return 0;
}

/* libvirt's virDomainNumatuneSet for a static placement. */
static int edit_numatune(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct numa_change *change = arg;
    struct vb_numatune old, numatune;
    int r;

    if (vb_domain_def_get_numatune(def, &old, err) < 0)
        return -1;
    numatune = (struct vb_numatune){
        .mode = change->mode != -1 ? change->mode : old.mode,
        .nodeset = change->nodeset ? change->nodeset : old.nodeset,
    };
    if (change->live && change->mode != -1 && old.mode >= 0 && old.mode != change->mode)
        r = vb_error_set(err, VB_ERR_OPERATION_INVALID, "can't change numatune mode for running domain");
    else if (!numatune.nodeset)
        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                         "nodeset for NUMA memory tuning must be set if 'placement' is 'static'");
    else {
        if (numatune.mode < 0)
            numatune.mode = VB_NUMATUNE_MEM_STRICT;
        r = vb_domain_def_set_numatune(def, &numatune, err);
    }
    free(old.nodeset);
    return r;
}

int test_set_numa_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                             const struct vb_typed_params *params, unsigned int flags)
{
    static const struct test_param_key keys[] = { { NUMA_MODE, VB_PARAM_INT }, { NUMA_NODESET, VB_PARAM_STRING } };
    struct vb_error *err = &call->err;
    struct numa_change change = { .mode = -1 };
    unsigned int resolved = flags;
    int r;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetNumaParameters", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0 || !test_one_def(obj, &resolved, err))
        return -1;
    change.live = resolved & VB_AFFECT_LIVE;
    r = parse_numa_change(params, &change, err);
    if (r >= 0)
        r = test_set_one_def(priv, call, obj, resolved, edit_numatune, &change);
    free(change.nodeset);
    return r;
}

/* --- perf events ----------------------------------------------------------------------------- */

int test_get_perf_events(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                         struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    unsigned char states[VB_PERF_EVENT_LAST];
    struct vb_domain_def *def;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetPerfEvents", err) < 0 ||
        !(def = test_one_def(obj, &flags, err)))
        return -1;
    if (vb_domain_def_get_perf(def, states, err) < 0)
        return test_done(priv, call, -1);
    for (int i = 0; i < VB_PERF_EVENT_LAST; i++) {
        if (vb_typed_params_add_boolean(params, err, states[i] == 1, "%s", vb_perf_event_names[i]) < 0) {
            vb_typed_params_clear(params);
            return test_done(priv, call, -1);
        }
    }
    return test_done(priv, call, 0);
}

static int edit_perf(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct vb_typed_params *params = arg;
    unsigned char states[VB_PERF_EVENT_LAST];

    if (vb_domain_def_get_perf(def, states, err) < 0)
        return -1;
    for (int i = 0; i < VB_PERF_EVENT_LAST; i++) {
        const struct vb_typed_param *p = vb_typed_params_find(params, vb_perf_event_names[i]);

        if (p)
            states[i] = p->value.b ? 1 : 2;
    }
    return vb_domain_def_set_perf(def, states, err);
}

int test_set_perf_events(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                         const struct vb_typed_params *params, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct test_param_key keys[VB_PERF_EVENT_LAST];

    for (int i = 0; i < VB_PERF_EVENT_LAST; i++)
        keys[i] = (struct test_param_key){ vb_perf_event_names[i], VB_PARAM_BOOLEAN };
    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetPerfEvents", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0)
        return -1;
    return test_set_one_def(priv, call, obj, flags, edit_perf, params);
}
