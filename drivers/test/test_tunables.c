/* The test driver's tunables: libvirt's typed-parameter checks, memory limits (kept in the
 * definition's <memtune>) and the scheduler's fixed weight, as libvirt's test driver; the
 * driver table, whose other tunables live in test_tunables_numa.c, test_tunables_devices.c
 * and test_tunables_iotune.c. */
#include <string.h>

#include "conf/domain_tunables.h"
#include "drivers/driver_tunables.h"
#include "drivers/test/test_private.h"
#include "drivers/test/test_tunables.h"

/* libvirt's typed-parameter names. */
#define MEMORY_HARD_LIMIT "hard_limit"
#define MEMORY_SOFT_LIMIT "soft_limit"
#define MEMORY_SWAP_HARD_LIMIT "swap_hard_limit"
#define SCHEDULER_WEIGHT "weight"

/* libvirt's test driver always reports this weight and ignores what is set. */
#define TEST_SCHEDULER_WEIGHT 50u

static const char *param_type_name(enum vb_param_type type)
{
    static const char *const names[] = { "", "int", "uint", "llong", "ullong", "double", "boolean", "string" };

    return type >= VB_PARAM_INT && type <= VB_PARAM_STRING ? names[type] : "";
}

/* libvirt's virTypedParamsValidate: every name known, of its type, given once. */
int test_params_validate(const struct vb_typed_params *params, const struct test_param_key *keys, size_t n_keys,
                         struct vb_error *err)
{
    for (size_t i = 0; i < params->n; i++) {
        const struct vb_typed_param *p = &params->items[i];
        const struct test_param_key *key = NULL;

        for (size_t k = 0; k < n_keys && !key; k++)
            if (streq(keys[k].name, p->name))
                key = &keys[k];
        if (!key)
            return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "parameter '%s' not supported", p->name);
        if (p->type != key->type)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid type '%s' for parameter '%s', expected '%s'",
                                param_type_name(p->type), p->name, param_type_name(key->type));
        for (size_t j = 0; j < i; j++)
            if (streq(params->items[j].name, p->name))
                return vb_error_set(err, VB_ERR_INVALID_ARG, "parameter '%s' occurs multiple times", p->name);
    }
    return 0;
}

/* libvirt's virCheckFlags, naming libvirt's test-driver function. */
int test_check_flags(unsigned int flags, unsigned int supported, const char *function, struct vb_error *err)
{
    if (flags & ~supported)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", function, flags & ~supported);
    return 0;
}

/* libvirt's virDomainObjGetOneDef: the one definition the flags name. */
struct vb_domain_def *test_one_def(struct vb_domain_obj *obj, unsigned int *flags, struct vb_error *err)
{
    if ((*flags & VB_AFFECT_LIVE) && (*flags & VB_AFFECT_CONFIG)) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "Flags '%s' and '%s' are mutually exclusive", "VIR_DOMAIN_AFFECT_LIVE",
                     "VIR_DOMAIN_AFFECT_CONFIG");
        return NULL;
    }
    if (vb_domain_obj_resolve_affect(obj, flags, err) < 0)
        return NULL;
    return (*flags & VB_AFFECT_CONFIG) ? vb_domain_obj_persistent_def(obj) : obj->def;
}

/* Applies edit to a copy of the one definition the flags name, stores a persistent one, then
 * swaps the copy in, so a failed edit changes nothing. */
int test_edit_one_def(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int flags, test_def_edit_fn edit,
                      const void *arg, struct vb_error *err)
{
    struct vb_domain_def *target = test_one_def(obj, &flags, err);
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *copy = NULL;

    if (!target || !(copy = vb_domain_def_copy(target, err)) || edit(copy, arg, err) < 0)
        return -1;
    if ((flags & VB_AFFECT_CONFIG) && test_persist_def(conn, copy, err) < 0)
        return -1;
    if (target == obj->def)
        obj->def = TAKE_PTR(copy);
    else
        obj->next_def = TAKE_PTR(copy);
    vb_domain_def_free(target);
    return 0;
}

/* libvirt announces these tunables with no event; front ends learn of them from "changed". */
int test_set_one_def(struct test_conn *conn, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                     test_def_edit_fn edit, const void *arg)
{
    struct vb_error *err = &call->err;
    int r;

    if (!test_one_def(obj, &flags, err))
        return -1;
    r = test_edit_one_def(conn, obj, flags, edit, arg, err);
    if (r == 0)
        test_emit_changed(conn, obj);
    return test_done(conn, call, r);
}

/* --- memory parameters (testDomainGet/SetMemoryParameters) ----------------------------------- */

static int get_memory_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;
    struct vb_domain_def *def;
    struct vb_memtune mt;

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | VB_TYPED_PARAM_STRING_OKAY,
                         "testDomainGetMemoryParameters", err) < 0 ||
        !(def = test_one_def(obj, &flags, err)))
        return -1;
    if (vb_domain_def_get_memtune(def, &mt, err) < 0)
        return test_done(priv, call, -1);
    if (vb_typed_params_add_ullong(params, err, mt.hard_limit, MEMORY_HARD_LIMIT) < 0 ||
        vb_typed_params_add_ullong(params, err, mt.soft_limit, MEMORY_SOFT_LIMIT) < 0 ||
        vb_typed_params_add_ullong(params, err, mt.swap_hard_limit, MEMORY_SWAP_HARD_LIMIT) < 0) {
        vb_typed_params_clear(params);
        return test_done(priv, call, -1);
    }
    return test_done(priv, call, 0);
}

struct memtune_change {
    const struct vb_typed_params *params;
    struct vb_memtune live; /* the running definition's limits, which libvirt checks against */
};

static void take_limit(const struct vb_typed_params *params, const char *name, unsigned long long *limit)
{
    const struct vb_typed_param *p = vb_typed_params_find(params, name);

    if (p)
        *limit = p->value.ull;
}

static int edit_memtune(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct memtune_change *change = arg;
    const struct vb_typed_params *params = change->params;
    struct vb_memtune mt, check = change->live;

    if (vb_domain_def_get_memtune(def, &mt, err) < 0)
        return -1;
    /* As libvirt's test driver: the limits being set, against the running definition's others. */
    take_limit(params, MEMORY_HARD_LIMIT, &check.hard_limit);
    take_limit(params, MEMORY_SWAP_HARD_LIMIT, &check.swap_hard_limit);
    if ((vb_typed_params_find(params, MEMORY_HARD_LIMIT) || vb_typed_params_find(params, MEMORY_SWAP_HARD_LIMIT)) &&
        check.hard_limit > check.swap_hard_limit)
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "memory hard_limit tunable value must be lower than or equal to swap_hard_limit");
    take_limit(params, MEMORY_SOFT_LIMIT, &mt.soft_limit);
    take_limit(params, MEMORY_HARD_LIMIT, &mt.hard_limit);
    take_limit(params, MEMORY_SWAP_HARD_LIMIT, &mt.swap_hard_limit);
    return vb_domain_def_set_memtune(def, &mt, err);
}

static int set_memory_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                                 const struct vb_typed_params *params, unsigned int flags)
{
    static const struct test_param_key keys[] = {
        { MEMORY_HARD_LIMIT, VB_PARAM_ULLONG },
        { MEMORY_SOFT_LIMIT, VB_PARAM_ULLONG },
        { MEMORY_SWAP_HARD_LIMIT, VB_PARAM_ULLONG },
    };
    struct vb_error *err = &call->err;
    struct memtune_change change = { .params = params };

    if (test_check_flags(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "testDomainSetMemoryParameters", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0)
        return -1;
    if (vb_domain_def_get_memtune(obj->def, &change.live, err) < 0)
        return test_done(priv, call, -1);
    return test_set_one_def(priv, call, obj, flags, edit_memtune, &change);
}

/* --- scheduler parameters (testDomainGet/SetSchedulerParametersFlags) ----------------------- */

static int get_scheduler_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                    struct vb_typed_params *params)
{
    struct vb_error *err = &call->err;

    if (test_check_flags(flags, 0, "testDomainGetSchedulerParametersFlags", err) < 0)
        return -1;
    return test_done(priv, call, vb_typed_params_add_uint(params, err, TEST_SCHEDULER_WEIGHT, SCHEDULER_WEIGHT));
}

/* libvirt's test driver accepts the weight and keeps none: nothing changes, so nothing is
 * announced (libvirt's QEMU driver sends TUNABLE "cputune.*" only for what it sets live). */
static int set_scheduler_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                                    const struct vb_typed_params *params, unsigned int flags)
{
    static const struct test_param_key keys[] = { { SCHEDULER_WEIGHT, VB_PARAM_UINT } };
    struct vb_error *err = &call->err;

    if (test_check_flags(flags, 0, "testDomainSetSchedulerParametersFlags", err) < 0 ||
        test_params_validate(params, keys, ARRAY_SIZE(keys), err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

const struct vb_tunables_driver vb_test_tunables_driver = {
    .get_memory_parameters = get_memory_parameters,
    .set_memory_parameters = set_memory_parameters,
    .get_scheduler_parameters = get_scheduler_parameters,
    .set_scheduler_parameters = set_scheduler_parameters,
    .get_numa_parameters = test_get_numa_parameters,
    .set_numa_parameters = test_set_numa_parameters,
    .get_blkio_parameters = test_get_blkio_parameters,
    .set_blkio_parameters = test_set_blkio_parameters,
    .get_perf_events = test_get_perf_events,
    .set_perf_events = test_set_perf_events,
    .get_interface_parameters = test_get_interface_parameters,
    .set_interface_parameters = test_set_interface_parameters,
    .get_block_io_tune = test_get_block_io_tune,
    .set_block_io_tune = test_set_block_io_tune,
};
